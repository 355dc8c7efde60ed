"""Ownership as a user meets it: a declared name that someone made by hand is shown as `adopt`, refused
(exit 5) until `--adopt`, `policies.adopt` or `dhsync import`, and never pruned before that."""

from __future__ import annotations

import json
from pathlib import Path

from dhsync.backends import open_backend
from dhsync.diff.marks import MANAGED
from tests.conftest import RunCli

SPEC = {"python_version": "PYTHON3_11", "source": {"code": "def fit():\n    return 1\n", "handler": "fit"}}


def _made_by_hand(examples: Path, name: str = "train-forecast") -> None:
    backend = open_backend("sqlite:///.dhsync/state.db", examples)
    try:
        backend.create_project({"kind": "project", "name": "demo-ml"})
        backend.create_function("demo-ml", {"kind": "python", "name": name, "spec": SPEC,
                                            "metadata": {"labels": ["made-in-a-notebook"]}})
    finally:
        backend.close()


def _labels(examples: Path, name: str) -> list[list[str]]:
    backend = open_backend("sqlite:///.dhsync/state.db", examples)
    try:
        return [list(v["metadata"].get("labels") or []) for v in
                backend.list_functions("demo-ml", name=name, versions="all", size=100).items]
    finally:
        backend.close()


def test_plan_shows_adopt_and_apply_refuses_it_with_exit_5(examples: Path, run_cli: RunCli) -> None:
    _made_by_hand(examples)
    planned = run_cli("plan", cwd=examples)
    assert planned.exit_code == 0
    assert ("  ! function train-forecast  (python)  adopt BLOCKED (not made by dhsync; --adopt or `dhsync import`): "
            "exists in the backend, made outside dhsync") in planned.stdout
    assert "1 blocked." in planned.stdout
    refused = run_cli("apply", "--auto-approve", cwd=examples)
    assert refused.exit_code == 5
    assert "function `train-forecast` exists in the backend but was not made by dhsync" in refused.stderr
    assert "Pass --adopt (or set policies.adopt), run `dhsync import train-forecast`" in refused.stderr
    assert _labels(examples, "train-forecast") == [["made-in-a-notebook"]]  # nothing was written


def test_apply_adopt_takes_it_over_with_a_new_version(examples: Path, run_cli: RunCli) -> None:
    _made_by_hand(examples)
    applied = run_cli("apply", "--auto-approve", "--adopt", "--no-run", cwd=examples)
    assert applied.exit_code == 0, applied.output
    assert "<= function/train-forecast: done, adopted: new version" in applied.stdout
    assert "1 adopted" in applied.stdout
    labels = _labels(examples, "train-forecast")
    assert len(labels) == 2 and all(MANAGED in v for v in labels)
    assert run_cli("plan", "--detailed-exitcode", "--exclude", "run/*", cwd=examples).exit_code == 0


def test_dhsync_import_marks_it_and_plan_then_shows_the_difference(examples: Path, run_cli: RunCli) -> None:
    _made_by_hand(examples)
    imported = run_cli("import", "train-forecast", cwd=examples)
    assert imported.exit_code == 0, imported.output
    assert "Imported function train-forecast: 1 of 1 version(s) now managed by dhsync." in imported.stdout
    assert _labels(examples, "train-forecast") == [["made-in-a-notebook", MANAGED]]
    planned = run_cli("plan", cwd=examples)
    assert "^ function train-forecast  (python)  new version: spec changed" in planned.stdout
    again = run_cli("import", "train-forecast", cwd=examples)
    assert "was already managed by dhsync; nothing to do" in again.stdout


def test_dhsync_import_of_a_name_not_declared_or_not_stored_says_so(examples: Path, run_cli: RunCli) -> None:
    _made_by_hand(examples, "scratch")
    undeclared = run_cli("import", "scratch", cwd=examples)
    assert undeclared.exit_code == 1
    assert "`scratch` is not declared in the repository" in undeclared.stderr
    missing = run_cli("import", "train-forecast", cwd=examples)
    assert missing.exit_code == 1
    assert "function `train-forecast` not found in project `demo-ml`; there is nothing to import" in missing.stderr
    assert _labels(examples, "scratch") == [["made-in-a-notebook"]]


def test_a_function_never_adopted_is_never_pruned(examples: Path, run_cli: RunCli) -> None:
    _made_by_hand(examples)
    (examples / "functions" / "train.yaml").unlink()  # the declaration goes: it was never dhsync's
    planned = json.loads(run_cli("plan", "--prune", "--format", "json", cwd=examples).stdout)
    assert "function/train-forecast" not in [c["address"] for c in planned["changes"]]
    assert planned["not_pruned"] == []
