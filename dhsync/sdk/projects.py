"""Projects: `get_or_create_project` and the `Project` object with the function API bound to it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

from dhsync.backends.base import Backend
from dhsync.model.errors import ConflictError, NotFoundError
from dhsync.sdk import functions as fn_api
from dhsync.sdk.checks import check_labels, check_name
from dhsync.sdk.context import BackendArg, get_backend
from dhsync.sdk.entity import EntityObject
from dhsync.sdk.exports import import_export
from dhsync.sdk.function import Function


class Project(EntityObject):
    """A project and the SDK's project-level function methods (the project argument is implied)."""

    def __init__(self, entity: Mapping[str, Any], backend: Backend) -> None:
        self._backend = backend
        self._load(entity)

    @property
    def backend(self) -> Backend:
        return self._backend

    def refresh(self) -> Project:
        self._load(self._backend.get_project(self.name))
        return self

    def new_function(self, name: str, kind: str, uuid: str | None = None, description: str | None = None,
                     labels: list[str] | None = None, git_source: str | None = None, *,
                     embedded: bool | None = None, **kwargs: Any) -> Function:
        return fn_api.new_function(self.name, name, kind, uuid, description, labels, git_source,
                                   embedded=embedded, backend=self._backend, **kwargs)

    def get_function(self, entity_name: str | None = None, entity_id: str | None = None) -> Function:
        """By name (the latest version), by id, or by a `store://` key given as the first argument."""
        if entity_name is not None and entity_name.startswith("store://"):
            return fn_api.get_function(entity_name, entity_id=entity_id, backend=self._backend)
        return fn_api.get_function(project=self.name, entity_name=entity_name, entity_id=entity_id,
                                   backend=self._backend)

    def get_function_versions(self, entity_name: str) -> list[Function]:
        return fn_api.get_function_versions(project=self.name, entity_name=entity_name, backend=self._backend)

    def list_functions(self, versions: Literal["latest", "all"] = "latest", kind: str | None = None,
                       labels: Sequence[str] | None = None) -> list[Function]:
        return fn_api.list_functions(self.name, versions, kind, labels, backend=self._backend)

    def update_function(self, function: Function) -> Function:
        return fn_api.update_function(function)

    def delete_function(self, entity_name: str | None = None, entity_id: str | None = None,
                        delete_all_versions: bool = False, cascade: bool = True) -> None:
        if entity_name is not None and entity_name.startswith("store://"):
            fn_api.delete_function(entity_name, entity_id=entity_id, delete_all_versions=delete_all_versions,
                                   cascade=cascade, backend=self._backend)
            return
        fn_api.delete_function(project=self.name, entity_name=entity_name, entity_id=entity_id,
                               delete_all_versions=delete_all_versions, cascade=cascade, backend=self._backend)

    def import_function(self, file: str | Path, reset_id: bool = False) -> Function:
        """Import an export file whose function belongs to this project."""
        stored = import_export(self._backend, Path(file), reset_id, project=self.name)
        return Function(stored, self._backend)


def get_project(name: str, *, backend: BackendArg = None) -> Project:
    store = get_backend(backend)
    return Project(store.get_project(check_name(name, "project name")), store)


def new_project(name: str, description: str | None = None, labels: list[str] | None = None, *,
                backend: BackendArg = None) -> Project:
    """Create a project; an existing name is refused by the backend (ConflictError)."""
    check_name(name, "project name")
    metadata: dict[str, Any] = {"project": name, "name": name}
    if description is not None:
        metadata["description"] = description
    if (checked := check_labels(labels, f"labels of project `{name}`")) is not None:
        metadata["labels"] = checked
    store = get_backend(backend)
    body = {"kind": "project", "name": name, "id": name, "metadata": metadata, "spec": {}}
    return Project(store.create_project(body), store)


def get_or_create_project(name: str, *, backend: BackendArg = None) -> Project:
    store = get_backend(backend)
    try:
        return get_project(name, backend=store)
    except NotFoundError:
        pass
    try:
        return new_project(name, backend=store)
    except ConflictError:  # another process created it between our two calls: theirs is ours too
        return get_project(name, backend=store)


def list_projects(*, backend: BackendArg = None) -> list[Project]:
    store = get_backend(backend)
    return [Project(item, store) for item in store.list_projects()]


def delete_project(name: str, cascade: bool = True, *, backend: BackendArg = None) -> None:
    """Delete a project; with cascade its functions, tasks and runs go too."""
    store = get_backend(backend)
    store.delete_project(check_name(name, "project name"), cascade=cascade)
