"""`dhsync plan` and `dhsync drift` as a user types them: text, JSON, Markdown, exit codes, selection."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from dhsync.backends import open_backend
from tests.conftest import RunCli
from tests.specrepo import documents, python_function, task, write_repo

GOLDEN = Path(__file__).parent / "golden"


def check_golden(name: str, text: str) -> None:
    """Compare with tests/cli/golden/NAME; DHSYNC_UPDATE_GOLDEN=1 rewrites the file instead."""
    path = GOLDEN / name
    if os.environ.get("DHSYNC_UPDATE_GOLDEN"):
        path.write_text(text)
    assert text == path.read_text(), f"{name} differs; rerun with DHSYNC_UPDATE_GOLDEN=1 if the change is wanted"


def applied(examples: Path, run_cli: RunCli) -> Path:
    result = run_cli("apply", str(examples), "--auto-approve")
    assert result.exit_code == 0, result.output
    return examples


def test_plan_on_an_empty_backend(examples: Path, run_cli: RunCli) -> None:
    result = run_cli("plan", cwd=examples)
    assert result.exit_code == 0
    check_golden("plan-create.txt", result.stdout)


def test_plan_after_a_code_edit_shows_the_new_version_and_what_follows(examples: Path, run_cli: RunCli) -> None:
    applied(examples, run_cli)
    train = examples / "src" / "train.py"
    train.write_text(train.read_text() + "\n# retrained with a longer window\n")
    result = run_cli("plan", "--detailed-exitcode", cwd=examples)
    assert result.exit_code == 2
    check_golden("plan-new-version.txt", result.stdout)
    check_golden("plan-new-version.md", run_cli("plan", "--format", "markdown", cwd=examples).stdout)


def test_plan_with_prune_lists_deletes_and_blocks_protected_ones(examples: Path, run_cli: RunCli) -> None:
    applied(examples, run_cli)
    (examples / "functions" / "train.yaml").unlink()
    (examples / "functions" / "report.yaml").unlink()
    without = run_cli("plan", "--detailed-exitcode", cwd=examples)
    assert without.exit_code == 0
    assert "Not pruned (pruning is off): summarise, train-forecast" in without.stdout
    result = run_cli("plan", "--prune", cwd=examples)
    check_golden("plan-prune.txt", result.stdout)
    markdown = run_cli("plan", "--prune", "--format", "markdown", cwd=examples)
    check_golden("plan-prune.md", markdown.stdout)


def test_json_is_the_plan_file(examples: Path, run_cli: RunCli, tmp_path: Path) -> None:
    out = tmp_path / "plan.json"
    result = run_cli("plan", "--format", "json", "--out", str(out), cwd=examples)
    printed, saved = json.loads(result.stdout), json.loads(out.read_text())
    assert printed == saved
    assert printed["format_version"] == 1
    assert printed["actual_fingerprint"].startswith("sha256:") and printed["desired_hash"].startswith("sha256:")
    assert printed["summary"] == {"create": 11, "new-version": 0, "update": 0, "delete": 0, "trigger": 2,
                                  "adopt": 0, "blocked": 0}
    first = printed["changes"][0]
    assert set(first) >= {"action", "reason", "before", "after", "fields", "dependents", "address"}
    assert first["after"]["spec"]["source"]["code"].startswith("sha256:")


def test_quiet_prints_the_summary_line_only(examples: Path, run_cli: RunCli) -> None:
    result = run_cli("plan", "-q", cwd=examples)
    assert result.stdout == "Plan: 11 to create, 0 new versions, 0 to update, 0 to delete, 2 runs to trigger.\n"
    applied(examples, run_cli)
    assert run_cli("plan", "-q", cwd=examples).stdout == "No changes.\n"


@pytest.mark.parametrize(("patterns", "expected"), [
    (["--select", "prepare-*"], ["function/prepare-sales", "task/prepare-sales/python+job", "run/prepare-sales-daily"]),
    (["--select", "task/model-api/*"], ["task/model-api/container+job", "task/model-api/container+serve",
                                        "function/model-api"]),
    (["--exclude", "train-forecast", "--exclude", "run/*"], [
        "function/daily-sales", "function/model-api", "function/prepare-sales", "function/summarise",
        "task/daily-sales/dbt+transform", "task/model-api/container+job", "task/model-api/container+serve",
        "task/prepare-sales/python+job", "task/summarise/python+job"]),
])
def test_select_and_exclude(examples: Path, run_cli: RunCli, patterns: list[str], expected: list[str]) -> None:
    result = run_cli("plan", "--format", "json", *patterns, cwd=examples)
    assert sorted(c["address"] for c in json.loads(result.stdout)["changes"]) == sorted(expected)


def test_markdown_stays_under_the_comment_limit(tmp_path: Path, run_cli: RunCli) -> None:
    docs = [documents(python_function(f"fn-{i:04d}", description="x" * 40), task(f"fn-{i:04d}"))
            for i in range(600)]
    repo = write_repo(tmp_path / "big", {"functions/all.yaml": documents(*docs)})
    result = run_cli("plan", "--format", "markdown", cwd=repo)
    assert result.exit_code == 0
    assert len(result.stdout) < 60_000
    assert result.stdout.startswith("**Plan: 1200 to create, 0 new versions")
    assert "Cut here to stay under the comment size limit" in result.stdout


SECRET_REPO = {
    "f.yaml": documents(
        python_function("loader"),
        task("loader", spec="secrets: [warehouse-db]\nenvs:\n  - {name: DB_PASSWORD, value: hunter2, secret: true}\n"
                           "  - {name: MODE, value: batch}"),
    ),
}


def test_secrets_never_appear_and_a_changed_one_shows_as_changed(tmp_path: Path, run_cli: RunCli) -> None:
    repo = write_repo(tmp_path / "repo", SECRET_REPO)
    first = run_cli("apply", "--auto-approve", cwd=repo)
    assert first.exit_code == 0
    (repo / "f.yaml").write_text((repo / "f.yaml").read_text().replace("hunter2", "correct-horse"))
    outputs = [run_cli("plan", "--out", str(tmp_path / "p.json"), cwd=repo).stdout,
               run_cli("plan", "--format", "json", cwd=repo).stdout,
               run_cli("plan", "--format", "markdown", cwd=repo).stdout,
               (tmp_path / "p.json").read_text(), first.output,
               run_cli("apply", "--auto-approve", cwd=repo).output]
    for text in outputs:
        assert "hunter2" not in text and "correct-horse" not in text and "warehouse-db" not in text
    assert "~ spec.envs[DB_PASSWORD].value: (changed)" in outputs[0]


def test_drift_exits_2_when_the_backend_differs(examples: Path, run_cli: RunCli) -> None:
    open_backend("sqlite:///.dhsync/state.db", examples).close()  # drift compares with a backend that exists
    result = run_cli("drift", cwd=examples)
    assert result.exit_code == 2
    assert "function/train-forecast: create" in result.stdout
    applied(examples, run_cli)
    clean = run_cli("drift", "--format", "json", cwd=examples)
    assert clean.exit_code == 0 and json.loads(clean.stdout)["drifted"] is False


def test_plan_of_a_broken_repository_prints_its_problems_and_exits_1(examples: Path, run_cli: RunCli) -> None:
    (examples / "functions" / "report.yaml").write_text("kind: python\nname: summarise\nspec: {python_version: 3}\n")
    result = run_cli("plan", cwd=examples)
    assert result.exit_code == 1
    assert "functions/report.yaml:3:" in result.stderr
    assert "does not validate" in result.stderr and "Traceback" not in result.output


def test_markdown_stays_under_the_limit_with_many_deletes(tmp_path: Path, run_cli: RunCli) -> None:
    docs = [documents(python_function(f"fn-{i:04d}"), task(f"fn-{i:04d}")) for i in range(700)]
    repo = write_repo(tmp_path / "big", {"functions/all.yaml": documents(*docs)})
    assert run_cli("apply", "--auto-approve", "--no-run", cwd=repo).exit_code == 0
    (repo / "functions" / "all.yaml").write_text(documents(*docs[:1]))
    result = run_cli("plan", "--prune", "--format", "markdown", cwd=repo)
    assert len(result.stdout) < 60_000
    assert "**Destructive changes: 699 deletes**" in result.stdout
    assert "> - … and 669 more (`dhsync plan --prune` lists them all)" in result.stdout


def test_plan_shows_the_refusals_apply_would_make_and_the_overrides_lift_them(examples: Path,
                                                                              run_cli: RunCli) -> None:
    applied(examples, run_cli)
    (examples / "functions" / "train.yaml").unlink()  # protected by policies.protect, and has a run
    (examples / "functions" / "prepare.yaml").unlink()  # has a run
    blocked = run_cli("plan", "--prune", cwd=examples).stdout
    assert "! function prepare-sales  (python)  delete BLOCKED (takes run history; --cascade)" in blocked
    assert "! function train-forecast  (python)  delete BLOCKED (protected; --ignore-protect)" in blocked
    lifted = run_cli("plan", "--prune", "--cascade", "--ignore-protect", cwd=examples).stdout
    assert "- function train-forecast  (python)  delete: no longer declared, with 1 version, 1 task, 1 run" in lifted
    assert "Plan: 0 to create, 0 new versions, 0 to update, 2 to delete, 0 runs to trigger." in lifted
    result = run_cli("apply", "--prune", "--cascade", "--ignore-protect", "--auto-approve", cwd=examples)
    assert result.exit_code == 0 and "2 deleted" in result.stdout


def test_a_selection_that_matches_nothing_is_said(examples: Path, run_cli: RunCli) -> None:
    applied(examples, run_cli)
    (examples / "src" / "train.py").write_text((examples / "src" / "train.py").read_text() + "\n# v2\n")
    result = run_cli("plan", "--select", "trian-*", "--detailed-exitcode", cwd=examples)
    assert result.exit_code == 0
    assert "warning: --select `trian-*` matches nothing in the repository or the backend" in result.stderr
    assert "No changes in the selection (--select/--exclude)." in result.stdout
    assert run_cli("plan", "--select", "train-*", "--detailed-exitcode", cwd=examples).exit_code == 2
