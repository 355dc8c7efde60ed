"""Input checks and error messages shared by every backend.

Everything here runs before a backend writes, so a refused call changes nothing. Messages name the
project, the entity type, the identifier and what to do next.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import orjson

from dhsync.model.errors import ConflictError, InvalidInputError, NotFoundError

# DHCore's PAGE_MAX_SIZE: larger pages are refused with 400 "max page size exceeded".
PAGE_MAX_SIZE = 1000
# Run kinds may hold `:` (`python+job:run`), unlike other slugs.
_RUN_KIND_RE = re.compile(r"^[a-zA-Z0-9._+\-:]+$")

_HINTS = {
    "project": "create it first (get_or_create_project, or `dhsync apply` for the project in dhsync.yaml)",
    "function": "check the name or version id; list_functions(project, versions='all') shows them",
    "task": "check the task id; list_tasks(project, function=...) shows a function's tasks",
    "run": "check the run id; list_runs(project) shows them",
}


def not_found(entity_type: str, identifier: str, project: str | None = None) -> NotFoundError:
    return NotFoundError(entity_type, identifier, project, hint=_HINTS.get(entity_type))


def duplicated(entity_type: str, identifier: str, project: str) -> ConflictError:
    # The wording starts like DHCore's 400 "Duplicated entity function:<id>." so callers that match
    # on it (the SDK does) behave alike on both backends.
    return ConflictError(
        f"Duplicated entity {entity_type}:{identifier}: a {entity_type} with id `{identifier}` already "
        f"exists (project `{project}`); omit the id to get a new one, or update the existing {entity_type}"
    )


def require_run_kind(value: object, project: str) -> str:
    if not isinstance(value, str) or not _RUN_KIND_RE.match(value):
        raise InvalidInputError(
            f"run kind {value!r} in project `{project}` is invalid; "
            f"use `<task-kind>:run`, e.g. `python+job:run`"
        )
    return value


def require_mapping(value: object, what: str, project: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        got = type(value).__name__
        raise InvalidInputError(f"{what} in project `{project}` must be a mapping, got {got}")
    return dict(value)


def check_project_field(body: Mapping[str, Any], project: str, what: str) -> None:
    given = body.get("project")
    if given is not None and given != project:
        raise InvalidInputError(
            f"{what} says project `{given}` but is written to project `{project}`; fix its `project` field"
        )


def check_paging(page: int, size: int) -> None:
    if page < 0:
        raise InvalidInputError(f"page {page} is invalid; pages start at 0")
    if not 1 <= size <= PAGE_MAX_SIZE:
        raise InvalidInputError(f"page size {size} is invalid; use 1 to {PAGE_MAX_SIZE}")


def plain_json(entity: Mapping[str, Any], what: str) -> dict[str, Any]:
    """A deep copy holding only JSON values, so every backend stores and returns the same thing."""
    try:
        copied = orjson.loads(orjson.dumps(entity))
    except (TypeError, orjson.JSONEncodeError) as exc:
        raise InvalidInputError(
            f"{what} holds a value that is not plain JSON ({exc}); use str/int/float/bool/list/dict"
        ) from exc
    if not isinstance(copied, dict):
        raise InvalidInputError(f"{what} must be a mapping")
    return copied


def orphan_conflict(what: str, project: str, tasks: int, runs: int,
                    flag: str = "cascade=True") -> ConflictError:
    parts = []
    if tasks:
        parts.append(f"{tasks} task{'s' if tasks != 1 else ''}")
    if runs:
        parts.append(f"{runs} run{'s' if runs != 1 else ''}")
    return ConflictError(
        f"{what} in project `{project}` still has {' and '.join(parts)}; nothing was deleted. "
        f"Delete with {flag} to remove them too, or delete them first"
    )


def project_not_empty(name: str, functions: int, tasks: int, runs: int) -> ConflictError:
    return ConflictError(
        f"project `{name}` still has {functions} function versions, {tasks} tasks and {runs} runs; "
        f"nothing was deleted. Delete with cascade=True to remove them too"
    )
