"""Deletes: only of what dhsync marked, only when pruning, never silently past a protection rule.

A function the repository no longer declares is deleted when pruning is on and at least one of its
versions carries dhsync's mark; the delete takes the marked versions with their tasks and runs (the
dependents say how many). It is blocked when protected (the `dhsync/protect` label written from the
declaration, or a `policies.protect` pattern) or when the repository declares no function at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from fnmatch import fnmatchcase

from dhsync.diff.marks import is_protected
from dhsync.diff.secrets import mask
from dhsync.model.entities import Identity
from dhsync.model.kinds import EntityType
from dhsync.model.plan import Action, Blocked, Change, Dependents, PlanOptions, Reason
from dhsync.plan.actual import ActualIndex
from dhsync.plan.functions import actual_content


def protected(name: str, patterns: Sequence[str]) -> bool:
    return any(fnmatchcase(name, pattern) for pattern in patterns)


def dependents(name: str, index: ActualIndex) -> Dependents:
    versions = index.managed_versions(name)
    tasks = [task for fn in versions for task in index.tasks_of_version(fn)]
    runs = sum(index.runs_by_task.get(str(task["id"]), 0) for task in tasks)
    return Dependents(len(versions), len(tasks), runs)


def undeclared_managed(declared: set[str], index: ActualIndex) -> list[str]:
    return sorted(name for name in index.versions if name not in declared and index.managed_versions(name))


def blocked_by_history(runs: int, options: PlanOptions) -> Blocked | None:
    return Blocked.RUN_HISTORY if runs and not options.cascade else None


def plan_function_delete(name: str, project: str, index: ActualIndex, options: PlanOptions,
                         desired_empty: bool) -> Change:
    versions = index.managed_versions(name)
    latest = versions[0]
    taken = dependents(name, index)
    blocked = None
    if desired_empty:  # first: --ignore-protect must not let an emptied repository prune everything
        blocked = Blocked.EMPTY_DESIRED
    elif (protected(name, options.protect) or is_protected(latest)) and not options.ignore_protect:
        # the latest version carries the declaration as it was last applied: removing `protect: true`
        # (an update in place of that version) lifts the protection
        blocked = Blocked.PROTECTED
    else:
        blocked = blocked_by_history(taken.runs, options)
    return Change(Action.DELETE, Identity(EntityType.FUNCTION, project, name), str(latest["kind"]),
                  Reason.NOT_DECLARED, before=mask(actual_content(latest), rules=options.secrets), dependents=taken,
                  blocked=blocked)
