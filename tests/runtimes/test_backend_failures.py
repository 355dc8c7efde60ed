"""A backend that fails while a run starts, and a process that dies while it prepares one: no run is
left BUILT, READY or RUNNING with nothing to end it, and no handler goes on with nobody watching."""

from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from dhsync.model.errors import BackendError
from dhsync.runtimes import execute_run, refresh_run, state_of, stop_run
from dhsync.runtimes.local.control import alive
from dhsync.runtimes.local.files import RunFiles
from dhsync.runtimes.local.git import cached_checkout
from tests.runtimes.conftest import WAIT_SECONDS, FailingWrites, Lab, message, states

DRIVER = Path(__file__).with_name("run_in_process.py")
FOREVER = "import time\ndef main():\n    print('started', flush=True)\n    while True:\n        time.sleep(0.05)\n"
FAILED = "dhsync failed while executing the run (BackendError: the backend answered 503 Service Unavailable"
ENDED = ") and ended it; no process of it is left running. Start a new run once that is fixed"


def _execute(lab: Lab, store: FailingWrites, code: str, **options: object) -> dict[str, object]:
    run = lab.run(lab.function(code))
    with pytest.raises(BackendError, match=r"\(failure 1\)$"):  # the caller hears of it and reports it
        execute_run(store, run, repo_root=lab.root, timeout=WAIT_SECONDS, **options)  # type: ignore[arg-type]
    return lab.stored(run)


def test_a_failed_write_of_ready_ends_the_run_in_error(lab: Lab) -> None:
    ended = _execute(lab, FailingWrites(lab.backend, "READY"), "def main():\n    return 1\n")
    assert states(ended) == ["CREATED", "BUILT", "ERROR"]
    assert message(ended) == f"{FAILED} (failure 1){ENDED}"
    assert message(ended) in lab.logs(ended)
    assert not RunFiles(lab.backend.data_dir(), str(ended["id"])).work.exists()


def test_a_failed_write_of_running_stops_the_child_that_was_started(lab: Lab) -> None:
    store = FailingWrites(lab.backend, "RUNNING")
    ended = _execute(lab, store, FOREVER)
    assert not alive(store.executor_written("RUNNING")["pid"])  # stopped, not left to run unwatched
    assert states(ended) == ["CREATED", "BUILT", "READY", "ERROR"]
    assert message(ended).startswith(FAILED)


def test_a_failed_hand_over_to_a_detached_supervisor_leaves_no_process(lab: Lab) -> None:
    store = FailingWrites(lab.backend, "READY")
    ended = _execute(lab, store, FOREVER.replace("started", "in the handler"), wait=False, reopen=lab.reopen())
    assert not alive(store.executor_written("READY")["supervisor"])
    assert states(ended) == ["CREATED", "BUILT", "ERROR"]
    assert "in the handler" not in lab.logs(ended)


def test_when_recording_the_error_fails_too_the_first_failure_is_the_one_reported(lab: Lab) -> None:
    store = FailingWrites(lab.backend, "READY", "ERROR", times=None)
    left = _execute(lab, store, "def main():\n    return 1\n")
    assert store.failures == 2  # ERROR was tried, and its failure did not replace the first one
    # left BUILT, it names this process: once this process is gone, refresh ends the run
    assert state_of(left) == "BUILT" and left["status"]["executor"]["supervisor"] == os.getpid()
    assert state_of(refresh_run(lab.backend, left)) == "BUILT"


def test_a_detached_run_names_its_supervisor_as_soon_as_it_is_handed_over(lab: Lab) -> None:
    # not the caller, which may exit at once: `refresh` would end the run as abandoned
    run = lab.execute(lab.run(lab.function("def main():\n    return 1\n")), wait=False, reopen=lab.reopen())
    assert run["status"]["executor"]["supervisor"] != os.getpid()
    done = lab.wait_for(run, lambda r: state_of(r) == "COMPLETED", "completed")
    assert states(done) == ["CREATED", "BUILT", "READY", "RUNNING", "COMPLETED"]


def test_a_run_whose_preparing_process_died_is_ended_by_refresh(lab: Lab, tmp_path: Path) -> None:
    url = f"git+file://{tmp_path}/code-repo"
    lock = cached_checkout(tmp_path / "cache" / "git", url).with_suffix(".lock")
    lock.parent.mkdir(parents=True)
    with lock.open("a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # the run waits in its preparation, BUILT
        driver = subprocess.Popen([sys.executable, str(DRIVER), lab.url, str(lab.root), "git", url],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert driver.stdout is not None
        run = {"project": "demo", "id": driver.stdout.readline().strip()}
        built = lab.wait_for(run, lambda r: state_of(r) == "BUILT", "got BUILT")
        driver.send_signal(signal.SIGKILL)
        driver.communicate(timeout=WAIT_SECONDS)
    assert state_of(lab.stored(built)) == "BUILT"
    ended = refresh_run(lab.backend, built)
    assert state_of(ended) == "ERROR"
    assert message(ended) == (f"the process that prepared the run (pid {driver.pid}) ended before the handler "
                              "started; start a new run")
    assert stop_run(lab.backend, ended) == ended
