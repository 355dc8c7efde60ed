"""Signals and the lock, with `dhsync` as real processes: Ctrl-C (SIGINT) and SIGTERM while a triggered
run executes and at every write of an apply (with a second Ctrl-C as the lock is released), a second
apply while the first holds the lock, an expired lock taken over, and the lock that an apply killed
with SIGKILL leaves behind as a user meets it."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from dhsync.apply.lock import HeldLock
from dhsync.backends.base import Backend
from dhsync.backends.entities import iso
from dhsync.model.errors import LockHeldError
from dhsync.model.state import LockInfo
from tests.apply.crash_repo import (
    HERE,
    PROJECT,
    SLEEPY,
    alive,
    assert_converged,
    assert_killed,
    backend_of,
    census,
    dhsync,
    env,
    kill_apply,
    lock_expired,
    running_run,
    start_dhsync,
    stop_handlers,
    wait_for,
    write_repo,
)
from tests.apply.crash_sweep import Scenario, chosen, first_apply, sweep

JOURNAL = Path(".dhsync") / "journal" / f"{PROJECT}.jsonl"


@pytest.fixture
def sleepy(tmp_path: Path) -> Iterator[Path]:
    """alpha-run sleeps a minute: long enough to be interrupted, never long enough to end by itself."""
    root = write_repo(tmp_path / "repo", alpha=SLEEPY, parameters="{seconds: 60}")
    yield root
    stop_handlers(root)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_signal_while_a_run_executes_stops_it_releases_the_lock_and_the_next_apply_finishes(
        sleepy: Path, signum: signal.Signals) -> None:
    first = start_dhsync(sleepy, "apply", "--auto-approve")
    try:
        run = wait_for("alpha-run to be RUNNING", lambda: running_run(sleepy, "alpha-run"))
        handler = int(run["status"]["executor"]["pid"])
        first.send_signal(signum)
        _, err = first.communicate(timeout=60)
    finally:
        first.kill()
    assert first.returncode == 130, err
    assert err.endswith("interrupted\n") and "Traceback" not in err
    found = census(sleepy)
    assert found["states"] == {"STOPPED": 1} and not found["locked"], found
    with backend_of(sleepy) as backend:
        stopped = backend.get_run(PROJECT, str(run["id"]))
    assert stopped["status"]["message"] == (f"interrupted ({signum.name}) while waiting; the handler's process "
                                            "was stopped")
    assert not alive(handler)
    assert dhsync(sleepy, "lock", "info").stdout == f"project {PROJECT} is not locked\n"
    assert (sleepy / JOURNAL).exists(), "the interrupted apply's journal stays for the next apply"

    finished = dhsync(sleepy, "apply", "--auto-approve")
    assert finished.returncode == 0, finished.stderr
    assert (f"note: run {run['id']} of `alpha-run` was being executed by an apply that was interrupted; it is "
            "STOPPED now. `dhsync run alpha-run` runs it again") in finished.stderr
    assert "took over" not in finished.stderr
    found = assert_converged(sleepy, versions={"alpha": 1, "beta": 1}, always_runs=1)
    assert found["states"] == {"STOPPED": 1, "COMPLETED": 1}
    assert not (sleepy / JOURNAL).exists()


def test_ctrl_c_pressed_again_as_the_lock_is_released_does_not_keep_it(tmp_path: Path) -> None:
    root = write_repo(tmp_path / "repo")
    interrupted = kill_apply(root, "2", "after", "60", "INT", "again")
    assert interrupted.returncode == 130, interrupted.stderr
    assert dhsync(root, "lock", "info").stdout == f"project {PROJECT} is not locked\n"


def test_ctrl_c_pressed_again_as_apply_says_interrupted_still_exits_130(sleepy: Path) -> None:
    first = subprocess.Popen([sys.executable, str(HERE / "crash_cli.py"), "apply", "--auto-approve"], cwd=sleepy,
                             env=env(), text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        wait_for("alpha-run to be RUNNING", lambda: running_run(sleepy, "alpha-run"))
        first.send_signal(signal.SIGINT)
        _, err = first.communicate(timeout=60)
    finally:
        first.kill()
    assert not census(sleepy)["locked"]
    assert (first.returncode, err.count("interrupted"), "Traceback" in err) == (130, 1, False), err


def test_a_second_apply_while_the_first_holds_the_lock_exits_4_naming_the_holder(sleepy: Path) -> None:
    first = start_dhsync(sleepy, "apply", "--auto-approve")
    try:
        wait_for("alpha-run to be RUNNING", lambda: running_run(sleepy, "alpha-run"))
        with backend_of(sleepy) as backend:
            held = backend.lock_info(PROJECT)
        assert held is not None
        second = dhsync(sleepy, "apply", "--auto-approve")
        info = dhsync(sleepy, "lock", "info")
    finally:
        first.send_signal(signal.SIGINT)
        first.communicate(timeout=60)
    assert second.returncode == 4, second.stderr
    assert second.stderr == (
        f"error: project `{PROJECT}` is locked by {held.owner} on {socket.gethostname()} (pid {first.pid}) since "
        f"{iso(held.acquired_at)}, until {_until(second.stderr)} unless renewed. Wait for it to finish; if that "
        "process is gone, `dhsync lock release --force` frees the lock\n")
    assert held.owner.endswith("(dhsync apply)")
    assert info.returncode == 0
    lines = info.stdout.splitlines()
    assert lines[:4] == [f"project:   {PROJECT}", "state:     held", f"owner:     {held.owner}",
                         f"host, pid: {socket.gethostname()}, {first.pid}"]
    assert lines[4] == f"since:     {held.acquired_at.isoformat()}"
    assert first.returncode == 130
    assert census(sleepy)["runs"] == {"alpha-run": 1}, "the refused apply wrote nothing"


def _until(message: str) -> str:
    return message.partition(", until ")[2].partition(" unless renewed")[0]


def test_an_expired_lock_is_taken_over_with_a_note(tmp_path: Path) -> None:
    root = write_repo(tmp_path / "repo")
    with backend_of(root) as backend:
        gone = backend.acquire_lock(PROJECT, "gone", 0.05)
    wait_for("the lock to expire", lambda: lock_expired(root))
    applied = dhsync(root, "apply", "--auto-approve")
    assert applied.returncode == 0, applied.stderr
    assert applied.stderr == (f"note: took over the expired lock of gone on {gone.host} (pid {gone.pid}), which "
                              "ended without releasing it\n")
    assert_converged(root, versions={"alpha": 1, "beta": 1}, always_runs=1)


def test_after_a_sigkill_with_the_default_ttl_the_user_is_told_to_force_release_and_apply_finishes(
        tmp_path: Path) -> None:
    root = write_repo(tmp_path / "repo")
    killed = kill_apply(root, "2", "after", "60")  # function alpha created, nothing else
    assert_killed(killed)

    # issue 8: the next apply no longer exits 4 here, it takes the lock of the killed apply over
    # (tests/apply/test_lock_takeover.py); freeing it by hand, as below, still works.
    info = dhsync(root, "lock", "info")
    assert info.returncode == 0 and "state:     held" in info.stdout
    with backend_of(root) as backend:
        left = backend.lock_info(PROJECT)
    assert left is not None and not alive(left.pid) and left.expires_at > datetime.now(UTC)

    without_force = dhsync(root, "lock", "release")
    assert without_force.returncode == 1
    assert without_force.stderr == (f"error: the lock belongs to {left.owner} on {left.host} (pid {left.pid}, which "
                                    "no longer runs); if that process is gone, `dhsync lock release --force` frees "
                                    "it\n")
    released = dhsync(root, "lock", "release", "--force")
    assert released.returncode == 0
    assert released.stdout == (f"released the lock of {left.owner} on {left.host} (pid {left.pid}), held since "
                               f"{left.acquired_at.isoformat()}\n")
    assert dhsync(root, "lock", "info").stdout == f"project {PROJECT} is not locked\n"

    finished = dhsync(root, "apply", "--auto-approve")
    assert finished.returncode == 0, finished.stderr
    assert_converged(root, versions={"alpha": 1, "beta": 1}, always_runs=1)


@pytest.fixture(scope="module")
def first(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    return first_apply(tmp_path_factory.mktemp("first"))


# After each kind of write: nothing journaled yet, a function, a run created and not executed, a run
# interrupted before its first update (the runtime records STOPPED), before its handler starts, while its
# handler runs, after it completed; the last write of the apply.
SIGNAL_POINTS = (
    "after create_project crash", "after create_function alpha", "after create_run alpha-run",
    "before alpha-run BUILT", "after alpha-run BUILT", "after alpha-run RUNNING", "after alpha-run COMPLETED",
    "after create_run beta-always", "after beta-always RUNNING", "after beta-always COMPLETED",
)


def test_sigint_sigterm_or_sighup_in_an_apply_releases_the_lock_at_once_and_the_next_apply_converges(
        first: Scenario, tmp_path: Path) -> None:
    """SIGINT, SIGTERM and SIGHUP in turn at each point; a second SIGINT arrives as the lock is released,
    and must not keep it held."""
    points = chosen(first, SIGNAL_POINTS, again=True)
    sweep(first, tmp_path, [replace(p, signal=("INT", "TERM", "HUP")[i % 3]) for i, p in enumerate(points)])


class StalledHeartbeat:
    """The sqlite backend, whose renewals from the heartbeat thread hang until `go` is set: a suspended
    process or a stalled backend, as the thread sees it."""

    def __init__(self, inner: Backend) -> None:
        self.inner = inner
        self.go = threading.Event()

    def heartbeat_lock(self, lock: LockInfo, ttl: float) -> LockInfo:
        if threading.current_thread().name == "dhsync-lock-heartbeat":
            self.go.wait()
        return self.inner.heartbeat_lock(lock, ttl)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


@pytest.mark.parametrize("taken_over", [True, False], ids=["taken-over", "still-ours"])
def test_a_write_after_the_heartbeat_fell_behind_renews_the_lock_or_is_refused(tmp_path: Path,
                                                                               taken_over: bool) -> None:
    root = write_repo(tmp_path / "repo")
    with backend_of(root) as backend:
        stalled = StalledHeartbeat(backend)
        held = HeldLock(stalled, PROJECT, "first (dhsync apply)", ttl=0.3)
        held.acquire()
        try:
            wait_for("the lock to expire", lambda: lock_expired(root))
            if taken_over:
                backend.acquire_lock(PROJECT, "second (dhsync apply)", 60)
                with pytest.raises(LockHeldError, match="is now held by second"):
                    held.check()
            else:
                held.check()
                renewed = backend.lock_info(PROJECT)
                assert renewed is not None and renewed.owner == "first (dhsync apply)"
                assert not lock_expired(root)
        finally:
            stalled.go.set()
            held.release()
        assert (backend.lock_info(PROJECT) is not None) is taken_over, "release frees only a lock still ours"
