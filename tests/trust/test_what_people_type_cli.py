"""What people type and read: Terraform's single-dash options, apply for CI (--format json, -q), a run
stopped on request, and a plan read while an apply holds the lock."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dhsync.backends import open_backend
from tests.conftest import RunCli, run_process
from tests.specrepo import declared_run, documents, python_function, task, write_repo


@pytest.mark.parametrize(("typed", "hint"), [
    (["apply", "-auto-approve"], "did you mean `--auto-approve`?"),
    (["plan", "-detailed-exitcode"], "did you mean `--detailed-exitcode`?"),
    (["plan", "-out=plan.json"], "did you mean `--out plan.json`?"),
])
def test_terraform_spellings_get_the_dhsync_spelling(typed: list[str], hint: str, examples: Path,
                                                      run_cli: RunCli) -> None:
    result = run_cli(*typed, cwd=examples)
    assert result.exit_code == 1
    assert f"no such option `{typed[1]}`: dhsync spells long options with two dashes; {hint}" in result.output
    assert not (examples / ".dhsync" / "state.db").exists()


@pytest.mark.parametrize(("typed", "advice"), [
    (["plan", "-no-color"], "set NO_COLOR=1"),
    (["apply", "-input=false"], "dhsync never prompts without a terminal"),
    (["plan", "-target=function.x"], "`--select PATTERN` narrows plan and apply"),
])
def test_terraform_options_dhsync_has_no_flag_for_say_what_does_the_same(typed: list[str], advice: str,
                                                                          examples: Path, run_cli: RunCli) -> None:
    result = run_cli(*typed, cwd=examples)
    assert result.exit_code == 1
    assert f"no such option `{typed[1]}` (a Terraform option): {advice}" in result.output


def test_an_unknown_short_option_is_still_click_s_plain_error(examples: Path, run_cli: RunCli) -> None:
    result = run_cli("plan", "-z", cwd=examples)
    assert result.exit_code == 1 and "No such option '-z'" in result.output


def test_apply_format_json_prints_one_object_per_line_and_a_summary(examples: Path) -> None:
    result = run_process("apply", "--auto-approve", "--format", "json", cwd=examples)
    assert result.returncode == 0, result.stderr
    events = [json.loads(line) for line in result.stdout.splitlines()]
    assert events[0]["event"] == "plan" and events[0]["plan"]["summary"]["create"] == 11
    changes = [e for e in events if e["event"] == "change"]
    assert len(changes) == 13 and all(e["status"] == "done" for e in changes)
    assert changes[0]["address"] == "function/daily-sales" and changes[0]["index"] == 1
    summary = events[-1]
    assert summary["event"] == "summary" and summary["ok"] is True
    assert (summary["created"], summary["runs_triggered"], summary["failed"]) == (11, 2, 0)


def test_apply_format_json_needs_auto_approve(examples: Path, run_cli: RunCli) -> None:
    result = run_cli("apply", "--format", "json", cwd=examples)
    assert result.exit_code == 1
    assert "apply --format json does not ask for confirmation: pass --auto-approve" in result.stderr


def test_apply_quiet_prints_the_summary_and_what_failed_only(examples: Path, run_cli: RunCli) -> None:
    result = run_cli("apply", "--auto-approve", "-q", "--no-run", cwd=examples)
    assert result.exit_code == 0
    lines = result.stdout.strip().splitlines()
    assert lines[0] == "Plan: 11 to create, 0 new versions, 0 to update, 0 to delete, 0 runs to trigger."
    assert lines[-1] == "Apply complete: 11 created, 0 new versions, 0 updated, 0 deleted, 0 runs triggered."
    assert not any(line.startswith("[") for line in lines)


def _sleeper(tmp_path: Path) -> Path:
    sleeper = python_function("sleeper", code="import time\n\ndef main(x=1):\n    time.sleep(60)\n    return x\n")
    return write_repo(tmp_path / "sleepy", {
        "functions/sleeper.yaml": documents(sleeper, task("sleeper"), declared_run("nap", "sleeper")),
    })


def _wait_running(repo: Path, deadline: float) -> None:
    while time.monotonic() < deadline:
        listed = run_process("runs", "--format", "json", cwd=repo)
        if listed.returncode == 0 and any(r.get("state") == "RUNNING" for r in json.loads(listed.stdout or "[]")):
            return
        time.sleep(0.2)
    pytest.fail("the run never reached RUNNING")


def test_a_run_stopped_on_request_is_reported_stopped_not_failed(tmp_path: Path) -> None:
    repo = _sleeper(tmp_path)
    env = {**os.environ, "NO_COLOR": "1"}
    applying = subprocess.Popen([sys.executable, "-m", "dhsync", "apply", "--auto-approve"], cwd=repo, env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        _wait_running(repo, time.monotonic() + 30)
        stopped = run_process("stop", "nap", cwd=repo)
        assert stopped.returncode == 0, stopped.stderr
        out, err = applying.communicate(timeout=60)
    finally:
        if applying.poll() is None:
            applying.kill()
            applying.wait()
    assert applying.returncode == 0, err
    assert "> run/nap: stopped, run " in out and "STOPPED on request" in out
    assert "1 run triggered, 1 stopped on request." in out
    assert "failed" not in out.split("Runs:")[-1]


def test_plan_and_drift_say_when_an_apply_holds_the_lock(examples: Path, run_cli: RunCli) -> None:
    assert run_cli("apply", "--auto-approve", "--no-run", cwd=examples).exit_code == 0
    backend = open_backend("sqlite:///.dhsync/state.db", examples)
    try:
        backend.acquire_lock("demo-ml", "release-bot", 600)
        for command in ("plan", "drift"):
            result = run_cli(command, cwd=examples)
            assert "note: release-bot on " in result.stderr
            assert "holds the apply lock of project `demo-ml` since" in result.stderr
            assert "the backend may be changing while this is read" in result.stderr
    finally:
        backend.close()
