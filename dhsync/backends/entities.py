"""Build and update entities exactly as DHCore fills its server-owned fields.

Pure functions: a body in, a stored dict out. Backends look up what a body references (the function of
a task, the task of a run) and pass it in, so the same rules hold for memory, sqlite and later stores.
Output keys follow the SDK's export order (kind, metadata, spec, status, user, project, name, id, key).
"""

from __future__ import annotations

import getpass
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from dhsync.backends.checks import (
    check_project_field,
    plain_json,
    require_mapping,
    require_run_kind,
)
from dhsync.backends.naming import version_name
from dhsync.model.errors import ConflictError, InvalidInputError
from dhsync.model.kinds import split_task_kind
from dhsync.model.refs import (
    FunctionRef,
    TaskRef,
    function_key,
    parse_function_ref,
    parse_task_ref,
    project_key,
    require_name,
    run_key,
    task_key,
)
from dhsync.model.runstate import FINAL_STATES

Clock = Callable[[], datetime]
CREATED = "CREATED"
# DHCore's RunState plus the SDK's State enum: the SDK refuses to parse any other state.
KNOWN_STATES: frozenset[str] = frozenset({
    "BUILT", "CANCELLED", "COMPLETED", "CREATED", "CREATING", "DELETED", "DELETING", "ERROR", "FSM_ERROR",
    "IDLE", "NONE", "ONLINE", "PENDING", "READY", "RESUME", "RUN_ERROR", "RUNNING", "STOP", "STOPPED",
    "SUCCESS", "UNKNOWN", "UPLOADING",
})


def utc_now() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    # Fixed width (always microseconds, always +00:00) so that text order is time order in SQL.
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def current_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # containers without a passwd entry or USER variable
        return "unknown"


@dataclass(frozen=True)
class Stamp:
    """Who writes and when: one per backend call, so every row of a call shares it."""

    now: str
    user: str

    @classmethod
    def take(cls, clock: Clock, user: str) -> Stamp:
        return cls(iso(clock()), user)


def new_id(body: Mapping[str, Any], what: str, project: str) -> str:
    given = body.get("id")
    if given is None or given == "":
        return uuid.uuid4().hex
    return require_name(given, f"{what} id", project)


def _metadata(given: Any, project: str, name: str, stamp: Stamp, what: str,
              created: Mapping[str, Any] | None = None) -> dict[str, Any]:
    meta = require_mapping(given, f"{what} metadata", project)
    meta.update(project=project, name=name, updated=stamp.now, updated_by=stamp.user)
    first = created or {"created": stamp.now, "created_by": stamp.user}
    meta["created"] = first.get("created", stamp.now)
    meta["created_by"] = first.get("created_by", stamp.user)
    return meta


def _ordered(kind: str, metadata: dict[str, Any] | None, spec: dict[str, Any], status: dict[str, Any] | None,
             user: str, project: str, name: str, id_: str, key: str) -> dict[str, Any]:
    out: dict[str, Any] = {"kind": kind}
    if metadata is not None:
        out["metadata"] = metadata
    out["spec"] = spec
    if status is not None:
        out["status"] = status
    out.update(user=user, project=project, name=name, id=id_, key=key)
    return out


# --- projects -------------------------------------------------------------------------------------

def new_project(body: Mapping[str, Any], stamp: Stamp) -> dict[str, Any]:
    data = plain_json(body, "project")
    name = require_name(data.get("name") or data.get("id"), "project name", None)
    meta = _metadata(data.get("metadata"), name, name, stamp, "project")
    spec = require_mapping(data.get("spec"), "project spec", name)
    key = project_key(name)
    return _ordered("project", meta, spec, {"state": CREATED}, stamp.user, name, name, name, key)


# --- functions ------------------------------------------------------------------------------------

def new_function(project: str, body: Mapping[str, Any], stamp: Stamp) -> dict[str, Any]:
    data = plain_json(body, "function")
    name = require_name(data.get("name"), "function name", project)
    kind = require_name(data.get("kind"), f"kind of function `{name}`", project)
    id_ = new_id(data, f"function `{name}`", project)
    meta = _metadata(data.get("metadata"), project, name, stamp, f"function `{name}`")
    if not meta.get("version") or meta.get("version") == id_:
        meta["version"] = version_name()
    spec = require_mapping(data.get("spec"), f"spec of function `{name}`", project)
    key = function_key(project, kind, name, id_)
    return _ordered(kind, meta, spec, {"state": CREATED}, stamp.user, project, name, id_, key)


