"""Argument checks of the SDK API; every one runs before anything is written."""

from __future__ import annotations

import difflib
import uuid as uuid_module
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from pydantic import BaseModel, ValidationError

from dhsync.model.errors import InvalidInputError
from dhsync.model.refs import require_name
from dhsync.specs.dhcore import spec_schema, spec_validator


def check_name(value: object, what: str) -> str:
    """A DHCore slug (`^[a-zA-Z0-9._+-]+$`, at most 256 characters)."""
    return require_name(value, what)


def check_uuid4(value: object, what: str) -> str:
    """A uuid4 written as 32 hex digits or in the dashed form; kept as given."""
    text = value if isinstance(value, str) else ""
    try:
        parsed = uuid_module.UUID(text)
    except ValueError:
        parsed = None
    canonical = parsed is not None and text.lower() in (parsed.hex, str(parsed))
    if parsed is None or not canonical or parsed.version != 4:
        raise InvalidInputError(
            f"{what} {value!r} is not a valid uuid4; omit it to get a new one, or give e.g. "
            f"`{uuid_module.uuid4()}`"
        )
    return text


def check_labels(value: object, what: str) -> list[str] | None:
    if value is None:
        return None
    if isinstance(value, str) or not isinstance(value, Sequence) or \
            not all(isinstance(item, str) and item for item in value):
        raise InvalidInputError(f"{what} must be a list of non-empty strings, e.g. ['team-a'], got {value!r}")
    return list(value)


def refuse_unknown(given: Iterable[str], known: Iterable[str], what: str) -> None:
    """InvalidInputError naming the first field that is not in `known`, with the closest known ones."""
    known_set = sorted(set(known))
    for field in given:
        if field in known_set:
            continue
        close = difflib.get_close_matches(field, known_set, n=3, cutoff=0.6)
        hint = f"did you mean {', '.join(f'`{c}`' for c in close)}? " if close else ""
        raise InvalidInputError(
            f"`{field}` is not a field of {what}; {hint}known fields: {', '.join(known_set)}. "
            "dhsync refuses unknown fields instead of dropping them"
        )


def drop_none(values: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


def validate_model(model: type[BaseModel], data: Mapping[str, Any], what: str) -> None:
    """Check `data` against one of dhsync's pydantic spec models; the first problem is reported."""
    try:
        model.model_validate(dict(data))
    except ValidationError as exc:
        raise InvalidInputError(f"{what} is invalid: {format_validation_error(exc)}") from None


def format_validation_error(exc: ValidationError) -> str:
    problems = []
    for err in exc.errors()[:3]:
        where = ".".join(str(part) for part in err["loc"])
        problems.append(f"{where}: {err['msg']}" if where else str(err["msg"]))
    more = len(exc.errors()) - len(problems)
    return "; ".join(problems) + (f" (and {more} more)" if more > 0 else "")


def schema_fields(kind: str) -> frozenset[str] | None:
    """The spec fields DHCore 0.15's published schema of `kind` has; None when it publishes none."""
    schema = spec_schema(kind)
    if schema is None:
        return None
    return frozenset(schema.get("properties", {}))


def validate_schema(kind: str, data: Mapping[str, Any], what: str) -> None:
    """Check `data` against DHCore 0.15's schema of `kind`, when there is one."""
    validator = spec_validator(kind)
    if validator is None:
        return
    errors = sorted(validator.iter_errors(dict(data)), key=lambda e: list(map(str, e.absolute_path)))
    if errors:
        first = errors[0]
        where = ".".join(str(part) for part in first.absolute_path)
        raise InvalidInputError(f"{what} is invalid: {where + ': ' if where else ''}{first.message}")
