"""Start the child process of a READY run, carry its output to the log, record how it ended.

The supervisor is the caller's process when it waits, or a detached process (`detached.py`) when it
does not. The child gets its own session (process group), so a Ctrl-C in the terminal reaches only
the supervisor, which then stops the whole group and records STOPPED; `dhsync stop` signals the group.
"""

from __future__ import annotations

import contextlib
import os
import selectors
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from dhsync.model import signals
from dhsync.model.runstate import RunState, state_of
from dhsync.runtimes.base import RunStore
from dhsync.runtimes.lifecycle import record, record_after_failure
from dhsync.runtimes.local.files import artifact_key
from dhsync.runtimes.local.job_file import Job
from dhsync.runtimes.local.logsink import LogSink

CHILD_MODULE = "dhsync.runtimes.local.child"
POLL_SECONDS = 0.1
KILL_GRACE_SECONDS = 3.0
STRAY_GRACE_SECONDS = 1.0
_CHUNK = 65536


class Interrupted(KeyboardInterrupt):
    """The supervisor was told to stop while it waited (SIGINT, SIGTERM)."""

    def __init__(self, signal_name: str) -> None:
        super().__init__(signal_name)
        self.signal_name = signal_name


def supervise(store: RunStore, job: Job) -> dict[str, Any]:
    """Run the child of `job` to its end and return the run as recorded."""
    run = store.get_run(job.project, job.run_id)
    try:
        if state_of(run) in (RunState.STOP, RunState.STOPPED):
            return record(store, run, RunState.STOPPED, message="stopped on request before it started")
        with LogSink(Path(job.log), job.log_limit, job.secrets) as sink:
            return _supervise(store, run, job, sink)
    finally:
        shutil.rmtree(job.work, ignore_errors=True)


def _supervise(store: RunStore, run: Mapping[str, Any], job: Job, sink: LogSink) -> dict[str, Any]:
    process = _start(job)
    try:
        with signals.as_interrupt(_interrupted):
            recorded = record(store, run, RunState.RUNNING, executor=executor_info(os.getpid(), process.pid))
            started = state_of(recorded) == RunState.RUNNING
            timed_out = _pump(process, sink, job.timeout) if started else False
    except KeyboardInterrupt as exc:
        with shielded():
            _abandon(process, sink)
            name = exc.signal_name if isinstance(exc, Interrupted) else "SIGINT"
            record_after_failure(store, run, RunState.STOPPED,
                                 f"interrupted ({name}) while waiting; the handler's process was stopped")
        raise
    except BaseException:
        # RUNNING could not be recorded, the log could not be written: the child must not go on with
        # nobody watching it (the caller records ERROR and reports the failure)
        with shielded():
            _abandon(process, sink)
        raise
    if timed_out:
        sink.note(f"the run did not finish within {job.timeout:g} s (timeout); stopping it")
    if timed_out or not started:  # not started: a stop came while the process was starting
        _stop(process, sink)
    _end_group(process)
    sink.close()  # the log is complete before the final state says so (`dhsync logs --follow` stops there)
    return _finish(store, run, job, process.returncode, timed_out)


def executor_info(supervisor: int, pid: int | None = None) -> dict[str, Any]:
    """`status.executor` of a local run: the process answering for it (`supervisor`; before the child
    starts, the one preparing it) and, once started, the child's `pid` (its process group)."""
    info: dict[str, Any] = {"name": "local", "host": socket.gethostname(), "supervisor": supervisor}
    if pid is not None:
        info["pid"] = pid
    return info


def child_env(extra: Mapping[str, str]) -> dict[str, str]:
    env = {**os.environ, **extra, "PYTHONUNBUFFERED": "1"}
    # The child imports dhsync itself, also when dhsync is not installed but run from a checkout.
    home = str(Path(__file__).resolve().parents[3])
    env["PYTHONPATH"] = os.pathsep.join(p for p in (env.get("PYTHONPATH"), home) if p)
    return env


def _start(job: Job) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", CHILD_MODULE, job.request], cwd=job.cwd, env=child_env(job.env),
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)


