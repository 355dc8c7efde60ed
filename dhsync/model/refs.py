"""Names, references and keys in DigitalHub's formats.

- function reference: `<kind>://<project>/<name>[:<id>]` (a task's `spec.function`)
- task reference: `<task-kind>://<project>/<task-id>` (a run's `spec.task`)
- key: `store://<project>/<type>/<kind>/<name>:<id>` (functions) or `store://<project>/<type>/<kind>/<id>`
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dhsync.model.errors import InvalidInputError

NAME_PATTERN = r"^[a-zA-Z0-9._+-]+$"
NAME_RE = re.compile(NAME_PATTERN)
NAME_MAX_LENGTH = 256

_FUNCTION_REF_RE = re.compile(r"^(?P<kind>[a-zA-Z0-9._+-]+)://(?P<project>[^/]+)/(?P<name>[^:/]+)(?::(?P<id>.+))?$")
_TASK_REF_RE = re.compile(r"^(?P<kind>[a-zA-Z0-9._+-]+)://(?P<project>[^/]+)/(?P<id>[^/:]+)$")


def is_valid_name(name: str) -> bool:
    return 0 < len(name) <= NAME_MAX_LENGTH and NAME_RE.match(name) is not None


def name_problem(name: str) -> str | None:
    """Why `name` would be rejected by DHCore, or None when it is fine."""
    if not name:
        return "a name cannot be empty"
    if len(name) > NAME_MAX_LENGTH:
        return f"a name is at most {NAME_MAX_LENGTH} characters (this one has {len(name)})"
    if NAME_RE.match(name) is None:
        bad = sorted({ch for ch in name if not re.match(r"[a-zA-Z0-9._+-]", ch)})
        shown = " ".join(repr(ch) for ch in bad)
        return f"`{name}` has characters DHCore rejects ({shown}); use letters, digits, `.`, `_`, `+`, `-`"
    return None


def require_name(value: object, what: str, project: str | None = None) -> str:
    """`value` if it is a name DHCore accepts, else InvalidInputError naming what and where it is."""
    where = f" in project `{project}`" if project else ""
    if not isinstance(value, str):
        raise InvalidInputError(f"{what}{where} is missing or not a string (got {value!r}); set it")
    problem = name_problem(value)
    if problem is not None:
        raise InvalidInputError(f"{what}{where} is invalid: {problem}")
    return value


@dataclass(frozen=True)
class FunctionRef:
    kind: str
    project: str
    name: str
    id: str | None = None

    def __str__(self) -> str:
        suffix = f":{self.id}" if self.id else ""
        return f"{self.kind}://{self.project}/{self.name}{suffix}"


@dataclass(frozen=True)
class TaskRef:
    kind: str
    project: str
    id: str

    def __str__(self) -> str:
        return f"{self.kind}://{self.project}/{self.id}"


def parse_function_ref(text: str) -> FunctionRef | None:
    m = _FUNCTION_REF_RE.match(text)
    if m is None:
        return None
    return FunctionRef(m["kind"], m["project"], m["name"], m["id"])


def parse_task_ref(text: str) -> TaskRef | None:
    m = _TASK_REF_RE.match(text)
    if m is None:
        return None
    return TaskRef(m["kind"], m["project"], m["id"])


def function_key(project: str, kind: str, name: str, id_: str) -> str:
    return f"store://{project}/function/{kind}/{name}:{id_}"


def task_key(project: str, kind: str, id_: str) -> str:
    return f"store://{project}/task/{kind}/{id_}"


def run_key(project: str, kind: str, id_: str) -> str:
    return f"store://{project}/run/{kind}/{id_}"


def project_key(project: str) -> str:
    return f"store://{project}"
