"""Killing or interrupting apply at many points and finishing each with a real apply: the kill points
of an apply, the scenarios (a first apply, a new version), and the sweep that runs them two at a time.

The kill script (crash_apply.py) is forked for each point from a forkserver that has dhsync imported:
importing dhsync in a fresh interpreter for each of ~60 kills would cost most of the time, and a forked
child is as real a process to kill. The apply that finishes the job is always `python -m dhsync apply --auto-approve`.
"""

from __future__ import annotations

import functools
import multiprocessing
import multiprocessing.context
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from dhsync.apply import RunSettings, SilentReporter
from dhsync.apply.reconcile import Request, reconcile
from dhsync.specs.loader import load_repository
from tests.apply import crash_apply
from tests.apply.crash_repo import (
    FAST,
    PROJECT,
    URL,
    assert_converged,
    backend_of,
    kill_apply,
    lock_expired,
    start_dhsync,
    write_repo,
)

TTL = "0.3"
PARALLEL = 2
ACTIVE = {"CREATED", "BUILT", "READY", "RUNNING", "STOP"}
# after BUILT is before READY, and so on: the same state, nothing journaled between them
SAME_AS_AFTER_PREVIOUS = ("update_run READY", "update_run RUNNING", "update_run COMPLETED")


@dataclass(frozen=True)
class KillPoint:
    n: int
    when: str
    call: str
    # what the process sends itself there (KILL, INT, TERM); `again`: a second SIGINT as it releases the lock
    signal: str = "KILL"
    again: bool = False

    def __str__(self) -> str:
        return f"SIG{self.signal}{' twice' if self.again else ''} {self.when} #{self.n} {self.call}"

    @property
    def killed(self) -> bool:
        return self.signal == "KILL"


@dataclass(frozen=True)
class Scenario:
    base: Path
    calls: tuple[str, ...]
    versions: dict[str, int]
    always_runs: int
    # deletes take run history: the kill script and the apply after it pass --cascade
    cascade: bool = False
    # the kill script's chunks: at most this many writes commit together (None: apply's own size)
    chunk: int | None = None

    @property
    def flags(self) -> list[str]:
        return [*(["cascade"] if self.cascade else []), *([f"chunk={self.chunk}"] if self.chunk else [])]


def apply_in_process(root: Path) -> None:
    """An uninterrupted apply, in this process (to set up a scenario)."""
    loaded = load_repository(root, use_cache=False)
    assert loaded.state is not None and loaded.config is not None
    with backend_of(root) as backend:
        result = reconcile(backend, Request(loaded.state, loaded.config, root, URL, root, runs=RunSettings(root)),
                           crash_apply.Approve(), SilentReporter())
    assert result.ok, result.outcomes


def counted_calls(base: Path, scratch: Path, *flags: str) -> tuple[str, ...]:
    """The writes an uninterrupted apply of `base` makes, from the kill script run to the end."""
    shutil.copytree(base, scratch)
    done = kill_apply(scratch, "0", "count", TTL, "KILL", *flags)
    assert done.returncode == 0, done.stderr
    return tuple(done.stdout.splitlines())


def kill_points(calls: tuple[str, ...]) -> list[KillPoint]:
    points = []
    for n, call in enumerate(calls, 1):
        if not call.startswith(SAME_AS_AFTER_PREVIOUS):
            points.append(KillPoint(n, "before", call))
        points.append(KillPoint(n, "after", call))
    return points


def _kill_script(args: list[str]) -> None:  # pragma: no cover - runs in the forked child
    os._exit(crash_apply.main(args))


@functools.cache
def _forkserver() -> multiprocessing.context.ForkServerContext:
    """Children forked from a single-threaded server that has dhsync imported already: as fast as forking
    the test process, without inheriting a lock some thread of the test process held at that moment
    (a heartbeat or a run's reader thread), which would hang the child."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["tests.apply.crash_apply"])
    return context


def fork_kill(root: Path, point: KillPoint, flags: list[str] | None = None) -> int:
    """The kill script's main in a forked child; returns its status as os.waitpid gives it."""
    args = [str(root), str(point.n), point.when, TTL, point.signal, *(["again"] if point.again else []),
            *(flags or [])]
    child = _forkserver().Process(target=_kill_script, args=(args,))
    child.start()
    child.join()
    code = child.exitcode
    assert code is not None
    return -code if code < 0 else code << 8  # a signal number, or the exit code in the high byte


FIRST_CHUNK = 3


def first_apply(folder: Path) -> Scenario:
    """An empty backend and the two-function repository, its four function and task writes in chunks of
    three: beta's version commits in the first chunk, its task in the second."""
    base = write_repo(folder / "base")
    calls = counted_calls(base, folder / "count", f"chunk={FIRST_CHUNK}")
    return Scenario(base, calls, {"alpha": 1, "beta": 1}, always_runs=1, chunk=FIRST_CHUNK)


def new_version(folder: Path) -> Scenario:
    """The repository applied once, then alpha's code edited: a new version, its task, both runs."""
    base = write_repo(folder / "base")
    apply_in_process(base)
    write_repo(base, alpha=FAST.replace("x * 2", "x * 3"))
    return Scenario(base, counted_calls(base, folder / "count"), {"alpha": 2, "beta": 1}, always_runs=2)