def _pump(process: subprocess.Popen[bytes], sink: LogSink, timeout: float | None) -> bool:
    """Copy the child's output to the log until it ends; True when `timeout` ran out first."""
    assert process.stdout is not None
    fd = process.stdout.fileno()
    deadline = None if timeout is None else time.monotonic() + timeout
    exited_at: float | None = None
    with selectors.DefaultSelector() as selector:
        selector.register(fd, selectors.EVENT_READ)
        while True:
            if deadline is not None and time.monotonic() >= deadline:
                return True
            if selector.select(POLL_SECONDS):
                chunk = os.read(fd, _CHUNK)
                if not chunk:
                    process.wait()
                    return False
                sink.write(chunk)
            elif process.poll() is not None:
                # The child is gone but something it started still holds the pipe open.
                exited_at = exited_at or time.monotonic()
                if time.monotonic() - exited_at > STRAY_GRACE_SECONDS:
                    return False


def _stop(process: subprocess.Popen[bytes], sink: LogSink) -> None:
    """SIGTERM the child's group, keep logging for a grace period, then SIGKILL."""
    _signal_group(process.pid, signal.SIGTERM)
    try:
        process.wait(KILL_GRACE_SECONDS)
    except subprocess.TimeoutExpired:
        sink.note(f"the handler's process did not stop within {KILL_GRACE_SECONDS:g} s of SIGTERM; killing it")
        _signal_group(process.pid, signal.SIGKILL)
        process.wait()
    _drain(process, sink)


def _abandon(process: subprocess.Popen[bytes], sink: LogSink) -> None:
    """Stop the child and whatever it started, while the wait for it is cut short."""
    _stop(process, sink)
    _end_group(process)


def _drain(process: subprocess.Popen[bytes], sink: LogSink) -> None:
    assert process.stdout is not None
    os.set_blocking(process.stdout.fileno(), False)
    with contextlib.suppress(BlockingIOError, OSError):
        while chunk := os.read(process.stdout.fileno(), _CHUNK):
            sink.write(chunk)


def _end_group(process: subprocess.Popen[bytes]) -> None:
    # Whatever the handler started and left behind goes with it.
    _signal_group(process.pid, signal.SIGKILL)
    if process.stdout is not None:
        process.stdout.close()


def _signal_group(pid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signum)


def _interrupted(signum: signal.Signals) -> BaseException:
    # SIGTERM and SIGHUP stop the wait like Ctrl-C does: the child, in a session of its own, would
    # outlive the supervisor otherwise (under `nohup` a closed terminal leaves the run going)
    return Interrupted(signum.name)


# While the child is stopped and STOPPED recorded, a second Ctrl-C (or SIGTERM, SIGHUP) is ignored:
# cutting that short would leave the run RUNNING with nobody watching it. The grace bounds the wait.
shielded = signals.ignored


def _finish(store: RunStore, run: Mapping[str, Any], job: Job, code: int, timed_out: bool) -> dict[str, Any]:
    current = store.get_run(job.project, job.run_id)
    if state_of(current) in (RunState.STOP, RunState.STOPPED):
        return record(store, run, RunState.STOPPED, message="stopped on request; the handler's process was stopped")
    if timed_out:
        return record(store, run, RunState.ERROR, message=f"the run did not finish within {job.timeout:g} s (timeout); "
                                                  "its process was stopped")
    outcome = job.read_outcome()
    if outcome is None:
        return record(store, run, RunState.ERROR, message=_crash_message(code, job.run_id))
    if not outcome.get("ok"):
        return record(store, run, RunState.ERROR, message=str(outcome.get("message")))
    keys = {name: artifact_key(job.project, artifact, job.run_id)
            for name, artifact in dict(outcome.get("outputs") or {}).items()}
    return record(store, run, RunState.COMPLETED, results=outcome.get("results") or {}, outputs=keys)


def _crash_message(code: int, run_id: str) -> str:
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        how = f"was killed by {name}"
    else:
        how = f"exited with code {code}"
    return (f"the handler's process {how} before it returned a result (the interpreter crashed or "
            f"exited early); see `dhsync logs {run_id}`")
