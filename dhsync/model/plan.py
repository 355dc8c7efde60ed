"""The plan as data: what `make_plan` produces and what `render` and `apply` consume.

A Change is one planned step: an action on one identity, the normalised user-owned content before
and after (secrets masked), the changed fields, the reason, and for deletes what goes with it.
A Plan is the ordered changes plus the fingerprint of the actual state and the hash of the desired
state it was computed from; `apply` refuses a saved plan when either moved.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from dhsync.model.entities import Identity

FORMAT_VERSION = 1


class Action(StrEnum):
    """Closed: render and apply handle every member and nothing else."""

    CREATE = "create"
    NEW_VERSION = "new-version"
    UPDATE = "update"
    RECREATE = "recreate"
    DELETE = "delete"
    TRIGGER = "trigger"
    # a declared function that exists in the backend but was made outside dhsync (by hand, by the SDK): apply
    # takes it over (marks it managed, with a new version when its spec differs) only when told to
    ADOPT = "adopt"


class Reason(StrEnum):
    NOT_IN_BACKEND = "not-in-backend"
    SPEC_CHANGED = "spec-changed"
    METADATA_CHANGED = "metadata-changed"
    FUNCTION_NEW_VERSION = "function-new-version"
    NOT_DECLARED = "not-declared"
    NEVER_RUN = "never-run-before"
    FUNCTION_VERSION_CHANGED = "function-version-changed"
    TASK_CHANGED = "task-changed"
    DECLARATION_CHANGED = "declaration-changed"
    ALWAYS = "always"
    # apply only: a run an interrupted apply created and did not execute is executed now
    RESUMED = "resumed-interrupted-apply"
    MADE_OUTSIDE = "made-outside-dhsync"
    # the last run of a declaration on this version failed, and policies.retry_failed_runs is on
    RETRY_FAILED = "retry-failed-run"


class Blocked(StrEnum):
    """Why a change will not be applied unless the user overrides it (apply exits 5)."""

    PROTECTED = "protected"
    EMPTY_DESIRED = "empty-desired-set"
    # a delete that takes run history with it, planned without --cascade
    RUN_HISTORY = "takes-run-history"
    # taking over a function made outside dhsync, planned without --adopt
    NOT_MANAGED = "made-outside-dhsync"


class FieldChangeKind(StrEnum):
    ADDED = "added"
    REMOVED = "removed"
    CHANGED = "changed"


@dataclass(frozen=True)
class FieldChange:
    """One changed field, e.g. `spec.envs[MODE].value`; secret values are never kept (`secret=True`)."""

    path: str
    change: FieldChangeKind
    before: Any = None
    after: Any = None
    secret: bool = False


@dataclass(frozen=True)
class Dependents:
    """What a delete takes with it."""

    versions: int = 0
    tasks: int = 0
    runs: int = 0


@dataclass(frozen=True)
class Change:
    action: Action
    identity: Identity
    kind: str
    reason: Reason
    before: Mapping[str, Any] | None = None
    after: Mapping[str, Any] | None = None
    fields: tuple[FieldChange, ...] = ()
    dependents: Dependents | None = None
    blocked: Blocked | None = None
    # The changes (by identity) that must succeed before this one: a task needs its function's new
    # version, a run needs its function and task. apply skips a change whose requirement failed.
    requires: tuple[Identity, ...] = ()
    # tasks and runs: the function (by name) they belong to
    function: str | None = None

    @property
    def builds_version(self) -> bool:
        """Whether applying this change makes a new function version (its tasks are created on it)."""
        if self.action in (Action.CREATE, Action.NEW_VERSION):
            return True
        return self.action is Action.ADOPT and any(f.path == "kind" or f.path.startswith("spec")
                                                   for f in self.fields)


@dataclass(frozen=True)
class Degraded:
    """A declared run whose last execution on the current function version did not complete: the backend
    holds what the repository declares, but the run it declares failed (or never finished)."""

    name: str
    run: str
    state: str
    message: str = ""


@dataclass(frozen=True)
class SecretRules:
    """The repository's own secret rules (dhsync.yaml `secrets:`), beside the built-in ones."""

    # glob patterns of names (env names, parameter keys) whose values are always masked
    mask: tuple[str, ...] = ()
    # exact names the built-in rules would mask that the user says are not secrets
    show: tuple[str, ...] = ()


@dataclass(frozen=True)
class PlanOptions:
    prune: bool = False
    # prune even when the repository declares no function at all (--allow-empty, policies.allow_empty)
    allow_empty: bool = False
    select: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    ignore_changes: tuple[str, ...] = ()
    # glob patterns of function names never deleted (dhsync.yaml policies.protect)
    protect: tuple[str, ...] = ()
    # deletes may take run history with them (--cascade); protected functions may be deleted (--ignore-protect)
    cascade: bool = False
    ignore_protect: bool = False
    # declared runs an interrupted apply already triggered: an `always` trigger does not fire twice
    # for one logical apply
    resumed_triggers: frozenset[str] = frozenset()
    # functions of a declared name made outside dhsync may be taken over (--adopt, policies.adopt)
    adopt: bool = False
    # declared runs whose last execution failed are triggered again (policies.retry_failed_runs)
    retry_failed_runs: bool = False
    secrets: SecretRules = SecretRules()


@dataclass(frozen=True)
class Plan:
    project: str
    changes: tuple[Change, ...]
    actual_fingerprint: str
    desired_hash: str
    options: PlanOptions = PlanOptions()
    # functions dhsync created that the repository no longer declares, kept because pruning is off
    not_pruned: tuple[Identity, ...] = ()
    format_version: int = FORMAT_VERSION
    # where the plan was made (repository, backend URL); filled by the caller, not by make_plan
    source: Mapping[str, str] = field(default_factory=dict)
    # runs an interrupted apply created and did not execute (reason RESUMED, `before.run` their id):
    # apply executes them first. Read from apply's journal by the caller, not by make_plan.
    pending: tuple[Change, ...] = ()
    # declared runs whose last execution on the current version failed or never finished (not retried)
    degraded: tuple[Degraded, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.changes and not self.pending

    def blocked(self) -> tuple[Change, ...]:
        return tuple(c for c in self.changes if c.blocked is not None)
