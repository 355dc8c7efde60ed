"""Turning pydantic and JSON Schema errors into issues a user can act on."""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass
from typing import Any

from jsonschema import ValidationError as SchemaError
from pydantic import BaseModel
from pydantic_core import ErrorDetails

from dhsync.model.diagnostics import Severity
from dhsync.model.entities import USER_METADATA
from dhsync.model.refs import NAME_PATTERN, name_problem
from dhsync.specs.models.common import QUANTITY_PATTERN
from dhsync.specs.suggest import did_you_mean

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Issue:
    """A problem in one document of a file, located by field path; the loader adds line and column."""

    code: str
    message: str
    doc: int
    path: Path = ()
    suggestion: str | None = None
    at_key: bool = False
    severity: Severity = Severity.ERROR


_TYPE_NAMES = {str: "a string", int: "an integer", float: "a number", bool: "true or false",
               dict: "a mapping", list: "a list", type(None): "nothing (null)"}
_EXPECTED = {"string_type": "a string", "int_type": "an integer", "bool_type": "true or false",
             "float_type": "a number", "dict_type": "a mapping", "list_type": "a list",
             "model_type": "a mapping", "model_attributes_type": "a mapping", "int_from_float": "an integer"}


def describe(value: Any) -> str:
    for python_type, text in _TYPE_NAMES.items():
        if type(value) is python_type:
            return text
    return type(value).__name__


def from_pydantic(err: ErrorDetails, doc: int, model: type[BaseModel]) -> Issue:
    path: Path = tuple(err["loc"])
    kind, value = err["type"], err.get("input")
    field = str(path[-1]) if path else "document"
    if kind == "extra_forbidden":
        hint = did_you_mean(field, allowed_keys(model, path[:-1]))
        if hint is None and len(path) == 1:  # `description:` at the top instead of under metadata
            hint = did_you_mean(field, [f"metadata.{k}" for k in USER_METADATA]) or \
                did_you_mean(f"metadata.{field}", [f"metadata.{k}" for k in USER_METADATA])
        return Issue("unknown-field", f"unknown field `{field}`", doc, path, hint, at_key=True)
    if kind == "missing":
        return Issue("missing-field", f"missing required field `{field}`", doc, path)
    if kind in _EXPECTED:
        return Issue("wrong-type", f"`{field}` must be {_EXPECTED[kind]}, not {describe(value)}", doc, path)
    if kind == "literal_error":
        allowed = str(err.get("ctx", {}).get("expected", ""))
        options = [o.strip(" '") for o in allowed.replace(" or ", ",").split(",") if o.strip()]
        return Issue("bad-value", f"`{field}` is `{value}`; expected one of {allowed}", doc, path,
                     did_you_mean(str(value), options))
    pattern = str(err.get("ctx", {}).get("pattern", ""))
    if (kind == "string_pattern_mismatch" and pattern == NAME_PATTERN) or (kind == "string_too_long"
                                                                          and field in ("name", "project")):
        return Issue("bad-name", f"invalid name: {name_problem(str(value))}", doc, path)
    if kind == "string_pattern_mismatch":
        return _pattern_issue(field, value, pattern, doc, path)
    if kind == "value_error":
        return Issue("bad-value", err["msg"].removeprefix("Value error, "), doc, path)
    return Issue("bad-value", f"`{field}`: {err['msg'][0].lower()}{err['msg'][1:]}", doc, path)


def _pattern_issue(field: str, value: Any, pattern: str, doc: int, path: Path) -> Issue:
    if pattern == QUANTITY_PATTERN:
        return Issue("bad-quantity", f"`{field}` is `{value}`, which DHCore rejects: a quantity is digits and "
                     "an optional unit, no spaces, signs or fractions", doc, path, "e.g. `500m`, `2`, `512Mi`, `2Gi`")
    if field == "schedule":
        return Issue("bad-cron", f"`{value}` is not a cron schedule DHCore accepts", doc, path,
                     "five fields `minute hour day month weekday` (e.g. `0 3 * * *`) or @hourly, @daily, "
                     "@weekly, @monthly, @yearly")
    return Issue("bad-value", f"`{field}` is `{value}`, which does not match {pattern}", doc, path)


def from_schema(err: SchemaError, doc: int, prefix: Path) -> Issue:
    path = prefix + tuple(err.absolute_path)
    field = str(path[-1]) if path else "spec"
    if err.validator == "required":
        missing = str(err.message).split("'")[1] if "'" in err.message else field
        return Issue("missing-field", f"missing required field `{missing}`", doc, (*path, missing))
    if err.validator == "type":
        return Issue("wrong-type", f"`{field}` must be of type {err.validator_value}, not {describe(err.instance)}",
                     doc, path)
    return Issue("bad-value", f"`{field}`: {err.message}", doc, path)


def allowed_keys(model: type[BaseModel], loc: Path) -> list[str]:
    """The field names a model accepts at `loc` (for did-you-mean on unknown fields)."""
    annotation: Any = model
    for part in loc:
        annotation = _step(_unwrap(annotation), part)
        if annotation is None:
            return []
    annotation = _unwrap(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [*annotation.model_fields, *(f.alias for f in annotation.model_fields.values() if f.alias)]
    return []


def _unwrap(annotation: Any) -> Any:
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            members = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(members) != 1:
                return annotation
            annotation = members[0]
        else:
            return annotation


def _step(annotation: Any, part: str | int) -> Any:
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if isinstance(part, int):
        return args[0] if origin is list and args else None
    if origin is dict and len(args) == 2:
        return args[1]
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        field = annotation.model_fields.get(part)
        return field.annotation if field is not None else None
    return None
