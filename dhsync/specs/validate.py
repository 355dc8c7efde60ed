"""Checking one parsed document: its kind, the defaults of dhsync.yaml, its fields and their values.

The result is the document's user-owned content (server-owned fields set aside) plus its issues.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from pydantic import ValidationError

from dhsync.model.entities import SERVER_OWNED_METADATA, SERVER_OWNED_TOP_LEVEL
from dhsync.model.kinds import (
    BUILTIN_ACTIONS,
    RUN_SUFFIX,
    EntityType,
    entity_type_of_kind,
    run_kind,
    split_task_kind,
    task_kind,
)
from dhsync.model.refs import name_problem
from dhsync.specs import dhcore
from dhsync.specs.checked import Checked
from dhsync.specs.issue import Issue
from dhsync.specs.issues import describe, from_schema, from_validation
from dhsync.specs.models.config import Defaults
from dhsync.specs.models.documents import DOCUMENT_MODELS, PLUGIN_DOCUMENTS, DocumentBase, GenericDocument
from dhsync.specs.suggest import did_you_mean
from dhsync.specs.uniques import duplicate_items
from dhsync.specs.validate_kinds import Actions


def check_document(raw: Any, doc: int, defaults: Defaults,
                   actions: Actions = BUILTIN_ACTIONS) -> tuple[Checked | None, list[Issue]]:
    """`actions`: the actions of each function kind a runtime serves (cli.repo passes the runtimes')."""
    if not isinstance(raw, dict):
        return None, [Issue("not-a-mapping", f"a document must be a mapping with `kind`, `name` and `spec`, "
                            f"not {describe(raw)}", doc)]
    kind = raw.get("kind")
    if not isinstance(kind, str) or not kind:
        return None, [_kind_issue(kind, doc)]
    entity_type = entity_type_of_kind(kind)
    if entity_type is EntityType.PROJECT:
        return None, [Issue("project-document", "projects are declared in dhsync.yaml, not as documents", doc,
                            ("kind",), "remove this document and set `project:` in dhsync.yaml")]
    merged = _with_defaults(raw, getattr(defaults, entity_type.value, {}))
    model = DOCUMENT_MODELS.get(kind)
    if model is None and kind not in dhcore.known_kinds():
        model = _plugin_model(kind, entity_type, actions)
        if model is None:
            return None, [_unknown_kind(kind, doc, actions)]
    checked, issues = (_check_builtin(merged, doc, kind, entity_type, model) if model is not None
                       else _check_generic(merged, doc, kind, entity_type))
    repeated = duplicate_items(merged.get("spec"), doc)
    if repeated and checked is not None:
        checked = replace(checked, valid=False)  # kept for its references, like any document with errors
    return checked, issues + repeated


def _plugin_model(kind: str, entity_type: EntityType, actions: Actions) -> type[DocumentBase] | None:
    """The envelope of a kind that only a runtime (a plugin) serves: DHCore has no schema for its spec,
    so the spec is free; None when no runtime serves the kind (or not this action of it)."""
    if entity_type is EntityType.FUNCTION:
        served = kind in actions
    else:
        split = split_task_kind(kind.removesuffix(RUN_SUFFIX))
        served = split is not None and split[1] in actions.get(split[0], ())
    return PLUGIN_DOCUMENTS[entity_type] if served else None


def _unknown_kind(kind: str, doc: int, actions: Actions) -> Issue:
    function_kind, _, action = kind.removesuffix(RUN_SUFFIX).partition("+")
    served = actions.get(function_kind)
    if action and served:
        task_kinds = ", ".join(f"{function_kind}+{a}{RUN_SUFFIX if kind.endswith(RUN_SUFFIX) else ''}"
                               for a in served)
        return Issue("unknown-kind", f"`{function_kind}` functions have no action `{action}`", doc, ("kind",),
                     f"use one of {task_kinds}")
    choices = [*DOCUMENT_MODELS, *dhcore.known_kinds(), *_served_kinds(actions)]
    return Issue("unknown-kind", f"unknown kind `{kind}`: not a built-in kind and DHCore 0.15 has no schema "
                 "for it", doc, ("kind",), did_you_mean(kind, choices)
                 or "built-in kinds: python, container, dbt and their tasks/runs (python+job …)")


def _served_kinds(actions: Actions) -> list[str]:
    """Every function, task and run kind the runtimes serve (for a did-you-mean)."""
    return [k for fn, names in actions.items()
            for k in (fn, *(task_kind(fn, a) for a in names), *(run_kind(task_kind(fn, a)) for a in names))]


def _kind_issue(kind: Any, doc: int) -> Issue:
    if kind is None:
        return Issue("missing-kind", "missing `kind` (python, container, dbt, python+job, python+job:run …)",
                     doc, ("kind",))
    return Issue("wrong-type", f"`kind` must be a string, not {describe(kind)}", doc, ("kind",))


def _check_builtin(raw: dict[str, Any], doc: int, kind: str, entity_type: EntityType,
                   model: Any) -> tuple[Checked | None, list[Issue]]:
    try:
        parsed = model.model_validate(raw)
    except ValidationError as exc:
        issues = from_validation(exc.errors(include_url=False), doc, model)
        return _partial(raw, doc, kind, entity_type), issues
    content, set_aside = _user_owned(parsed.model_dump(exclude_none=True), entity_type)
    return Checked(doc, kind, entity_type, content, set_aside), []


def _check_generic(raw: dict[str, Any], doc: int, kind: str,
                   entity_type: EntityType) -> tuple[Checked | None, list[Issue]]:
    try:
        parsed = GenericDocument.model_validate(raw)
    except ValidationError as exc:
        issues = from_validation(exc.errors(include_url=False), doc, GenericDocument)
        return _partial(raw, doc, kind, entity_type), issues
    issues = _generic_spec_issues(parsed.spec, kind, doc)
    if entity_type is not EntityType.TASK and parsed.name is None:
        issues.append(Issue("missing-field", "missing required field `name`", doc, ("name",)))
    if issues:
        return _partial(raw, doc, kind, entity_type), issues
    content, set_aside = _user_owned(parsed.model_dump(exclude_none=True), entity_type)
    return Checked(doc, kind, entity_type, content, set_aside), []


def _generic_spec_issues(spec: dict[str, Any], kind: str, doc: int) -> list[Issue]:
    schema, validator = dhcore.spec_schema(kind), dhcore.spec_validator(kind)
    assert schema is not None and validator is not None
    known = set(schema.get("properties", {}))
    for part in schema.get("allOf", []):  # run schemas include their task's spec
        known |= set(part.get("properties", {}))
    if kind.endswith(":run") or "+" in kind:
        known.add("function")  # the reference dhsync resolves by name
    issues = [Issue("unknown-field", f"unknown field `{key}`", doc, ("spec", key), did_you_mean(key, known),
                    at_key=True) for key in spec if key not in known]
    for err in validator.iter_errors({k: v for k, v in spec.items() if k != "function" or "+" in kind}):
        if not (err.validator == "required" and "'task'" in err.message) and \
                not (err.validator == "required" and "'function'" in err.message):
            issues.append(from_schema(err, doc, ("spec",)))
    return issues


def _partial(raw: dict[str, Any], doc: int, kind: str, entity_type: EntityType) -> Checked:
    spec = raw.get("spec")
    content: dict[str, Any] = {"kind": kind, "spec": copy.deepcopy(spec) if isinstance(spec, dict) else {}}
    if isinstance(raw.get("name"), str):
        content["name"] = raw["name"]
    return Checked(doc, kind, entity_type, content, valid=False)


def _user_owned(content: dict[str, Any], entity_type: EntityType) -> tuple[dict[str, Any], tuple[str, ...]]:
    """Split off the fields a backend owns; they are never desired state.

    `content` is a fresh model dump that nothing else holds, so it is trimmed in place (keys keep their order).
    """
    set_aside = [key for key in SERVER_OWNED_TOP_LEVEL if key in content]
    for key in set_aside:
        del content[key]
    metadata = content.get("metadata")
    if isinstance(metadata, dict):
        owned = [key for key in SERVER_OWNED_METADATA if key in metadata]
        for key in owned:
            del metadata[key]
        set_aside += [f"metadata.{key}" for key in owned]
        if not metadata:
            del content["metadata"]
    if entity_type is EntityType.TASK and "name" in content:
        set_aside.append("name")  # a task's name is its id, which the backend assigns
        del content["name"]
    return content, tuple(sorted(set_aside))


def _with_defaults(raw: dict[str, Any], defaults: Mapping[str, Any]) -> dict[str, Any]:
    return _deep_merge(copy.deepcopy(dict(defaults)), raw) if defaults else raw


def _deep_merge(base: dict[str, Any], top: Mapping[str, Any]) -> dict[str, Any]:
    for key, value in top.items():
        if isinstance(value, Mapping) and isinstance(base.get(key), dict):
            base[key] = _deep_merge(base[key], value)
        else:
            base[key] = value
    return base


def name_issue(name: str, doc: int) -> Issue | None:
    problem = name_problem(name)
    return Issue("bad-name", f"invalid name: {problem}", doc, ("name",)) if problem else None
