"""Run states, and the faults that end a run: timeouts, crashes, huge logs, requirements, refusals."""

from __future__ import annotations

import re
from datetime import datetime

import pytest

from dhsync.model.errors import RuntimeExecutionError
from dhsync.runtimes import NotRunnableError, duration, execute_run, log_file
from dhsync.runtimes.local import supervise
from tests.runtimes.conftest import PROJECT, Lab, message, states

FOREVER = "import time\ndef main():\n    print('started', flush=True)\n    while True:\n        time.sleep(0.05)\n"


def test_a_completed_run_records_every_state_with_increasing_times(lab: Lab) -> None:
    run = lab.go("def main():\n    return 1\n")
    assert states(run) == ["CREATED", "BUILT", "READY", "RUNNING", "COMPLETED"]
    times = [datetime.fromisoformat(t["time"]) for t in run["status"]["transitions"]]
    assert times == sorted(times)
    assert run["status"]["executor"]["name"] == "local"
    assert duration(run) is not None
    assert lab.stored(run) == run  # what execute returns is what the backend holds


def test_a_run_that_is_not_created_cannot_be_executed_again(lab: Lab) -> None:
    run = lab.go("def main():\n    return 1\n")
    with pytest.raises(RuntimeExecutionError, match="is COMPLETED; only a CREATED run can be executed"):
        lab.execute(run)


def test_a_handler_that_never_returns_is_stopped_at_the_timeout(lab: Lab) -> None:
    # 1.5 s: ample for the child to start and print, so the log shows the handler was inside its loop
    run = lab.go(FOREVER, timeout=1.5)
    assert run["status"]["state"] == "ERROR"
    assert message(run) == "the run did not finish within 1.5 s (timeout); its process was stopped"
    log = lab.logs(run)
    assert "started" in log and "the run did not finish within 1.5 s (timeout); stopping it" in log
    assert states(run)[-2:] == ["RUNNING", "ERROR"]


def test_a_handler_that_ignores_sigterm_is_killed_after_the_timeout(lab: Lab, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(supervise, "KILL_GRACE_SECONDS", 0.3)
    code = "import signal\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\n" + FOREVER
    run = lab.go(code, timeout=1.5)  # ample time to install the SIG_IGN before the timeout
    assert run["status"]["state"] == "ERROR"
    assert "did not stop within 0.3 s of SIGTERM; killing it" in lab.logs(run)


def test_a_handler_that_exits_the_interpreter_is_an_error_with_its_exit_code(lab: Lab) -> None:
    run = lab.go("import os\ndef main():\n    print('bye', flush=True)\n    os._exit(3)\n")
    assert run["status"]["state"] == "ERROR"
    assert message(run).startswith("the handler's process exited with code 3 before it returned a result")
    assert "bye" in lab.logs(run)


def test_sys_exit_in_the_handler_is_an_error_saying_so(lab: Lab) -> None:
    run = lab.go("import sys\ndef main():\n    sys.exit(2)\n")
    assert message(run) == "handler `main` called sys.exit(2) instead of returning"


def test_a_segfault_is_an_error_naming_the_signal_with_the_stack_in_the_log(lab: Lab) -> None:
    run = lab.go("import ctypes\ndef main():\n    ctypes.string_at(0)\n")
    assert run["status"]["state"] == "ERROR"
    assert message(run).startswith("the handler's process was killed by SIGSEGV before it returned a result")
    assert f"see `dhsync logs {run['id']}`" in message(run)
    assert "Fatal Python error: Segmentation fault" in lab.logs(run)


def test_huge_logs_are_cut_at_the_limit_with_a_note_and_the_run_completes(lab: Lab) -> None:
    code = "import sys\ndef main():\n    sys.stdout.write('x' * 300_000 + '\\n')\n    return 'done'\n"
    run = lab.go(code, log_limit=10_000)
    assert run["status"]["state"] == "COMPLETED"
    log = log_file(lab.backend, run).read_bytes()
    assert len(log) < 11_000
    assert b"[dhsync] the log reached its limit of 10000 bytes; further output is dropped" in log
    assert log.rstrip().endswith(b"bytes of output were dropped (log limit 10000 bytes)")


def test_unsatisfied_requirements_fail_the_run_before_it_starts_naming_them(lab: Lab) -> None:
    spec = {"requirements": ["surely-not-installed-package>=1", "pytest<1", "click>=1"]}
    run = lab.go("def main():\n    return 1\n", function_spec=spec)
    assert run["status"]["state"] == "ERROR"
    assert "surely-not-installed-package>=1 (not installed); pytest<1 (installed: " in message(run)
    assert "click" not in message(run)  # the satisfied one is not named
    assert states(run) == ["CREATED", "BUILT", "ERROR"]


def test_satisfied_requirements_let_the_run_start(lab: Lab) -> None:
    run = lab.go("def main():\n    return 1\n", function_spec={"requirements": ["click>=1", "pytest"]})
    assert run["status"]["state"] == "COMPLETED", message(run)


@pytest.mark.parametrize(("kind", "action", "spec", "why"), [
    ("container", "job", {"image": "busybox"}, "the local executor does not run `container+job` runs yet"),
    ("dbt", "transform", {"source": {"code": "select 1", "lang": "sql"}},
     "the local executor does not run `dbt+transform` runs yet"),
    ("python", "build", {}, "the local executor does not run `python+build` runs yet"),
    ("python", "serve", {}, "the local executor does not run `python+serve` runs yet"),
])
def test_runs_the_local_executor_cannot_execute_are_refused_and_stay_created(
        lab: Lab, kind: str, action: str, spec: dict[str, object], why: str) -> None:
    fn = lab.function("def main():\n    pass\n", kind=kind, **spec)
    run = lab.run(fn, action)
    with pytest.raises(NotRunnableError, match=re.escape(why)):
        lab.execute(run)
    stored = lab.stored(run)
    assert stored["status"]["state"] == "CREATED"
    assert message(stored).startswith(why) and "did not execute" in message(stored)


def test_a_run_left_to_a_remote_executor_is_refused_and_stays_created(lab: Lab) -> None:
    fn = lab.function("def main():\n    pass\n")
    run = lab.run(fn, local_execution=False)
    with pytest.raises(NotRunnableError, match="has local_execution: false"):
        lab.execute(run)
    assert lab.stored(run)["status"]["state"] == "CREATED"


def test_a_kind_without_a_runtime_is_refused_naming_the_entry_point_group(lab: Lab) -> None:
    fn = lab.backend.create_function(PROJECT, {"kind": "sparkish", "name": "s", "spec": {}})
    task = lab.backend.create_task(PROJECT, {"kind": "sparkish+job", "spec": {
        "function": f"sparkish://{PROJECT}/s:{fn['id']}"}})
    run = lab.backend.create_run(PROJECT, {"kind": "sparkish+job:run", "spec": {
        "task": f"sparkish+job://{PROJECT}/{task['id']}"}})
    with pytest.raises(NotRunnableError, match="no runtime is installed for `sparkish\\+job` runs"):
        execute_run(lab.backend, run)
    assert lab.stored(run)["status"]["state"] == "CREATED"


def test_not_waiting_needs_a_backend_another_process_can_open(lab: Lab) -> None:
    fn = lab.function("def main():\n    pass\n")
    run = lab.run(fn)
    with pytest.raises(RuntimeExecutionError, match="cannot go on without waiting"):
        lab.execute(run, wait=False, reopen=None)
    assert lab.stored(run)["status"]["state"] == "CREATED"