def _check_same(stored: Mapping[str, Any], data: Mapping[str, Any], field: str, what: str) -> None:
    given = data.get(field)
    if given is not None and given != stored[field]:
        raise InvalidInputError(
            f"{what} in project `{stored['project']}` has {field} `{stored[field]}`, the update says "
            f"`{given}`; {field} cannot change: create a new entity instead"
        )


def updated_function(stored: Mapping[str, Any], body: Mapping[str, Any], stamp: Stamp) -> dict[str, Any]:
    """DHCore's PUT: metadata and status change in place; the spec given is ignored (a spec change is a
    new version)."""
    data = plain_json(body, "function")
    what = f"function `{stored['name']}` version `{stored['id']}`"
    for field in ("name", "kind"):
        _check_same(stored, data, field, what)
    # A body without metadata keeps the stored one: an update of the status alone must not wipe labels.
    given = data.get("metadata")
    given = stored["metadata"] if given is None else given  # absent or null: keep labels and description
    meta = _metadata(given, stored["project"], stored["name"], stamp, what, stored["metadata"])
    meta["version"] = stored["metadata"]["version"]
    status = require_mapping(data.get("status"), f"status of {what}", stored["project"]) or stored["status"]
    return {**stored, "metadata": meta, "status": status}


# --- tasks ----------------------------------------------------------------------------------------

def task_function_ref(project: str, body: Mapping[str, Any]) -> FunctionRef:
    """The function version a task body points at, checked for shape before any lookup."""
    check_project_field(body, project, "task")
    kind = require_name(body.get("kind"), "task kind", project)
    spec = require_mapping(body.get("spec"), f"spec of task `{kind}`", project)
    text = spec.get("function")
    ref = parse_function_ref(text) if isinstance(text, str) else None
    if ref is None or ref.id is None:
        raise InvalidInputError(
            f"task `{kind}` in project `{project}` has spec.function {text!r}; it must reference one "
            f"function version as `<kind>://<project>/<name>:<version-id>`"
        )
    if ref.project != project:
        raise InvalidInputError(
            f"task `{kind}` in project `{project}` references function `{text}` of project `{ref.project}`; "
            f"a task can only use a function of its own project"
        )
    return ref


def check_task_function(kind: str, ref: FunctionRef, function: Mapping[str, Any]) -> None:
    project = function["project"]
    if function["name"] != ref.name or function["kind"] != ref.kind:
        raise InvalidInputError(
            f"task `{kind}` in project `{project}` references `{ref}` but version `{ref.id}` is function "
            f"`{function['kind']}://{project}/{function['name']}`; fix spec.function"
        )
    split = split_task_kind(kind)
    if split is not None and split[0] != function["kind"]:
        raise InvalidInputError(
            f"task kind `{kind}` does not belong to function `{function['name']}` of kind "
            f"`{function['kind']}` (project `{project}`); use `{function['kind']}+<action>`"
        )


def new_task(project: str, body: Mapping[str, Any], function: Mapping[str, Any],
             stamp: Stamp) -> dict[str, Any]:
    data = plain_json(body, "task")
    kind = require_name(data.get("kind"), "task kind", project)
    id_ = new_id(data, f"task `{kind}`", project)
    spec = require_mapping(data.get("spec"), f"spec of task `{kind}`", project)
    spec["function"] = function_ref_of(function)
    # DHCore 0.15 tasks have no metadata and no status: like DHCore, drop what a caller sends (the SDK
    # sends both), so a plan means the same against this backend as against DHCore.
    return _ordered(kind, None, spec, None, stamp.user, project, id_, id_, task_key(project, kind, id_))


def updated_task(stored: Mapping[str, Any], body: Mapping[str, Any]) -> dict[str, Any]:
    """DHCore's task PUT: the spec is replaced, spec.function stays pinned to the stored version."""
    data = plain_json(body, "task")
    what = f"task `{stored['id']}`"
    _check_same(stored, data, "kind", what)
    out = dict(stored)
    if data.get("spec") is not None:  # a body without a spec (a metadata update) keeps the stored one
        spec = require_mapping(data["spec"], f"spec of {what}", stored["project"])
        out["spec"] = {**spec, "function": stored["spec"]["function"]}
    return out  # metadata and status: DHCore 0.15 tasks have none (see new_task)


