"""The apply lock of a process that has ended is taken over with a note; a live holder is waited for with
`--lock-timeout` (issue 8). The holders are real processes: SIGKILLed, or sleeping while they hold it."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import click
import pytest

from dhsync.backends import holder, open_backend
from dhsync.cli.target import Duration
from dhsync.model.state import LockInfo
from tests.conftest import run_process
from tests.specrepo import python_function, write_repo

URL = "sqlite:///.dhsync/state.db"
# A real process takes the lock of project `demo`, optionally edits what the lock says of its holder (as
# a lock taken on another boot or in another container would say), then waits or dies by SIGKILL.
HOLDER = """
import os, signal, sys, time
from pathlib import Path
from dhsync.backends import open_backend
from dhsync.backends.sqlite import lock as rows
backend = open_backend("sqlite:///.dhsync/state.db", Path("."))
held = backend.acquire_lock("demo", "nightly apply", 600)
edit = sys.argv[2]
if edit != "-":
    key, _, value = edit.partition("=")
    mine = dict(held.extra["holder"])
    if value:
        mine[key] = value
    extra = {"holder": mine} if value else {}
    backend.db.write(lambda conn: rows.put(conn, held.__class__(**{**held.__dict__, "extra": extra})))
print("held", flush=True)
if sys.argv[1] == "kill":
    os.kill(os.getpid(), signal.SIGKILL)
time.sleep(float(sys.argv[1]))
backend.release_lock(held)
"""


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = write_repo(tmp_path / "repo", {"functions/alpha.yaml": python_function("alpha")})
    open_backend(URL, root).close()
    return root


def _start_holder(repo: Path, how: str, edit: str = "-") -> subprocess.Popen[str]:
    process = subprocess.Popen([sys.executable, "-c", HOLDER, how, edit], cwd=repo, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout is not None and process.stdout.readline() == "held\n", process.stderr
    return process


def _killed_holder(repo: Path, edit: str = "-") -> int:
    process = _start_holder(repo, "kill", edit)
    assert process.wait(timeout=30) == -signal.SIGKILL
    return process.pid


def test_the_lock_of_a_sigkilled_apply_is_taken_over_with_a_note(repo: Path) -> None:
    pid = _killed_holder(repo)
    info = run_process("lock", "info", cwd=repo)
    assert "state:     held by a process that has ended (the next apply or run takes it over)" in info.stdout
    applied = run_process("apply", "--auto-approve", cwd=repo)
    assert applied.returncode == 0, applied.stderr
    assert (f"note: took over the lock of nightly apply on {socket.gethostname()} (pid {pid}), which ended "
            "without releasing it (that process no longer runs on this host)\n") in applied.stderr
    assert run_process("lock", "info", cwd=repo).stdout == "project demo is not locked\n"
    assert run_process("drift", cwd=repo).returncode == 0, "the apply after the takeover did its work"


@pytest.mark.parametrize("edit", ["boot_id=another-boot", "pid_ns=pid:[1]", "holder="],
                         ids=["another boot", "another container", "an older dhsync"])
def test_a_lock_whose_holder_cannot_be_known_dead_still_waits_for_its_expiry(repo: Path, edit: str) -> None:
    pid = _killed_holder(repo, edit)
    refused = run_process("apply", "--auto-approve", cwd=repo)
    assert refused.returncode == 4
    # one rule decides whether the holder is gone: a pid missing here says nothing of another boot or container
    assert f"is locked by nightly apply on {socket.gethostname()} (pid {pid}) since" in refused.stderr
    assert "no longer runs" not in refused.stderr
    assert "`dhsync lock release --force` frees the lock" in refused.stderr
    info = run_process("lock", "info", cwd=repo).stdout
    assert "state:     held\n" in info and f"host, pid: {socket.gethostname()}, {pid}\n" in info, info
    assert "no such process" not in info and "ended" not in info
    release = run_process("lock", "release", cwd=repo)
    assert release.returncode == 1
    assert release.stderr == (f"error: the lock belongs to nightly apply on {socket.gethostname()} (pid {pid}); if "
                              "that process is gone, `dhsync lock release --force` frees it\n")


def test_lock_info_and_release_agree_that_a_killed_holder_has_ended(repo: Path) -> None:
    pid = _killed_holder(repo)
    info = run_process("lock", "info", cwd=repo).stdout.splitlines()
    assert "state:     held by a process that has ended (the next apply or run takes it over)" in info
    assert (f"host, pid: {socket.gethostname()}, {pid} (no such process on this host now: if it was the apply, "
            "`dhsync lock release --force`)") in info
    release = run_process("lock", "release", cwd=repo)
    assert release.returncode == 1 and f"(pid {pid}, which no longer runs)" in release.stderr


def test_lock_timeout_waits_for_a_live_holder_to_finish(repo: Path) -> None:
    holding = _start_holder(repo, "2")
    started = time.monotonic()
    applied = run_process("apply", "--auto-approve", "--lock-timeout", "1m", cwd=repo)
    waited = time.monotonic() - started
    assert holding.wait(timeout=30) == 0
    assert applied.returncode == 0, applied.stderr
    assert "took over" not in applied.stderr
    assert 1.0 < waited < 30


def test_a_live_holder_past_the_lock_timeout_is_exit_4_saying_how_long_it_waited(repo: Path) -> None:
    holding = _start_holder(repo, "60")
    try:
        started = time.monotonic()
        waited = run_process("apply", "--auto-approve", "--lock-timeout", "1.5s", cwd=repo)
        elapsed = time.monotonic() - started
        at_once = run_process("apply", "--auto-approve", cwd=repo)
    finally:
        holding.kill()
        holding.wait()
    assert waited.returncode == 4 and elapsed >= 1.5
    assert f"is locked by nightly apply on {socket.gethostname()} (pid {holding.pid}) since" in waited.stderr
    assert waited.stderr.endswith("frees the lock (waited 1.5 s for it)\n")
    assert at_once.returncode == 4 and "waited" not in at_once.stderr


def test_a_lock_timeout_that_is_no_duration_is_a_usage_error(repo: Path) -> None:
    result = run_process("apply", "--auto-approve", "--lock-timeout", "2 weeks", cwd=repo)
    assert result.returncode == 1
    assert "`2 weeks` is not a duration; give e.g. 30s, 2m, 1h or 0" in result.stderr


@pytest.mark.parametrize(("text", "seconds"), [("0", 0.0), ("30s", 30.0), ("2m", 120.0), ("1h", 3600.0),
                                               ("1.5", 1.5), (" 10S ", 10.0)])
def test_durations(text: str, seconds: float) -> None:
    assert Duration().convert(text, None, None) == seconds


@pytest.mark.parametrize("text", ["", "s", "-1s", "nan", "inf", "2ms", "1d"])
def test_not_durations(text: str) -> None:
    with pytest.raises(click.BadParameter):
        Duration().convert(text, None, None)


def test_a_reused_pid_is_not_the_holder(tmp_path: Path) -> None:
    backend = open_backend("memory://")
    mine = backend.acquire_lock("demo", "me", 60)
    assert mine.pid == os.getpid() and not holder.ended(mine)
    recorded = dict(mine.extra["holder"])
    reused = LockInfo(**{**mine.__dict__, "extra": {"holder": {**recorded, "started": "1"}}})
    assert holder.ended(reused), "the same pid, started at another time: another process"
