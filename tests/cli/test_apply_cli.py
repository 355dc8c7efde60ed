"""`dhsync apply` and `dhsync lock` as a user meets them: the README's walkthrough as real processes,
the confirmation prompt on a terminal, and one test per exit code."""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dhsync.backends import open_backend
from tests.conftest import RunCli, run_process


def test_the_readme_walkthrough_as_real_processes(examples: Path, tmp_path: Path) -> None:
    first = run_process("apply", "--auto-approve", cwd=examples)  # step 1, from examples/ as the README says
    assert first.returncode == 0, first.stderr
    assert "Apply complete: 11 created, 0 new versions, 0 updated, 0 deleted, 2 runs triggered." in first.stdout
    assert "  prepare-sales-daily: COMPLETED (run " in first.stdout
    assert "    results: rows_kept=4, rows_dropped=3\n" in first.stdout
    assert "    output clean: .dhsync/artifacts/" in first.stdout  # relative to where the user stands
    assert run_process("plan", "--detailed-exitcode", cwd=examples).returncode == 0

    (examples / "src" / "train.py").write_text((examples / "src" / "train.py").read_text() + "\n# v2\n")
    edited = run_process("plan", "--detailed-exitcode", cwd=examples)
    assert edited.returncode == 2
    assert "Plan: 1 to create, 1 new version, 0 to update, 0 to delete, 1 run to trigger." in edited.stdout

    (examples / "functions" / "report.yaml").unlink()
    assert "Not pruned (pruning is off): summarise" in run_process("plan", cwd=examples).stdout
    pruned = run_process("plan", "--prune", cwd=examples)
    assert "- function summarise  (python)  delete: no longer declared, with 1 version, 1 task" in pruned.stdout

    saved = tmp_path / "plan.json"
    assert run_process("plan", "--out", str(saved), cwd=examples).returncode == 0
    assert run_process("apply", "--auto-approve", cwd=examples).returncode == 0
    stale = run_process("apply", str(saved), cwd=examples)
    assert stale.returncode == 3
    assert "the backend changed since the plan was made" in stale.stderr
    assert "Traceback" not in stale.stderr


def test_without_a_terminal_apply_needs_auto_approve(examples: Path, run_cli: RunCli) -> None:
    result = run_cli("apply", cwd=examples)
    assert result.exit_code == 1
    assert "Plan: 11 to create" in result.stdout  # the plan is shown, then refused
    assert "there is no terminal. Pass --auto-approve" in result.stderr
    assert run_cli("plan", "--detailed-exitcode", cwd=examples).exit_code == 2  # nothing was written


def _read_until(controller: int, done: bytes | None, deadline: float) -> bytes:
    """Read the terminal until `done` appears, or until the other side closes it (done=None)."""
    seen = b""
    while time.monotonic() < deadline and (done is None or done not in seen):
        if select.select([controller], [], [], 0.5)[0]:
            try:
                chunk = os.read(controller, 65536)
            except OSError:  # EIO: every process holding the terminal has exited
                break
            if not chunk:
                break
            seen += chunk
    return seen


def _apply_on_a_terminal(examples: Path, answer: str) -> tuple[int, str]:
    """Run `dhsync apply` on a pseudo-terminal and type `answer` at its prompt."""
    controller, terminal = pty.openpty()
    env = {**os.environ, "NO_COLOR": "1"}
    process = subprocess.Popen([sys.executable, "-m", "dhsync", "apply"], cwd=examples, env=env, stdin=terminal,
                               stdout=terminal, stderr=terminal)
    os.close(terminal)
    deadline = time.monotonic() + 60
    seen = _read_until(controller, b"Only 'yes' is accepted", deadline)
    os.write(controller, answer.encode() + b"\n")
    seen += _read_until(controller, None, deadline)
    code = process.wait(timeout=60)
    os.close(controller)
    return code, seen.decode(errors="replace")