def function_ref_of(function: Mapping[str, Any]) -> str:
    return str(FunctionRef(function["kind"], function["project"], function["name"], function["id"]))


# --- runs -----------------------------------------------------------------------------------------

def run_task_ref(project: str, body: Mapping[str, Any]) -> TaskRef:
    check_project_field(body, project, "run")
    kind = require_run_kind(body.get("kind"), project)
    spec = require_mapping(body.get("spec"), f"spec of run `{kind}`", project)
    text = spec.get("task")
    ref = parse_task_ref(text) if isinstance(text, str) else None
    if ref is None:
        raise InvalidInputError(
            f"run `{kind}` in project `{project}` has spec.task {text!r}; it must reference a task as "
            f"`<task-kind>://<project>/<task-id>`"
        )
    if ref.project != project:
        raise InvalidInputError(
            f"run `{kind}` in project `{project}` references task `{text}` of project `{ref.project}`"
        )
    return ref


def check_run_task(ref: TaskRef, task: Mapping[str, Any]) -> None:
    if task["kind"] != ref.kind:
        raise InvalidInputError(
            f"run references `{ref}` but task `{ref.id}` (project `{ref.project}`) has kind "
            f"`{task['kind']}`; fix spec.task"
        )


def new_run(project: str, body: Mapping[str, Any], stamp: Stamp) -> dict[str, Any]:
    data = plain_json(body, "run")
    kind = require_run_kind(data.get("kind"), project)
    id_ = new_id(data, f"run `{kind}`", project)
    name = require_name(data.get("name") or id_, f"name of run `{id_}`", project)
    meta = _metadata(data.get("metadata"), project, name, stamp, f"run `{name}`")
    spec = require_mapping(data.get("spec"), f"spec of run `{name}`", project)
    key = run_key(project, kind, id_)
    out = _ordered(kind, meta, spec, {"state": CREATED}, stamp.user, project, name, id_, key)
    out["extensions"] = data.get("extensions") or []
    return out


def updated_run(stored: Mapping[str, Any], body: Mapping[str, Any], stamp: Stamp) -> dict[str, Any]:
    """Status and metadata change freely; the spec only while the run is still CREATED."""
    data = plain_json(body, "run")
    what = f"run `{stored['id']}`"
    project = stored["project"]
    _check_same(stored, data, "kind", what)
    out = dict(stored)
    spec = data.get("spec")
    if spec is not None and spec != stored["spec"]:
        state = stored["status"].get("state")
        if state != CREATED:
            raise ConflictError(
                f"{what} in project `{project}` is {state}; its spec can change only while CREATED. "
                f"Create a new run instead"
            )
        out["spec"] = {**require_mapping(spec, f"spec of {what}", project), "task": stored["spec"]["task"]}
    if data.get("status") is not None:
        out["status"] = _run_status(data["status"], what, project)
        _check_transition(str(stored["status"].get("state")), str(out["status"]["state"]), what, project)
    given = data.get("metadata")
    given = stored["metadata"] if given is None else given
    out["metadata"] = _metadata(given, project, stored["name"], stamp, what, stored["metadata"])
    return out


# A run that ended (model.runstate's final states) stays ended: DHCore only resumes a stopped run or
# deletes an ended one. And nothing goes back to CREATED, which would unseal its spec.
_FROM_ENDED = frozenset({"RESUME", "DELETING", "DELETED"})


def _check_transition(before: str, after: str, what: str, project: str) -> None:
    if before == after:
        return
    if after == CREATED or (before in FINAL_STATES and after not in _FROM_ENDED) or \
            (after == "RESUME" and before != "STOPPED"):
        raise ConflictError(
            f"{what} in project `{project}` is {before}; it cannot become {after}. "
            f"Create a new run to run it again"
        )


def _run_status(given: Any, what: str, project: str) -> dict[str, Any]:
    status = require_mapping(given, f"status of {what}", project)
    state = status.get("state")
    if state not in KNOWN_STATES:
        raise InvalidInputError(
            f"status.state {state!r} of {what} in project `{project}` is not a DigitalHub state; "
            f"use one of {', '.join(sorted(KNOWN_STATES))}"
        )
    return status