def pruned(folder: Path) -> Scenario:
    """beta applied in two versions (two runs), then removed from the repository with prune on: apply
    deletes both versions with their tasks and runs."""
    base = write_repo(folder / "base")
    apply_in_process(base)
    write_repo(base, beta=FAST.replace("x * 2", "x * 3"))
    apply_in_process(base)
    write_repo(base, beta=None, prune=True)
    return Scenario(base, counted_calls(base, folder / "count", "cascade"), {"alpha": 1}, always_runs=0,
                    cascade=True)


def run_name(scenario: Scenario, point: KillPoint) -> str | None:
    """The declared run whose create or execution the kill point falls in."""
    for call in reversed(scenario.calls[:point.n]):
        if call.startswith("create_run"):
            return call.partition(" ")[2]
        if not call.startswith("update_run"):
            return None
    return None


def label(scenario: Scenario, point: KillPoint) -> str:
    """`after create_function alpha`, `before create_run beta-always`, `after alpha-run RUNNING`."""
    call = point.call
    if call.startswith("update_run"):
        call = f"{run_name(scenario, point)} {call.partition(' ')[2]}"
    return f"{point.when} {call}"


def chosen(scenario: Scenario, labels: Sequence[str], **change: Any) -> list[KillPoint]:
    """The kill points with these labels (each must exist), changed as asked (signal, again)."""
    by_label = {label(scenario, p): p for p in kill_points(scenario.calls)}
    missing = [name for name in labels if name not in by_label]
    assert not missing, f"no such kill points: {missing}; there are {list(by_label)}"
    return [replace(by_label[name], **change) for name in labels]


def _expected_notes(scenario: Scenario, point: KillPoint) -> tuple[str | None, str | None]:
    """(run left CREATED: executed by the next apply, run left executing: noted by the next apply).
    Interrupted before BUILT, the runtime records the run STOPPED; killed there, it stays CREATED."""
    name = run_name(scenario, point)
    if name is None:
        return None, None
    call = point.call
    if call.startswith("create_run"):
        return (name if point.when == "after" else None), None
    if call == "update_run BUILT" and point.when == "before" and point.killed:
        return name, None
    return None, name


def assert_killed_status(status: int, what: object = "") -> None:
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL, f"{what}: status {status}"


def _check(scenario: Scenario, root: Path, point: KillPoint, applied: subprocess.CompletedProcess[str]) -> None:
    context = f"{point}: {applied.stdout}{applied.stderr}"
    assert applied.returncode == 0, context
    found = assert_converged(root, versions=scenario.versions, always_runs=scenario.always_runs, context=context,
                             real_plan=False)
    assert not ACTIVE & set(found["states"]), f"a run was left unfinished: {found['states']} [{context}]"
    created, executing = _expected_notes(scenario, point)
    if created is not None:
        assert f"run/{created}" in applied.stdout and "not executed yet" in applied.stdout, context
        assert found["states"] == {"COMPLETED": scenario.versions["alpha"] + scenario.always_runs}, context
    if executing is not None:
        assert "was being executed by an apply that was interrupted" in applied.stderr, context
        assert f"`{executing}`" in applied.stderr, context
    assert not (root / ".dhsync" / "journal" / f"{PROJECT}.jsonl").exists(), context


def sweep(scenario: Scenario, folder: Path, points: list[KillPoint]) -> None:
    """Kill or interrupt at each point (forked, one at a time), then, once the lock it left has expired,
    finish each with a real apply, two at a time; every failure is collected and reported together."""
    waiting = list(enumerate(points))
    killed: list[tuple[KillPoint, Path]] = []
    going: list[tuple[KillPoint, Path, subprocess.Popen[str]]] = []
    failures: list[str] = []
    cascade = ["--cascade"] if scenario.cascade else []
    give_up = time.monotonic() + 60 + 30 * len(points)  # only stops a hung sweep
    while waiting or killed or going:
        if time.monotonic() > give_up:
            for _, _, process in going:
                process.kill()
            raise AssertionError(f"the sweep hung: killed {[str(k[0]) for k in killed]}, applying "
                                 f"{[str(g[0]) for g in going]}; so far: {failures}")
        if waiting and len(killed) < PARALLEL:
            index, point = waiting.pop(0)
            root = folder / f"p{index:02d}"
            shutil.copytree(scenario.base, root)
            _check_stopped(root, point, fork_kill(root, point, scenario.flags))
            killed.append((point, root))
        for point, root in [k for k in killed if lock_expired(k[1])][:PARALLEL - len(going)]:
            killed.remove((point, root))
            going.append((point, root, start_dhsync(root, "apply", "--auto-approve", *cascade)))
        for point, root, process in [g for g in going if g[2].poll() is not None]:
            going.remove((point, root, process))
            out, err = process.communicate()
            try:
                _check(scenario, root, point, subprocess.CompletedProcess(process.args, process.returncode, out, err))
            except AssertionError as exc:
                failures.append(f"{point}: {exc}")
        if not waiting or len(killed) >= PARALLEL:
            time.sleep(0.02)  # polling the applies and the locks; nothing here is timed
    assert not failures, "\n\n".join(failures)


def _check_stopped(root: Path, point: KillPoint, status: int) -> None:
    if point.killed:
        assert_killed_status(status, point)  # its lock expires within TTL; the sweep waits for that
        return
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 130, f"{point}: status {status}"
    with backend_of(root) as backend:
        assert backend.lock_info(PROJECT) is None, f"{point}: the interrupted apply left its lock"