@pytest.mark.parametrize(("answer", "code", "applied"), [("yes", 0, True), ("no", 1, False), ("y", 1, False)])
def test_on_a_terminal_apply_asks_and_only_yes_applies(examples: Path, answer: str, code: int,
                                                        applied: bool) -> None:
    exit_code, screen = _apply_on_a_terminal(examples, answer)
    assert exit_code == code
    assert "Plan: 11 to create" in screen
    assert ("Apply complete" in screen) is applied
    assert (run_process("plan", "--detailed-exitcode", cwd=examples).returncode == 0) is applied


def test_lock_info_and_release(examples: Path, run_cli: RunCli) -> None:
    backend = open_backend("sqlite:///.dhsync/state.db", examples)  # `lock` reads a backend, never creates one
    assert run_cli("lock", "info", cwd=examples).stdout == "project demo-ml is not locked\n"
    backend.acquire_lock("demo-ml", "nightly sync (ci)", 600)
    info = run_cli("lock", "info", cwd=examples)
    assert info.exit_code == 0
    assert "owner:     nightly sync (ci)" in info.stdout and "state:     held" in info.stdout
    refused = run_cli("lock", "release", cwd=examples)
    assert refused.exit_code == 1 and "--force" in refused.stderr
    released = run_cli("lock", "release", "--force", cwd=examples)
    assert released.exit_code == 0 and "released the lock of nightly sync (ci)" in released.stdout
    assert backend.lock_info("demo-ml") is None
    backend.close()


# --- one test per exit code (130, interrupted, is proven with real signals in tests/apply/test_signals.py) ---

def test_exit_0_nothing_to_change(examples: Path, run_cli: RunCli) -> None:
    assert run_cli("apply", "--auto-approve", cwd=examples).exit_code == 0
    assert run_cli("plan", "--detailed-exitcode", cwd=examples).exit_code == 0
    assert run_cli("apply", "--auto-approve", cwd=examples).stdout.endswith(
        "No changes. The backend matches the repository.\n")


def test_exit_1_bad_input(examples: Path, run_cli: RunCli, tmp_path: Path) -> None:
    (tmp_path / "not-a-plan.json").write_text("{]")
    result = run_cli("apply", str(tmp_path / "not-a-plan.json"))
    assert result.exit_code == 1
    assert "is not a plan file (not JSON" in result.stderr


def test_exit_2_changes_present(examples: Path, run_cli: RunCli) -> None:
    assert run_cli("plan", "--detailed-exitcode", cwd=examples).exit_code == 2
    assert run_cli("plan", cwd=examples).exit_code == 0  # without the flag, changes are not an error


def test_exit_3_stale_saved_plan(examples: Path, run_cli: RunCli, tmp_path: Path) -> None:
    saved = tmp_path / "plan.json"
    run_cli("plan", "--out", str(saved), cwd=examples)
    (examples / "functions" / "report.yaml").write_text(
        (examples / "functions" / "report.yaml").read_text().replace("Mean, min", "Mean, minimum"))
    result = run_cli("apply", str(saved))
    assert result.exit_code == 3
    assert "the repository changed since the plan was made; nothing was applied" in result.stderr


def test_exit_4_lock_held(examples: Path, run_cli: RunCli) -> None:
    backend = open_backend("sqlite:///.dhsync/state.db", examples)
    backend.acquire_lock("demo-ml", "release-bot", 600)
    result = run_cli("apply", "--auto-approve", cwd=examples)
    assert result.exit_code == 4
    assert "project `demo-ml` is locked by release-bot on" in result.stderr
    assert "`dhsync lock release --force` frees the lock" in result.stderr
    backend.close()


def test_exit_5_refused_by_a_protection_rule(examples: Path, run_cli: RunCli) -> None:
    assert run_cli("apply", "--auto-approve", cwd=examples).exit_code == 0
    (examples / "functions" / "train.yaml").unlink()
    result = run_cli("apply", "--auto-approve", "--prune", cwd=examples)
    assert result.exit_code == 5
    assert "function `train-forecast` is protected" in result.stderr
    summary = json.loads(run_cli("plan", "--prune", "--format", "json", cwd=examples).stdout)["summary"]
    assert summary["blocked"] == 1  # still there: nothing was deleted


