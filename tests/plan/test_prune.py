"""Deletes of functions the repository no longer declares: only what dhsync made, only when pruning,
blocked by protection or an emptied repository, with what goes with them."""

from __future__ import annotations

from typing import Any

import pytest

from dhsync.backends.base import Backend
from dhsync.model.entities import DesiredEntity
from dhsync.model.plan import Action, Blocked, Dependents, Reason

from .helpers import PY_SPEC, applied, function, plan, run, state, task, unmanaged_function, write_plan

KEEP = function("keep")
V1 = (function("old"), task("old", "python+job"))
V2 = (function("old", spec={**PY_SPEC, "python_version": "PYTHON3_12"}), task("old", "python+job"),
      task("old", "python+serve"), run("old-nightly", "old"))


def stored(*, protect: bool = False) -> Backend:
    """`keep`; `old` made by dhsync in two applies (2 versions, 3 tasks, 1 run); `legacy` made with the SDK."""
    backend = applied(state(KEEP, *V1))
    second = state(KEEP, function("old", spec=V2[0].spec, protect=protect), *V2[1:])
    write_plan(backend, second, plan(second, backend))
    unmanaged_function(backend, "legacy")
    return backend


def deletes(backend: Backend, *entities: DesiredEntity, **options: Any) -> list[tuple[str, Blocked | None]]:
    planned = plan(state(*entities), backend, **options)
    assert all(c.action is Action.DELETE for c in planned.changes)
    return [(str(c.identity), c.blocked) for c in planned.changes]


def test_not_pruning_lists_what_would_go() -> None:
    planned = plan(state(KEEP), stored())
    assert planned.changes == ()
    assert [str(i) for i in planned.not_pruned] == ["function/old"]


def test_pruning_deletes_what_dhsync_made_with_its_dependents() -> None:
    (change,) = plan(state(KEEP), stored(), prune=True, cascade=True).changes
    assert (change.action, str(change.identity), change.reason, change.kind) == (
        Action.DELETE, "function/old", Reason.NOT_DECLARED, "python")
    assert change.dependents == Dependents(versions=2, tasks=3, runs=1)
    assert change.before is not None and change.before["spec"]["python_version"] == "PYTHON3_12"
    assert change.after is None and change.blocked is None


def test_versions_dhsync_did_not_make_are_neither_deleted_nor_counted() -> None:
    backend = stored()
    unmanaged_function(backend, "old")  # a newer version someone made with the SDK
    (change,) = plan(state(KEEP), backend, prune=True).changes
    assert change.dependents == Dependents(versions=2, tasks=3, runs=1)


# declared entities, options, protect label written -> the deletes (address, blocked)
CASES: dict[str, tuple[tuple[DesiredEntity, ...], dict[str, Any], bool, list[tuple[str, Blocked | None]]]] = {
    "protected by its declaration": ((KEEP,), {}, True, [("function/old", Blocked.PROTECTED)]),
    "protected by a policy pattern": ((KEEP,), {"protect": ("ol*",)}, False, [("function/old", Blocked.PROTECTED)]),
    "a pattern that does not match": ((KEEP,), {"protect": ("new*",), "cascade": True}, False,
                                      [("function/old", None)]),
    # `old` has a run: deleting it takes run history, which needs --cascade
    "run history without cascade": ((KEEP,), {}, False, [("function/old", Blocked.RUN_HISTORY)]),
    "protected, ignored": ((KEEP,), {"ignore_protect": True, "cascade": True}, True, [("function/old", None)]),
    "protected, ignored, without cascade": ((KEEP,), {"ignore_protect": True}, True,
                                            [("function/old", Blocked.RUN_HISTORY)]),
    "emptied repository": ((), {}, False, [("function/keep", Blocked.EMPTY_DESIRED),
                                          ("function/old", Blocked.EMPTY_DESIRED)]),
    "emptied repository, allowed": ((), {"allow_empty": True, "cascade": True}, False,
                                    [("function/keep", None), ("function/old", None)]),
    # emptiness first: --ignore-protect must not let an emptied repository prune the protected ones
    "emptied repository and protected": ((), {}, True, [("function/keep", Blocked.EMPTY_DESIRED),
                                                        ("function/old", Blocked.EMPTY_DESIRED)]),
    "everything declared": ((KEEP, *V2), {}, False, []),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_blocked_deletes(case: str) -> None:
    entities, options, protect, expected = CASES[case]
    assert deletes(stored(protect=protect), *entities, prune=True, **options) == expected


def test_a_blocked_delete_counts_apart_in_the_plan() -> None:
    planned = plan(state(KEEP), stored(protect=True), prune=True)
    assert [str(c.identity) for c in planned.blocked()] == ["function/old"]
