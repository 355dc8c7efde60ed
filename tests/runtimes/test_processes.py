"""Runs across processes: Ctrl-C while waiting, detached runs, stopping them, a supervisor that dies."""

from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from dhsync.model.errors import RuntimeExecutionError
from dhsync.runtimes import follow_logs, refresh_run, state_of, stop_run
from dhsync.runtimes.local.control import alive
from dhsync.runtimes.local.git import cached_checkout
from tests.runtimes.conftest import WAIT_SECONDS, Lab, message, states

DRIVER = Path(__file__).with_name("run_in_process.py")
FOREVER = "import time\ndef main():\n    print('started', flush=True)\n    while True:\n        time.sleep(0.05)\n"


def _await(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {WAIT_SECONDS} s in vain for: {what}")
        time.sleep(0.02)


def _gone(pid: int) -> bool:
    _await(lambda: not alive(pid), f"process {pid} to end")
    return True


def _driver(lab: Lab, *mode: str, nohup: bool = False) -> tuple[subprocess.Popen[str], dict[str, Any]]:
    """The driver process and the id of its run (see run_in_process.py for the modes); `nohup`: it starts
    with SIGHUP ignored, as under nohup(1)."""
    def ignore_hangups() -> None:
        signal.signal(signal.SIGHUP, signal.SIG_IGN)

    process = subprocess.Popen([sys.executable, str(DRIVER), lab.url, str(lab.root), *mode],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               preexec_fn=ignore_hangups if nohup else None)
    assert process.stdout is not None
    run_id = process.stdout.readline().strip()
    if not run_id:
        pytest.fail(f"the driver did not start: {process.communicate(timeout=WAIT_SECONDS)[1]}")
    return process, {"project": "demo", "id": run_id}


def _running_driver(lab: Lab, *mode: str, nohup: bool = False) -> tuple[subprocess.Popen[str], dict[str, Any]]:
    """The driver, once its run is RUNNING inside the handler."""
    process, run = _driver(lab, *mode, nohup=nohup)
    return process, lab.wait_running(run, "started")


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP])
def test_a_signal_while_waiting_stops_the_child_and_records_stopped(lab: Lab, signum: signal.Signals) -> None:
    process, running = _running_driver(lab, "forever")
    process.send_signal(signum)
    _out, err = process.communicate(timeout=WAIT_SECONDS)
    assert process.returncode == 130, err
    stopped = lab.stored(running)
    assert stopped["status"]["state"] == "STOPPED"
    assert message(stopped) == (f"interrupted ({signum.name}) while waiting; the handler's process was stopped")
    assert _gone(running["status"]["executor"]["pid"])


def _signal_masks(pid: int) -> dict[str, int]:
    """The SigIgn and SigCgt masks of a process (Linux): which signals it ignores, which it handles."""
    fields = dict(line.split(":\t") for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":\t" in line)
    return {name: int(fields[name], 16) for name in ("SigIgn", "SigCgt")}


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads signal masks from /proc (Linux)")
def test_under_nohup_the_waiting_process_keeps_ignoring_hangups(lab: Lab) -> None:
    process, _run = _running_driver(lab, "forever", nohup=True)
    masks = _signal_masks(process.pid)
    process.send_signal(signal.SIGINT)
    _out, err = process.communicate(timeout=WAIT_SECONDS)
    hup = 1 << (signal.SIGHUP - 1)
    assert (masks["SigIgn"] & hup, masks["SigCgt"] & hup) == (hup, 0)  # a closed terminal leaves it going
    assert masks["SigCgt"] & (1 << (signal.SIGTERM - 1))  # while SIGTERM still stops the run
    assert process.returncode == 130, err


def test_a_second_ctrl_c_while_the_child_is_stopping_still_records_stopped(lab: Lab, tmp_path: Path) -> None:
    mark = tmp_path / "got-sigterm"
    process, running = _running_driver(lab, "stubborn", str(mark))
    process.send_signal(signal.SIGINT)
    _await(mark.exists, "the handler got SIGTERM")  # the supervisor now waits out its grace period
    process.send_signal(signal.SIGINT)
    _out, err = process.communicate(timeout=WAIT_SECONDS)
    assert process.returncode == 130, err
    stopped = lab.stored(running)
    assert stopped["status"]["state"] == "STOPPED", stopped["status"]
    assert "did not stop within 1 s of SIGTERM; killing it" in lab.logs(stopped)
    assert _gone(running["status"]["executor"]["pid"])


