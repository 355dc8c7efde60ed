"""Saved plans are portable: they apply to the repository of the current folder (or the one given), found
by its content and dhsync.yaml, never to the folder the plan was made in."""

from __future__ import annotations

import shutil
from pathlib import Path

from dhsync.backends import open_backend
from tests.conftest import RunCli, run_process


def _functions(repo: Path) -> int:
    db = repo / ".dhsync" / "state.db"
    if not db.exists():
        return 0
    backend = open_backend("sqlite:///.dhsync/state.db", repo)
    try:
        return len(backend.read_state("demo-ml").functions)
    finally:
        backend.close()


def test_a_plan_made_in_one_checkout_applies_to_the_checkout_it_is_applied_in(examples: Path,
                                                                             tmp_path: Path) -> None:
    copy = tmp_path / "ci-job-2" / "examples"
    shutil.copytree(examples, copy)
    saved = tmp_path / "plan.json"
    assert run_process("plan", "--out", str(saved), "--exclude", "run/*", cwd=examples).returncode == 0
    applied = run_process("apply", str(saved), cwd=copy)
    assert applied.returncode == 0, applied.stderr
    assert "Apply complete: 11 created, 0 new versions, 0 updated, 0 deleted, 0 runs triggered." in applied.stdout
    assert _functions(copy) == 5
    assert _functions(examples) == 0  # the first checkout is left alone
    assert not (examples / ".dhsync" / "state.db").exists()


def test_a_plan_is_applied_to_the_repository_given_after_it(examples: Path, tmp_path: Path) -> None:
    copy = tmp_path / "elsewhere"
    shutil.copytree(examples, copy)
    saved = tmp_path / "plan.json"
    assert run_process("plan", "--out", str(saved), "--exclude", "run/*", cwd=examples).returncode == 0
    applied = run_process("apply", str(saved), str(copy), cwd=tmp_path)
    assert applied.returncode == 0, applied.stderr
    assert _functions(copy) == 5 and _functions(examples) == 0


def test_a_checkout_whose_content_differs_is_refused_with_exit_3(examples: Path, tmp_path: Path) -> None:
    copy = tmp_path / "other"
    shutil.copytree(examples, copy)
    (copy / "functions" / "report.yaml").write_text(
        (copy / "functions" / "report.yaml").read_text().replace("Mean, min", "Mean, minimum"))
    saved = tmp_path / "plan.json"
    run_process("plan", "--out", str(saved), cwd=examples)
    refused = run_process("apply", str(saved), cwd=copy)
    assert refused.returncode == 3
    assert "the repository changed since the plan was made; nothing was applied" in refused.stderr
    assert not (copy / ".dhsync" / "state.db").exists()  # refused before anything, the database included


def test_a_plan_for_another_project_or_backend_is_refused_with_exit_3(examples: Path, run_cli: RunCli,
                                                                      tmp_path: Path) -> None:
    saved = tmp_path / "plan.json"
    run_cli("plan", "--out", str(saved), cwd=examples)
    config = examples / "dhsync.yaml"
    original = config.read_text()
    config.write_text(original.replace("project: demo-ml", "project: demo-other"))
    other_project = run_cli("apply", str(saved), cwd=examples)
    assert other_project.exit_code == 3
    assert "was made for project `demo-ml`, and the repository at `.` is project `demo-other`" in other_project.stderr
    config.write_text(original)
    other_backend = run_cli("apply", str(saved), "--backend", "sqlite:///other.db", cwd=examples)
    assert other_backend.exit_code == 3
    assert ("was made against backend `sqlite:///.dhsync/state.db`, and here the backend is `sqlite:///other.db`"
            in other_backend.stderr)


def test_a_plan_applied_outside_any_repository_says_where_to_run_it(examples: Path, run_cli: RunCli,
                                                                   tmp_path: Path) -> None:
    saved = tmp_path / "plan.json"
    run_cli("plan", "--out", str(saved), cwd=examples)
    empty = tmp_path / "empty"
    empty.mkdir()
    result = run_cli("apply", str(saved), cwd=empty)
    assert result.exit_code == 1
    assert "a saved plan applies to the repository of the current folder, and `.` has no dhsync.yaml" in result.stderr
    assert "REPO`" in result.stderr


def test_repo_goes_with_a_plan_file_only(examples: Path, run_cli: RunCli) -> None:
    result = run_cli("apply", ".", ".", cwd=examples)
    assert result.exit_code == 1
    assert "REPO (`.`) goes with a plan file only" in result.stderr


def test_an_apply_refused_for_want_of_a_terminal_creates_no_backend(examples: Path, run_cli: RunCli) -> None:
    refused = run_cli("apply", cwd=examples)  # CliRunner's stdin is no terminal
    assert refused.exit_code == 1
    assert "apply asks for confirmation and there is no terminal" in refused.stderr
    assert not (examples / ".dhsync" / "state.db").exists()
    planned = run_cli("plan", cwd=examples)
    assert "note: no backend yet at" in planned.stderr  # still none
