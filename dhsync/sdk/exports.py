"""Export files: a function version and its tasks as YAML documents, in the SDK's shape, and back.

The first document is the function (`to_dict()`: kind, metadata, spec, status, user, project, name,
id, key), each further `---` document one of its tasks. The writer quotes every string a YAML 1.1 or
YAML 1.2 reader would take for something else (`1e5`, `0o17`, `yes`), so ids and labels come back as
the strings they were, whichever parser reads the file.

Secret values (envs marked `secret: true`, credentials by name or by look, as plans mask them) are written
as `(secret)` unless the caller asks for them; importing a file that still holds such a placeholder is
refused, since storing `(secret)` as a password would fail later and far from here.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from dhsync.backends.base import Backend
from dhsync.diff.secrets import mask_marked_envs
from dhsync.model.errors import ConflictError, DhsyncError, InvalidInputError, NotFoundError
from dhsync.model.kinds import EntityType, entity_type_of_kind, split_task_kind
from dhsync.model.redact import REDACTED
from dhsync.model.refs import FunctionRef, parse_function_ref
from dhsync.model.secret_values import hide
from dhsync.sdk.checks import check_name, format_validation_error
from dhsync.specs.models.documents import DOCUMENT_MODELS, GenericDocument
from dhsync.specs.yamlio import read_documents

_SERVER_TOP = ("status", "user", "key", "extensions")
_SERVER_METADATA = ("version", "created", "updated", "created_by", "updated_by")


class _Dumper(yaml.SafeDumper):
    """SafeDumper that also knows YAML 1.2 core scalars, so it quotes strings that look like them."""


_Dumper.add_implicit_resolver(
    "tag:yaml.org,2002:int", re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$"), list("-+0123456789"))
_Dumper.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)"
               r"|\.(?:nan|NaN|NAN))$"),
    list("-+0123456789."))


class SecretsNotExportedWarning(UserWarning):
    """An export left secret values out (`(secret)` stands in their place)."""


def _keep_secret_names(doc: Mapping[str, Any], shown: dict[str, Any]) -> None:
    """A task's `secrets` names the cluster secrets it mounts: names, not values, and the task needs them
    back on import (a plan masks them all the same)."""
    spec = doc.get("spec")
    if isinstance(spec, Mapping) and "secrets" in spec and isinstance(shown.get("spec"), dict):
        shown["spec"] = {**shown["spec"], "secrets": spec["secrets"]}


def placeholders(value: Any, path: str = "") -> list[str]:
    """The paths (`spec.envs[DB_PASSWORD].value`) of the strings in `value` that hold `(secret)`."""
    if isinstance(value, str):
        return [path] if REDACTED in value else []
    if isinstance(value, Mapping):
        return [p for k, v in value.items() for p in placeholders(v, f"{path}.{k}" if path else str(k))]
    if isinstance(value, list):
        return [p for i, item in enumerate(value) for p in placeholders(
            item, f"{path}[{item['name']}]" if isinstance(item, Mapping) and isinstance(item.get("name"), str)
            else f"{path}[{i}]")]
    return []


def without_secrets(documents: Sequence[Mapping[str, Any]]) -> tuple[list[dict[str, Any]], list[str]]:
    """The documents with their secret values replaced by `(secret)`, and where (`task python+job:
    spec.envs[DB_PASSWORD].value`)."""
    out, where = [], []
    for doc in documents:
        shown = mask_marked_envs(hide(doc))
        _keep_secret_names(doc, shown)
        out.append(shown)
        already = set(placeholders(doc))  # a value that held `(secret)` before is not one left out here
        where += [f"{doc.get('kind')}: {path}" for path in placeholders(shown) if path not in already]
    return out, where


def write_documents(path: Path, documents: Sequence[Mapping[str, Any]]) -> None:
    text = yaml.dump_all([dict(d) for d in documents], Dumper=_Dumper, sort_keys=False,
                         allow_unicode=True, default_flow_style=False, width=1_000_000)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def read_export(path: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """(function document, task documents) of an export file, each checked like the spec loader does."""
    docs = read_documents(path)
    if not docs:
        raise InvalidInputError(f"{path}: holds no document; an export starts with a function")
    for index, doc in enumerate(docs):
        _check_document(path, index, doc)
    hidden = [f"document {i}: {p}" for i, doc in enumerate(docs, start=1) for p in placeholders(doc)]
    if hidden:
        raise InvalidInputError(
            f"{path}: holds `{REDACTED}` where an export left a secret value out ({', '.join(hidden)}); nothing "
            "was imported. Write the real values in, or export again with include_secrets=True")
    function, tasks = docs[0], docs[1:]
    if entity_type_of_kind(str(function["kind"])) is not EntityType.FUNCTION:
        raise InvalidInputError(f"{path}: the first document is a `{function['kind']}`, not a function")
    for index, task in enumerate(tasks, start=2):
        if entity_type_of_kind(str(task["kind"])) is not EntityType.TASK:
            raise InvalidInputError(f"{path}: document {index} is a `{task['kind']}`; after the function an "
                                    "export holds only its tasks")
    return function, tasks


def _check_document(path: Path, index: int, doc: Any) -> None:
    where = f"{path}: document {index + 1}"
    if not isinstance(doc, dict) or not isinstance(doc.get("kind"), str):
        raise InvalidInputError(f"{where} is not an entity (a mapping with `kind`)")
    model = DOCUMENT_MODELS.get(doc["kind"], GenericDocument)
    try:
        model.model_validate(doc)
    except ValidationError as exc:
        detail = format_validation_error(exc)
        raise InvalidInputError(f"{where} ({doc['kind']}) is invalid: {detail}") from None


def user_owned(document: Mapping[str, Any]) -> dict[str, Any]:
    """The document without what a backend sets (status, user, key, audit and version metadata)."""
    out = {k: v for k, v in document.items() if k not in _SERVER_TOP}
    if isinstance(out.get("metadata"), Mapping):
        out["metadata"] = {k: v for k, v in out["metadata"].items() if k not in _SERVER_METADATA}
    return out


def import_export(backend: Backend, path: Path, reset_id: bool = False,
                  project: str | None = None) -> dict[str, Any]:
    """Create the function version and tasks of an export file; refused before any write when the file
    is invalid, its project is missing, or its ids exist already."""
    function, tasks = read_export(path)
    body = user_owned(function)
    name = check_name(body.get("name"), f"{path}: function name")
    target = check_name(body.get("project"), f"{path}: project of function `{name}`")
    if project is not None and target != project:
        raise InvalidInputError(f"{path}: function `{name}` belongs to project `{target}`, not `{project}`")
    backend.get_project(target)
    old_ref = FunctionRef(str(body["kind"]), target, name, body.get("id"))
    if reset_id:
        body.pop("id", None)
    else:
        _refuse_existing_function(backend, target, name, body.get("id"), path)
    task_bodies = [_task_body(path, old_ref, user_owned(t), reset_id) for t in tasks]
    _refuse_existing_tasks(backend, target, task_bodies, reset_id)
    stored = backend.create_function(target, body)
    try:
        new_ref = str(FunctionRef(stored["kind"], target, name, stored["id"]))
        for task in task_bodies:
            backend.create_task(target, {**task, "spec": {**task["spec"], "function": new_ref}})
    except BaseException:  # Ctrl-C too: a version without its tasks would block a re-import
        with contextlib.suppress(DhsyncError):
            backend.delete_function(target, stored["id"], cascade=True)
        raise
    return stored


def _refuse_existing_function(backend: Backend, project: str, name: str, id_: Any, path: Path) -> None:
    if id_ is None:
        return
    try:
        backend.get_function(project, str(id_))
    except NotFoundError:
        return
    raise ConflictError(
        f"function `{name}` version `{id_}` already exists in project `{project}`; nothing was imported. "
        "Delete that version first, or import with reset_id=True to make the file a new version")


def _task_body(path: Path, ref: FunctionRef, task: dict[str, Any], reset_id: bool) -> dict[str, Any]:
    split = split_task_kind(str(task["kind"]))
    target = (task.get("spec") or {}).get("function")
    pointed = parse_function_ref(str(target or ""))
    if split is None or split[0] != ref.kind or pointed is None or \
            (pointed.project, pointed.name, pointed.id) != (ref.project, ref.name, ref.id):
        raise InvalidInputError(
            f"{path}: task `{task.get('id', task['kind'])}` belongs to `{target}`, "
            f"not to the function of this file (`{ref}`)")
    if reset_id:
        task.pop("id", None)
        task.pop("name", None)
    return task


def _refuse_existing_tasks(backend: Backend, project: str, tasks: list[dict[str, Any]],
                           reset_id: bool) -> None:
    kinds = [t["kind"] for t in tasks]
    for kind in set(kinds):
        if kinds.count(kind) > 1:
            raise InvalidInputError(f"the file holds {kinds.count(kind)} `{kind}` tasks; a function version "
                                    "has one task per kind")
    for task in tasks:
        if reset_id or task.get("id") is None:
            continue
        try:
            backend.get_task(project, str(task["id"]))
        except NotFoundError:
            continue
        raise ConflictError(
            f"task `{task['id']}` already exists in project `{project}`; nothing was imported")
