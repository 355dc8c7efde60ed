"""A declared run that failed is not "in sync": plan, apply and drift say it is degraded, drift exits 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import RunCli
from tests.specrepo import declared_run, documents, python_function, task, write_repo


@pytest.fixture
def failing(tmp_path: Path) -> Path:
    boom = python_function("boom", code="def main(x):\n    raise ValueError('no good: ' + str(x))\n")
    return write_repo(tmp_path / "failing", {
        "functions/boom.yaml": documents(boom, task("boom"), declared_run("boom-daily", "boom",
                                                                          spec="parameters: {x: 1}")),
    })


def test_after_a_failed_run_plan_apply_and_drift_say_degraded(failing: Path, run_cli: RunCli) -> None:
    first = run_cli("apply", "--auto-approve", cwd=failing)
    assert first.exit_code == 1
    planned = run_cli("plan", "--detailed-exitcode", cwd=failing)
    assert planned.exit_code == 0  # nothing to apply
    assert "No changes. The backend matches the repository." in planned.stdout
    assert "Degraded (the backend matches, but what the repository declares did not succeed):" in planned.stdout
    assert "! run boom-daily: degraded, its last run " in planned.stdout
    assert "ended ERROR: handler `main` raised ValueError: no good: 1" in planned.stdout
    assert "`dhsync run boom-daily` runs it again once the cause is fixed" in planned.stdout

    drift = run_cli("drift", cwd=failing)
    assert drift.exit_code == 2
    assert drift.stdout.startswith(
        "Degraded (the backend matches, but what the repository declares did not succeed):\n"
        "  ! run boom-daily: degraded, its last run ")
    assert "No drift" not in drift.stdout
    as_json = json.loads(run_cli("drift", "--format", "json", cwd=failing).stdout)
    assert as_json["drifted"] is False
    assert [(d["name"], d["state"]) for d in as_json["degraded"]] == [("boom-daily", "ERROR")]

    applied = run_cli("apply", "--auto-approve", cwd=failing)
    assert applied.exit_code == 0
    assert "! run boom-daily: degraded" in applied.stdout
    plan_file = json.loads(run_cli("plan", "--format", "json", cwd=failing).stdout)
    assert plan_file["degraded"][0]["address"] == "run/boom-daily"


def test_markdown_calls_degraded_runs_out(failing: Path, run_cli: RunCli) -> None:
    run_cli("apply", "--auto-approve", cwd=failing)
    markdown = run_cli("plan", "--format", "markdown", cwd=failing).stdout
    assert "> [!IMPORTANT]" in markdown and "> ! run boom-daily: degraded" in markdown


def test_retry_failed_runs_lets_apply_run_it_again(failing: Path, run_cli: RunCli) -> None:
    run_cli("apply", "--auto-approve", cwd=failing)
    config = failing / "dhsync.yaml"
    config.write_text(config.read_text() + "policies: {retry_failed_runs: true}\n")
    planned = run_cli("plan", cwd=failing)
    assert ("> run boom-daily  (python+job:run)  trigger: its last run on this version failed "
            "(policies.retry_failed_runs)") in planned.stdout
    assert "Degraded" not in planned.stdout
    again = run_cli("apply", "--auto-approve", cwd=failing)
    assert again.exit_code == 1 and "1 run triggered" in again.stdout


TOKEN = "ghp_" + "a1B2c3D4" * 5


def test_a_failure_message_quoting_a_token_is_masked_everywhere(tmp_path: Path, run_cli: RunCli) -> None:
    leaky = python_function("leaky", code=f"def main(x=1):\n    raise RuntimeError('bad token {TOKEN}')\n")
    repo = write_repo(tmp_path / "leaky", {"functions/leaky.yaml": documents(
        leaky, task("leaky"), declared_run("leaky-daily", "leaky"))})
    outputs = [run_cli("apply", "--auto-approve", cwd=repo).output,
               run_cli("apply", "--auto-approve", "--format", "json", cwd=repo).output,
               run_cli("plan", cwd=repo).output, run_cli("plan", "--format", "json", cwd=repo).output,
               run_cli("plan", "--format", "markdown", cwd=repo).output, run_cli("drift", cwd=repo).output,
               run_cli("drift", "--format", "json", cwd=repo).output, run_cli("runs", cwd=repo).output,
               run_cli("runs", "--format", "json", cwd=repo).output]
    assert all(TOKEN not in out for out in outputs)
    assert "bad token (secret)" in outputs[2]


def test_apply_quiet_still_says_degraded_when_nothing_changes(failing: Path, run_cli: RunCli) -> None:
    run_cli("apply", "--auto-approve", cwd=failing)
    quiet = run_cli("apply", "--auto-approve", "-q", cwd=failing)
    assert quiet.exit_code == 0
    assert quiet.stdout.startswith("No changes.\n")
    assert "! run boom-daily: degraded" in quiet.stdout


def test_a_run_an_apply_is_executing_right_now_is_not_degraded(failing: Path, run_cli: RunCli) -> None:
    from dhsync.apply.journal import EXECUTE_RUN, Journal, journal_folder
    from dhsync.backends import open_backend

    run_cli("apply", "--auto-approve", cwd=failing)
    backend = open_backend("sqlite:///.dhsync/state.db", failing)
    try:
        (failed,) = backend.read_state("demo").runs
        run = backend.create_run("demo", {"kind": failed["kind"], "metadata": failed["metadata"],
                                          "spec": failed["spec"]})  # the same declaration, run again
        for state in ("BUILT", "READY", "RUNNING"):
            backend.update_run("demo", run["id"], {"kind": run["kind"], "status": {"state": state}})
        lock = backend.acquire_lock("demo", "another apply", 600)  # alive: this very process
        journal = Journal(journal_folder(backend), "demo", "live-apply")
        journal.begin(EXECUTE_RUN, "run/boom-daily", run["id"])  # as that apply does while the run goes
        journal.close()
        live = run_cli("drift", cwd=failing)
        assert live.exit_code == 0 and "degraded" not in live.stdout
        assert "holds the apply lock of project `demo`" in live.stderr
        backend.release_lock(lock)  # the apply is gone, its journal says it was executing the run
        left = run_cli("drift", cwd=failing)
        assert left.exit_code == 2
        assert "! run boom-daily: degraded, its last run" in left.stdout and "ended RUNNING" in left.stdout
    finally:
        backend.close()
