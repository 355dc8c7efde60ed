"""The `Function` object: one function version, its tasks, and running it."""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from dhsync.backends.base import Backend
from dhsync.model.errors import ConflictError, InvalidInputError, NotFoundError
from dhsync.model.refs import FunctionRef
from dhsync.sdk.checks import check_name
from dhsync.sdk.entity import EntityObject, iterate_pages
from dhsync.sdk.execution import hand_off
from dhsync.sdk.exports import SecretsNotExportedWarning, without_secrets, write_documents
from dhsync.sdk.function_spec import validate_function_spec
from dhsync.sdk.run import Run
from dhsync.sdk.run_spec import run_body, split_run_args
from dhsync.sdk.task import Task, build_task_spec, find_task, task_kind_of, user_fields

# Metadata the backend owns: never sent back, so it sets them as DHCore does.
_SERVER_METADATA = frozenset({"version", "created", "updated", "created_by", "updated_by"})


class Function(EntityObject):
    """A function version as the backend holds it (`kind, name, project, id, key, metadata, spec,
    status, user`), with the SDK's methods."""

    def __init__(self, entity: Mapping[str, Any], backend: Backend) -> None:
        self._backend = backend
        self._load(entity)

    @property
    def ref(self) -> str:
        """`<kind>://<project>/<name>:<id>`, how tasks and runs point at this version."""
        return str(FunctionRef(self.kind, self.project, self.name, self.id))

    def refresh(self) -> Function:
        self._load(self._backend.get_function(self.project, self.id))
        return self

    # --- saving ----------------------------------------------------------------------------------

    def save(self, update: bool = False) -> Function:
        """Store this function. `update=True` changes metadata in place (DHCore's PUT, see
        `update_function`); otherwise the version is created, and when its id exists already with a
        different spec, the changed spec becomes a new version (a new id) as DHCore versions specs."""
        if update:
            return self._update()
        check_name(self.name, "function name")
        validate_function_spec(self.kind, self.spec)
        stored = self._stored()
        if stored is not None and stored["spec"] == self.spec:
            raise ConflictError(
                f"function `{self.name}` version `{self.id}` already exists in project `{self.project}` with "
                "this spec; nothing was saved. Use save(update=True) to change its metadata")
        body = self._body(with_id=stored is None)
        self._load(self._backend.create_function(self.project, body))
        return self

    def _update(self) -> Function:
        stored = self._stored()
        if stored is None:
            raise NotFoundError("function", f"{self.name}:{self.id}", self.project)
        if stored["spec"] != self.spec:
            raise InvalidInputError(
                f"the spec of function `{self.name}` version `{self.id}` (project `{self.project}`) was "
                "changed; an update changes metadata only (a spec change is a new version): "
                "call save() instead")
        self._load(self._backend.update_function(self.project, self.id, self._body(with_id=True)))
        return self

    def _stored(self) -> dict[str, Any] | None:
        try:
            return self._backend.get_function(self.project, self.id)
        except NotFoundError:
            return None

    def _body(self, with_id: bool) -> dict[str, Any]:
        body: dict[str, Any] = {
            "kind": self.kind, "project": self.project, "name": self.name,
            "metadata": {k: v for k, v in self.metadata.items() if k not in _SERVER_METADATA},
            "spec": self.spec,
        }
        if with_id:
            body["id"] = self.id
        return body

    def export(self, filename: str | Path | None = None, *, include_secrets: bool = False) -> str:
        """Write this version and its tasks as YAML documents (default `<cwd>/functions-<id>.yaml`);
        `import_function` reads the file back. Returns the path written. Secret values are written as
        `(secret)`, with a SecretsNotExportedWarning naming them, unless `include_secrets=True`."""
        path = Path(filename) if filename is not None else Path.cwd() / f"functions-{self.id}.yaml"
        tasks = sorted(self.list_tasks(), key=lambda task: task.kind)  # stable files diff well in git
        documents = [self.to_dict(), *(task.to_dict() for task in tasks)]
        if not include_secrets:
            documents, hidden = without_secrets(documents)
            if hidden:
                warnings.warn(f"{path}: secret values are written as `(secret)` ({', '.join(hidden)}); importing "
                              "the file is refused until they are filled in. Pass include_secrets=True to "
                              "write them", SecretsNotExportedWarning, stacklevel=2)
        write_documents(path, documents)
        return str(path)

    # --- tasks -----------------------------------------------------------------------------------

    def new_task(self, action: str, **spec: Any) -> Task:
        kind = task_kind_of(self.kind, action)
        body_spec = build_task_spec(kind, self.ref, spec)
        existing = find_task(self._backend, self.project, self.ref, kind)
        if existing is not None:
            raise ConflictError(
                f"function `{self.name}` version `{self.id}` (project `{self.project}`) already has a "
                f"`{kind}` task (`{existing['id']}`); change it with update_task({action!r}, ...)")
        return Task(self._backend.create_task(self.project, self._task_body(kind, body_spec)), self._backend)

    def get_task(self, action: str) -> Task:
        return Task(self._task(task_kind_of(self.kind, action)), self._backend)

    def update_task(self, action: str, **spec: Any) -> Task:
        """Replace the spec of the task of `action` (DHCore's task PUT; the function stays pinned)."""
        kind = task_kind_of(self.kind, action)
        body_spec = build_task_spec(kind, self.ref, spec)
        task = self._task(kind)
        stored = self._backend.update_task(self.project, task["id"], self._task_body(kind, body_spec))
        return Task(stored, self._backend)

    def delete_task(self, action: str, cascade: bool = True) -> None:
        task = self._task(task_kind_of(self.kind, action))
        self._backend.delete_task(self.project, task["id"], cascade=cascade)

    def list_tasks(self) -> list[Task]:
        items = iterate_pages(lambda page, size: self._backend.list_tasks(
            self.project, function=self.ref, page=page, size=size))
        return [Task(item, self._backend) for item in items]

    def _task(self, kind: str) -> dict[str, Any]:
        task = find_task(self._backend, self.project, self.ref, kind)
        if task is None:
            raise NotFoundError("task", f"{kind} of function {self.name}:{self.id}", self.project)
        return task

    def _task_body(self, kind: str, spec: dict[str, Any]) -> dict[str, Any]:
        return {"kind": kind, "project": self.project, "spec": spec}

    # --- runs ------------------------------------------------------------------------------------

    def list_runs(self) -> list[Run]:
        items = iterate_pages(lambda page, size: self._backend.list_runs(
            self.project, function=self.ref, page=page, size=size))
        return [Run(item, self._backend) for item in items]

    def run(self, action: str, wait: bool = False, **kwargs: Any) -> Run:
        """Find or create the task of `action`, create the run and hand it to its runtime.

        Task arguments (resources, envs, node_selector, …) configure a task that does not exist yet.
        For an existing task they apply to this run only, in its spec, as DHCore's run specs allow:
        a run never rewrites a task that earlier runs were made from (use update_task for that).
        """
        kind = task_kind_of(self.kind, action)
        task_args, run_args = split_run_args(self.kind, action, kind, kwargs)
        placeholder = {"kind": kind, "project": self.project, "id": "pending"}
        run_body(self.to_dict(), placeholder, run_args, self.ref)  # refuse a bad run before any write
        task, overrides = self._task_for_run(kind, task_args)
        body = run_body(self.to_dict(), task, run_args, self.ref)
        body["spec"] = {**overrides, **body["spec"]}
        created = self._backend.create_run(self.project, body)
        run = Run(hand_off(self._backend, created), self._backend)
        return run.wait() if wait else run

    def _task_for_run(self, kind: str, task_args: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        """(the task, the task settings that differ from it and so go into this run's spec)."""
        existing = find_task(self._backend, self.project, self.ref, kind)
        if existing is not None and not task_args:
            return existing, {}
        spec = build_task_spec(kind, self.ref, task_args)  # checks the arguments in either case
        if existing is None:
            return self._backend.create_task(self.project, self._task_body(kind, spec)), {}
        stored = user_fields(existing["spec"])
        overrides = {k: v for k, v in user_fields(spec).items() if k != "function" and stored.get(k) != v}
        return existing, overrides
