"""Turning pydantic and JSON Schema errors into issues a user can act on."""

from __future__ import annotations

import types
import typing
from typing import Any

from jsonschema import ValidationError as SchemaError
from pydantic import BaseModel
from pydantic_core import ErrorDetails

from dhsync.model.entities import USER_METADATA
from dhsync.model.refs import NAME_PATTERN, name_problem
from dhsync.specs.issue import Issue, Path
from dhsync.specs.models.common import QUANTITY_PATTERN
from dhsync.specs.suggest import did_you_mean

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


def from_validation(errors: list[ErrorDetails], doc: int, model: type[BaseModel]) -> list[Issue]:
    """One issue per problem. A value no member of a union accepts is one issue (`must be a list or a
    mapping`), and pydantic's names for union members (`list[constrained-str]`) never reach the user."""
    through_union: dict[Path, list[tuple[Path, ErrorDetails]]] = {}
    plain: list[Issue] = []
    for err in errors:
        path, union_at = _user_path(model, tuple(err["loc"]))
        if union_at is None:
            plain.append(from_pydantic({**err, "loc": path}, doc, model))
        else:
            through_union.setdefault(path[:union_at], []).append((path, err))
    return plain + [issue for at, errs in through_union.items() for issue in _union_issues(at, errs, doc, model)]


def _union_issues(at: Path, errs: list[tuple[Path, ErrorDetails]], doc: int,
                  model: type[BaseModel]) -> list[Issue]:
    deeper = [(path, err) for path, err in errs if path != at or err["type"] not in _EXPECTED]
    if deeper:  # a member that fits the value's shape says what is wrong inside it
        return [from_pydantic({**err, "loc": path}, doc, model) for path, err in deeper]
    wanted = " or ".join(dict.fromkeys(_EXPECTED[err["type"]] for _, err in errs))
    return [Issue("wrong-type", f"`{_name(at)}` must be {wanted}, not {describe(errs[0][1].get('input'))}",
                  doc, at)]


def _user_path(model: type[BaseModel], loc: Path) -> tuple[Path, int | None]:
    """`loc` without the union-member tags pydantic puts in it, and where the first union was."""
    out: list[str | int] = []
    annotation: Any = model
    union_at: int | None = None
    for part in loc:
        annotation = _unwrap(annotation)
        if _is_union(annotation) and isinstance(part, str):
            union_at = len(out) if union_at is None else union_at
            annotation = _member(annotation, part)
            continue
        out.append(part)
        annotation = _step(annotation, part) if annotation is not None else None
    return tuple(out), union_at


def _is_union(annotation: Any) -> bool:
    return typing.get_origin(annotation) in (typing.Union, types.UnionType)


def _member(union: Any, tag: str) -> Any:
    """The member of `union` pydantic's tag names (`list[…]` is the list member), or None."""
    name = tag.split("[", 1)[0]
    for member in typing.get_args(union):
        origin = typing.get_origin(member) or member
        if getattr(origin, "__name__", None) == name:
            return member
    return None


def _name(path: Path) -> str:
    """The field a message names: `labels`, or `secrets[0]` for an item of a list."""
    last = max((i for i, part in enumerate(path) if isinstance(part, str)), default=None)
    if last is None:
        return "document"
    return str(path[last]) + "".join(f"[{part}]" for part in path[last + 1:])


def _yaml_value(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def from_pydantic(err: ErrorDetails, doc: int, model: type[BaseModel]) -> Issue:
    path: Path = tuple(err["loc"])
    kind, value = err["type"], err.get("input")
    field = str(path[-1]) if path else "document"
    if kind == "extra_forbidden":
        return _unknown_field(field, path, doc, model)
    if kind == "missing":
        return Issue("missing-field", f"missing required field `{field}`", doc, path)
    if kind in _EXPECTED:
        return Issue("wrong-type", f"`{_name(path)}` must be {_EXPECTED[kind]}, not {describe(value)}", doc, path)
    if kind == "literal_error":
        allowed = str(err.get("ctx", {}).get("expected", ""))
        options = [o.strip(" '") for o in allowed.replace(" or ", ",").split(",") if o.strip()]
        if isinstance(value, (dict, list)):
            return Issue("wrong-type", f"`{field}` must be one of {allowed}, not {describe(value)}", doc, path)
        return Issue("bad-value", f"`{field}` is `{_yaml_value(value)}`; expected one of {allowed}", doc, path,
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


def _unknown_field(field: str, path: Path, doc: int, model: type[BaseModel]) -> Issue:
    known = allowed_keys(model, path[:-1])
    hint = did_you_mean(field, known)
    if hint is None and len(path) == 1 and "metadata" in model.model_fields:  # `description:` at the top
        hint = did_you_mean(field, [f"metadata.{k}" for k in USER_METADATA]) or \
            did_you_mean(f"metadata.{field}", [f"metadata.{k}" for k in USER_METADATA])
    if hint is None and "metadata" not in model.model_fields and known:  # dhsync.yaml: few keys, list them
        hint = "known keys here: " + ", ".join(dict.fromkeys(known))
    return Issue("unknown-field", f"unknown field `{field}`", doc, path, hint, at_key=True)


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
