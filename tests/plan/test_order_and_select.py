"""The order of a plan's changes (the order apply makes them) and --select / --exclude."""

from __future__ import annotations

import pytest

from dhsync.model.plan import Plan

from .helpers import PY_SPEC, actions, applied, function, plan, run, state, task

STORED = state(
    function("a"), function("b"), task("b", "python+job"), task("b", "python+serve"),
    function("c"), task("c", "python+job", {"profile": "small"}), function("gone"), task("gone", "python+job"),
)
DESIRED = state(
    function("a", spec={**PY_SPEC, "python_version": "PYTHON3_12"}), task("a", "python+job"),
    function("b", metadata={"description": "now described"}), task("b", "python+job"),
    function("c"), task("c", "python+job", {"profile": "large"}),
    function("z"), task("z", "python+job"),
    run("r", "a"), run("s", "z"),
)


def full_plan(**options: object) -> Plan:
    return plan(DESIRED, applied(STORED), prune=True, **options)


def test_changes_come_in_the_order_apply_makes_them() -> None:
    assert actions(full_plan()) == [
        ("new-version", "function/a", "spec-changed"),
        ("update", "function/b", "metadata-changed"),
        ("create", "function/z", "not-in-backend"),
        ("create", "task/a/python+job", "not-in-backend"),
        ("update", "task/c/python+job", "spec-changed"),
        ("create", "task/z/python+job", "not-in-backend"),
        ("delete", "task/b/python+serve", "not-declared"),
        ("delete", "function/gone", "not-declared"),
        ("trigger", "run/r", "never-run-before"),
        ("trigger", "run/s", "never-run-before"),
    ]


SELECTIONS: dict[str, tuple[tuple[str, ...], tuple[str, ...], list[str]]] = {
    "a function takes its tasks and runs": (("a",), (), ["function/a", "task/a/python+job", "run/r"]),
    "by type and name": (("function/z",), (), ["function/z", "task/z/python+job", "run/s"]),
    "an unchanged function still takes its tasks": (("c",), (), ["task/c/python+job"]),
    "a task pulls the new version it needs": (("task/a/*",), (), ["function/a", "task/a/python+job"]),
    "a run pulls its function and task": (("r",), (), ["function/a", "task/a/python+job", "run/r"]),
    "deletes": (("b",), (), ["function/b", "task/b/python+serve"]),
    "a glob": (("task/*",), (), ["function/a", "function/z", "task/a/python+job", "task/c/python+job",
                                 "task/z/python+job", "task/b/python+serve"]),
    "nothing matches": (("nothing",), (), []),
    "excluding a function drops what belongs to it": ((), ("a",), ["function/b", "function/z", "task/c/python+job",
                                                                 "task/z/python+job", "task/b/python+serve",
                                                                 "function/gone", "run/s"]),
    "excluding an unchanged function drops its tasks": ((), ("c",), ["function/a", "function/b", "function/z",
                                                                     "task/a/python+job", "task/z/python+job",
                                                                     "task/b/python+serve", "function/gone",
                                                                     "run/r", "run/s"]),
    "excluding a task drops the runs that need it": ((), ("task/a/*",), ["function/a", "function/b", "function/z",
                                                                         "task/c/python+job", "task/z/python+job",
                                                                         "task/b/python+serve", "function/gone",
                                                                         "run/s"]),
    "select and exclude": (("*",), ("function/gone", "run/*"), ["function/a", "function/b", "function/z",
                                                                "task/a/python+job", "task/c/python+job",
                                                                "task/z/python+job", "task/b/python+serve"]),
    "a selected run whose function is excluded": (("r",), ("function/a",), []),
}


@pytest.mark.parametrize("case", sorted(SELECTIONS))
def test_select_and_exclude(case: str) -> None:
    include, exclude, expected = SELECTIONS[case]
    planned = full_plan(select=include, exclude=exclude)
    assert [address for _, address, _ in actions(planned)] == expected
    assert (planned.options.select, planned.options.exclude) == (include, exclude)