def test_lock_info_says_when_the_holder_is_gone(examples: Path, run_cli: RunCli) -> None:
    take = ("from pathlib import Path; from dhsync.backends import open_backend; "
            "open_backend('sqlite:///.dhsync/state.db', Path('.')).acquire_lock('demo-ml', 'killed apply', 600)")
    subprocess.run([sys.executable, "-c", take], cwd=examples, check=True)
    info = run_cli("lock", "info", cwd=examples)
    assert "(no such process on this host now: if it was the apply, `dhsync lock release --force`)" in info.stdout


def test_backend_urls_that_cannot_work_say_why_and_where_they_came_from(examples: Path, run_cli: RunCli,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DHSYNC_BACKEND", "dhcore+https://dhcore.example.com")
    dhcore = run_cli("plan", cwd=examples)
    assert dhcore.exit_code == 1
    assert "the DHCore backend is not part of this version yet" in dhcore.stderr
    assert "(the backend comes from environment variable DHSYNC_BACKEND)" in dhcore.stderr
    monkeypatch.setenv("DHSYNC_BACKEND", "sqlite:///state.db?mode=ro")
    assert "has a query or fragment" in run_cli("plan", cwd=examples).stderr
    monkeypatch.setenv("DHSYNC_BACKEND", "memory://")
    memory = run_cli("apply", "--auto-approve", "--no-run", cwd=examples)
    assert memory.exit_code == 0 and "lives in this process only" in memory.stderr


def test_lock_release_without_force_says_whose_lock_it_is(examples: Path, run_cli: RunCli) -> None:
    open_backend("sqlite:///.dhsync/state.db", examples).close()  # `lock` reads a backend, never creates one
    assert run_cli("lock", "release", cwd=examples).stdout == "project demo-ml is not locked; nothing to release\n"
    take = ("from pathlib import Path; from dhsync.backends import open_backend; "
            "open_backend('sqlite:///.dhsync/state.db', Path('.')).acquire_lock('demo-ml', 'killed apply', 600)")
    subprocess.run([sys.executable, "-c", take], cwd=examples, check=True)
    refused = run_cli("lock", "release", cwd=examples)
    assert refused.exit_code == 1
    assert "the lock belongs to killed apply on" in refused.stderr and "which no longer runs" in refused.stderr
    # issue 8: a holder known to have ended on this host is taken over with a note, not waited for (exit 4)
    taken = run_cli("apply", "--auto-approve", cwd=examples)
    assert taken.exit_code == 0, taken.stderr
    assert "note: took over the lock of killed apply on" in taken.stderr
    assert "which ended without releasing it (that process no longer runs on this host)" in taken.stderr


def test_a_failed_run_says_how_to_run_it_again(tmp_path: Path, run_cli: RunCli) -> None:
    from tests.specrepo import declared_run, documents, python_function, write_repo

    broken = python_function("broken", "def main():\n    raise ValueError('no data')\n")
    repo = write_repo(tmp_path / "repo", {"f.yaml": documents(broken, declared_run("broken-run", "broken"))})
    result = run_cli("apply", "--auto-approve", cwd=repo)
    assert result.exit_code == 1
    assert ("A failed run is not triggered again for the same version: fix the cause, then `dhsync run broken-run`."
            in result.stdout)


def test_dhsync_run_waits_for_no_apply_it_exits_4_while_one_holds_the_lock(examples: Path, run_cli: RunCli) -> None:
    assert run_cli("apply", "--auto-approve", "--no-run", cwd=examples).exit_code == 0
    backend = open_backend("sqlite:///.dhsync/state.db", examples)
    held = backend.acquire_lock("demo-ml", "ci (dhsync apply)", 600)
    result = run_cli("run", "prepare-sales-daily", cwd=examples)
    assert result.exit_code == 4 and "is locked by ci (dhsync apply)" in result.stderr
    assert backend.read_state("demo-ml").runs == ()  # nothing stored: apply could not trigger it twice
    backend.release_lock(held)
    assert run_cli("run", "prepare-sales-daily", cwd=examples).exit_code == 0
    assert backend.lock_info("demo-ml") is None  # the run released the lock it took to store the run
    backend.close()
