"""The DigitalHub SDK's function API: new, get, list, update, delete, import.

Every function takes a keyword-only ``backend`` (a Backend or a URL); without it the backend is
chosen as `dhsync.sdk.context` describes. get/delete accept the three spellings in use:

- the documentation's: ``get_function(project="demo", entity_name="hello")`` (or ``entity_id=``),
  also with the project first: ``get_function("demo", entity_name="hello")``;
- SDK 0.15's: ``get_function("hello", project="demo", entity_id=...)``;
- a key: ``get_function("store://demo/function/python/hello:<id>")`` (without ``:<id>``: the latest).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

from dhsync.backends.base import Backend
from dhsync.model.errors import ConflictError, InvalidInputError, NotFoundError
from dhsync.sdk.checks import check_labels, check_name, check_uuid4
from dhsync.sdk.context import BackendArg, get_backend
from dhsync.sdk.entity import iterate_pages
from dhsync.sdk.exports import import_export
from dhsync.sdk.function import Function
from dhsync.sdk.function_spec import build_function_spec

_KEY_RE = re.compile(r"^store://(?P<project>[^/]+)/(?P<type>[^/]+)/(?P<kind>[^/]+)/(?P<name>[^:/]+)(?::(?P<id>.+))?$")


def new_function(project: str, name: str, kind: str, uuid: str | None = None, description: str | None = None,
                 labels: list[str] | None = None, git_source: str | None = None, *,
                 embedded: bool | None = None, backend: BackendArg = None, **kwargs: Any) -> Function:
    """Create a function version; `kwargs` are its spec (per kind: code_src/code/base64/handler/…,
    python_version, requirements, image, base_image, command, …)."""
    check_name(project, "project name")
    check_name(name, "function name")
    check_name(kind, f"kind of function `{name}`")
    metadata: dict[str, Any] = {"project": project, "name": name}
    if description is not None:
        metadata["description"] = description
    if (checked := check_labels(labels, f"labels of function `{name}`")) is not None:
        metadata["labels"] = checked
    if embedded is not None:
        metadata["embedded"] = embedded
    body: dict[str, Any] = {"kind": kind, "project": project, "name": name, "metadata": metadata,
                            "spec": build_function_spec(kind, kwargs, git_source, Path.cwd())}
    if uuid is not None:
        body["id"] = check_uuid4(uuid, f"uuid of function `{name}`")
    store = get_backend(backend)
    store.get_project(project)
    return Function(store.create_function(project, body), store)


def get_function(identifier: str | None = None, project: str | None = None, *, entity_name: str | None = None,
                 entity_id: str | None = None, backend: BackendArg = None) -> Function:
    """By name the latest version, by id that version (see the module docstring for the spellings)."""
    project, entity_name, entity_id = _identify(identifier, project, entity_name, entity_id)
    store = get_backend(backend)
    if entity_id is not None:
        found = _by_id(store, project, entity_id)
        if entity_name is not None and found["name"] != entity_name:
            raise NotFoundError("function", f"{entity_name}:{entity_id}", project)
        return Function(found, store)
    if entity_name is None:
        raise InvalidInputError(
            "get_function needs entity_name (the latest version) or entity_id (one version)")
    page = store.list_functions(project, name=check_name(entity_name, "function name"), page=0, size=1)
    if not page.items:
        store.get_project(project)  # an unknown project is the better message
        raise NotFoundError("function", entity_name, project)
    return Function(page.items[0], store)


def get_function_versions(identifier: str | None = None, project: str | None = None, *,
                          entity_name: str | None = None, backend: BackendArg = None) -> list[Function]:
    """Every version of a function, newest first."""
    project, entity_name, _ = _identify(identifier, project, entity_name, None)
    if entity_name is None:
        raise InvalidInputError("get_function_versions needs entity_name")
    found = list_functions(project, versions="all", name=entity_name, backend=backend)
    if not found:
        raise NotFoundError("function", entity_name, project)
    return found


def list_functions(project: str, versions: Literal["latest", "all"] = "latest", kind: str | None = None,
                   labels: Sequence[str] | None = None, name: str | None = None, *,
                   backend: BackendArg = None) -> list[Function]:
    """The latest version of every function (`versions="all"`: every version), optionally filtered."""
    if versions not in ("latest", "all"):
        raise InvalidInputError(f"versions must be 'latest' or 'all', got {versions!r}")
    wanted = check_labels(labels, "labels filter") or []
    store = get_backend(backend)
    store.get_project(check_name(project, "project name"))
    items = iterate_pages(lambda page, size: store.list_functions(
        project, name=name, kind=kind, labels=wanted, versions=versions, page=page, size=size))
    return [Function(item, store) for item in items]


def update_function(function: Function) -> Function:
    """Change a version's metadata (description, labels …) in place, like DHCore's PUT."""
    return function.save(update=True)


def delete_function(identifier: str | None = None, project: str | None = None, *,
                    entity_name: str | None = None, entity_id: str | None = None,
                    delete_all_versions: bool = False, cascade: bool = True,
                    backend: BackendArg = None) -> None:
    """Delete one version or every version of a function.

    entity_id (or a key with an id): that version. entity_name: its latest version, the one
    get_function(entity_name=...) returns, as the DigitalHub documentation's example does; with
    delete_all_versions=True, every version of that name.
    """
    project, entity_name, entity_id = _identify(identifier, project, entity_name, entity_id)
    if delete_all_versions and entity_id is not None:
        raise InvalidInputError("delete_all_versions and entity_id are mutually exclusive: delete one "
                                "version by id, or every version by name")
    store = get_backend(backend)
    if entity_id is not None:
        if entity_name is not None:
            get_function(project=project, entity_name=entity_name, entity_id=entity_id, backend=store)
        store.delete_function(project, entity_id, cascade=cascade)
        return
    if entity_name is None:
        raise InvalidInputError("delete_function needs entity_id (one version) or entity_name with "
                                "delete_all_versions=True (every version)")
    if not delete_all_versions:
        latest = get_function(project=project, entity_name=entity_name, backend=store)
        store.delete_function(project, str(latest.id), cascade=cascade)
        return
    versions = get_function_versions(project=project, entity_name=entity_name, backend=store)
    if not cascade:
        _refuse_orphans(store, project, entity_name, versions)
    store.delete_function_versions(project, entity_name)


def import_function(file: str | Path, reset_id: bool = False, *, backend: BackendArg = None) -> Function:
    """Create the function version (and its tasks) of an export file; `reset_id` makes it a new version."""
    store = get_backend(backend)
    return Function(import_export(store, Path(file), reset_id), store)


def _identify(identifier: str | None, project: str | None, name: str | None,
              id_: str | None) -> tuple[str, str | None, str | None]:
    """(project, name, id): `identifier` is a key, the project (no `project=`) or the name (SDK 0.15)."""
    if isinstance(identifier, str) and identifier.startswith("store://"):
        return _from_key(identifier, project, name, id_)
    if project is None:
        if identifier is None:
            raise InvalidInputError("give the project (project=...), or a function key")
        return check_name(identifier, "project name"), name, id_
    if identifier is not None:
        if name is not None and name != identifier:
            raise InvalidInputError(f"the function is named twice (`{identifier}` and entity_name `{name}`)")
        name = identifier
    return check_name(project, "project name"), name, id_


def _from_key(key: str, project: str | None, name: str | None, id_: str | None) -> tuple[str, str, str | None]:
    match = _KEY_RE.match(key)
    if match is None or match["type"] != "function":
        raise InvalidInputError(f"`{key}` is not a function key (store://<project>/function/<kind>/<name>:<id>)")
    if name is not None or id_ is not None or project not in (None, match["project"]):
        raise InvalidInputError("give a function key or project/entity_name/entity_id, not both")
    return match["project"], match["name"], match["id"]


def _by_id(store: Backend, project: str, entity_id: str) -> dict[str, Any]:
    try:
        return store.get_function(project, entity_id)
    except NotFoundError:
        store.get_project(project)
        raise


def _refuse_orphans(store: Backend, project: str, name: str, versions: list[Function]) -> None:
    with_tasks = [v.id for v in versions if v.list_tasks()]
    if with_tasks:
        raise ConflictError(
            f"function `{name}` in project `{project}` has tasks on {len(with_tasks)} version(s); nothing "
            "was deleted. Delete with cascade=True to remove their tasks and runs too")