def test_ctrl_c_before_the_handler_started_records_stopped(lab: Lab, tmp_path: Path) -> None:
    url = f"git+file://{tmp_path}/code-repo"
    lock = cached_checkout(tmp_path / "cache" / "git", url).with_suffix(".lock")
    lock.parent.mkdir(parents=True)
    with lock.open("a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # another run is cloning the same source: this one waits
        process, run = _driver(lab, "git", url)
        lab.wait_for(run, lambda r: state_of(r) == "BUILT", "got BUILT")
        process.send_signal(signal.SIGINT)
        _out, err = process.communicate(timeout=WAIT_SECONDS)
    assert process.returncode == 130, err
    stopped = lab.stored(run)
    assert stopped["status"]["state"] == "STOPPED"
    assert message(stopped) == "interrupted (SIGINT) before the handler started"
    assert states(stopped) == ["CREATED", "BUILT", "STOPPED"]


def test_a_detached_run_completes_after_the_call_returns(lab: Lab) -> None:
    fn = lab.function("def main(a):\n    print('working')\n    return a + 1\n")
    run = lab.execute(lab.run(fn, parameters={"a": 1}), wait=False, reopen=lab.reopen())
    assert state_of(run) in ("READY", "RUNNING", "COMPLETED")
    done = lab.wait_for(run, lambda r: state_of(r) == "COMPLETED", "completed")
    assert done["status"]["results"] == {"output_0": 2}
    assert done["status"]["executor"]["supervisor"] != os.getpid()
    assert "working" in lab.logs(done)


def test_a_detached_run_that_fails_is_an_error_like_a_waited_one(lab: Lab) -> None:
    fn = lab.function("def main():\n    raise RuntimeError('no data for today')\n")
    run = lab.execute(lab.run(fn), wait=False, reopen=lab.reopen())
    done = lab.wait_for(run, lambda r: state_of(r) == "ERROR", "failed")
    assert message(done) == "handler `main` raised RuntimeError: no data for today"


def test_stopping_a_running_detached_run(lab: Lab) -> None:
    run = lab.execute(lab.run(lab.function(FOREVER)), wait=False, reopen=lab.reopen())
    running = lab.wait_running(run, "started")
    stopped = stop_run(lab.backend, running)
    assert stopped["status"]["state"] == "STOPPED"
    assert states(stopped)[-3:] == ["RUNNING", "STOP", "STOPPED"]
    assert "stop requested; sending SIGTERM" in lab.logs(stopped)
    assert _gone(running["status"]["executor"]["pid"])
    assert stop_run(lab.backend, stopped) == stopped  # stopping an ended run changes nothing


def test_a_supervisor_killed_with_sigkill_leaves_a_run_that_refresh_ends_in_error(lab: Lab) -> None:
    run = lab.execute(lab.run(lab.function(FOREVER)), wait=False, reopen=lab.reopen())
    running = lab.wait_running(run, "started")
    executor = running["status"]["executor"]
    os.kill(executor["supervisor"], signal.SIGKILL)
    assert _gone(executor["supervisor"])
    ended = refresh_run(lab.backend, running)
    assert ended["status"]["state"] == "ERROR"
    assert message(ended) == (f"the process that supervised the run (pid {executor['supervisor']}) ended without "
                              "recording how the run ended; the handler's process was stopped")
    assert _gone(executor["pid"])
    assert message(ended) in lab.logs(ended)


def test_following_the_log_of_a_detached_run_streams_it_to_the_end(lab: Lab) -> None:
    code = ("import sys, time\ndef main():\n    for n in range(5):\n        print(f'step {n}', flush=True)\n"
            "        time.sleep(0.05)\n    print('oops', file=sys.stderr)\n    return n\n")
    run = lab.execute(lab.run(lab.function(code)), wait=False, reopen=lab.reopen())
    streamed = b"".join(follow_logs(lab.backend, run)).decode()
    assert lab.stored(run)["status"]["state"] == "COMPLETED"  # following ends when the run does
    assert streamed == lab.logs(run)
    assert "step 0\nstep 1\nstep 2\nstep 3\nstep 4\noops\n" in streamed


def test_following_a_run_whose_supervisor_died_ends_with_the_run(lab: Lab) -> None:
    run = lab.execute(lab.run(lab.function(FOREVER)), wait=False, reopen=lab.reopen())
    running = lab.wait_running(run, "started")
    os.kill(running["status"]["executor"]["supervisor"], signal.SIGKILL)
    streamed = b"".join(follow_logs(lab.backend, running)).decode()
    assert "started" in streamed and "ended without recording how the run ended" in streamed
    assert lab.stored(run)["status"]["state"] == "ERROR"


def test_a_run_that_never_started_has_no_log_to_follow(lab: Lab) -> None:
    run = lab.run(lab.function("def main():\n    pass\n"), local_execution=False)
    with pytest.raises(RuntimeExecutionError, match="has no logs: it has not started"):
        next(follow_logs(lab.backend, run))
