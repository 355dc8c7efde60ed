"""The executor seam: every call on a run goes to the executor its `status.executor` names.

A fake executor registered in `EXECUTORS` (a real class, executing at once in this process) stands for
the remote executors to come; `dhsync run|apply|stop|logs|runs` and the SDK's Run reach it. A run naming
an executor this dhsync lacks is a clear error; a local run stored in the older shape still stops.
"""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from dhsync.model.runstate import RunState
from dhsync.runtimes import EXECUTORS, ExecuteOptions, ExecutionRequest, RunStore, UnknownExecutorError, read_logs
from dhsync.runtimes import executor as executors
from dhsync.runtimes.lifecycle import record
from dhsync.sdk.run import Run
from tests.cli.stored import PROJECT, open_state, runs_of
from tests.conftest import RunCli

FAKE = "fake"


class FakeExecutor:
    """Executes a request at once: RUNNING under a job handle, then COMPLETED when the caller waits."""

    def __init__(self) -> None:
        self.requests: list[ExecutionRequest] = []
        self.calls: list[tuple[str, str]] = []

    def execute(self, store: RunStore, run: Mapping[str, Any], request: ExecutionRequest,
                options: ExecuteOptions) -> dict[str, Any]:
        self.requests.append(request)
        handle = {"name": FAKE, "job": f"job-{str(run['id'])[:8]}"}
        running = record(store, run, RunState.RUNNING, spec=request.spec, executor=handle)
        if not options.wait:
            return running
        return record(store, running, RunState.COMPLETED, results={"ran": request.code is not None})

    def stop(self, store: RunStore, run: Mapping[str, Any]) -> dict[str, Any]:
        self.calls.append(("stop", _job(run)))
        return record(store, run, RunState.STOPPED, message="deleted the job")

    def logs(self, store: RunStore, run: Mapping[str, Any]) -> str:
        self.calls.append(("logs", _job(run)))
        return f"log of {_job(run)}\n"

    def follow(self, store: RunStore, run: Mapping[str, Any]) -> Iterator[bytes]:
        self.calls.append(("follow", _job(run)))
        yield f"followed {_job(run)}\n".encode()

    def refresh(self, store: RunStore, run: Mapping[str, Any]) -> dict[str, Any]:
        self.calls.append(("refresh", _job(run)))
        return store.get_run(str(run["project"]), str(run["id"]))


def _job(run: Mapping[str, Any]) -> str:
    return str(run["status"]["executor"]["job"])


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> FakeExecutor:
    executor = FakeExecutor()
    monkeypatch.setitem(EXECUTORS, FAKE, executor)
    return executor


@pytest.fixture
def new_runs_go_to_fake(fake: FakeExecutor, monkeypatch: pytest.MonkeyPatch) -> FakeExecutor:
    monkeypatch.setattr(executors, "NEW_RUNS", FAKE)
    return fake


def _running_on(repo: Path, run_cli: RunCli, executor: dict[str, Any]) -> dict[str, Any]:
    """A run of count-words stored RUNNING with `executor` as its status.executor (made by the fake)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(EXECUTORS, FAKE, FakeExecutor())
        patch.setattr(executors, "NEW_RUNS", FAKE)
        assert run_cli("run", "count-words", "--no-wait", cwd=repo).exit_code == 0
    run = runs_of(repo)[0]
    backend = open_state(repo)
    try:
        return backend.update_run(PROJECT, run["id"], {"kind": run["kind"], "status": {
            **run["status"], "executor": executor}})
    finally:
        backend.close()


def test_dhsync_run_hands_the_runtimes_request_to_the_executor(repo: Path, run_cli: RunCli,
                                                               new_runs_go_to_fake: FakeExecutor) -> None:
    result = run_cli("run", "count-words", "--param", "minimum=3", cwd=repo)
    assert result.exit_code == 0, result.output
    [request] = new_runs_go_to_fake.requests
    assert request.code is not None and request.code.source["handler"] == "count"
    assert request.parameters == {"minimum": 3} and request.inputs == {"text": "data/words.txt"}
    assert request.outputs == {"report": "report"} and request.values == ("words", "longest")
    run = runs_of(repo)[0]
    assert run["status"]["state"] == "COMPLETED"
    assert run["status"]["executor"] == {"name": FAKE, "job": f"job-{run['id'][:8]}"}


def test_apply_executes_triggered_runs_on_the_executor(repo: Path, run_cli: RunCli,
                                                       new_runs_go_to_fake: FakeExecutor) -> None:
    result = run_cli("apply", "--auto-approve", cwd=repo)
    assert result.exit_code == 0, result.output
    triggered = {run["status"]["executor"]["name"] for run in runs_of(repo)}
    assert triggered == {FAKE} and len(new_runs_go_to_fake.requests) == 2


def test_stop_logs_and_runs_go_to_the_executor_the_run_records(repo: Path, run_cli: RunCli,
                                                               fake: FakeExecutor) -> None:
    run = _running_on(repo, run_cli, {"name": FAKE, "job": "job-7"})
    assert run_cli("logs", run["id"], cwd=repo).stdout == "log of job-7\n"
    assert run_cli("logs", run["id"], "--follow", cwd=repo).stdout == "followed job-7\n"
    assert run_cli("runs", cwd=repo).exit_code == 0
    stopped = run_cli("stop", run["id"], cwd=repo)
    assert stopped.exit_code == 0 and "STOPPED" in stopped.stdout
    assert fake.calls == [("logs", "job-7"), ("follow", "job-7"), ("refresh", "job-7"), ("refresh", "job-7"),
                          ("stop", "job-7")]


def test_the_sdk_run_goes_to_the_executor_the_run_records(repo: Path, run_cli: RunCli, fake: FakeExecutor) -> None:
    stored = _running_on(repo, run_cli, {"name": FAKE, "job": "job-9"})
    backend = open_state(repo)
    try:
        run = Run(stored, backend)
        assert run.logs() == "log of job-9\n"
        assert run.refresh().status.state == "RUNNING"
        assert run.stop().status.state == "STOPPED"
        assert run.wait().status.state == "STOPPED"
    finally:
        backend.close()
    assert [call for call, _ in fake.calls] == ["logs", "refresh", "stop", "refresh"]


def test_a_run_of_an_executor_this_dhsync_lacks_is_an_error_naming_it(repo: Path, run_cli: RunCli) -> None:
    run = _running_on(repo, run_cli, {"name": "kubernetes", "namespace": "ml", "job": "count-words-1"})
    named = (f"run `{run['id']}` was executed by the `kubernetes` executor, which this dhsync does not have "
             "(it has: local)")
    for command in (("stop", run["id"]), ("logs", run["id"])):
        result = run_cli(*command, cwd=repo)
        assert result.exit_code == 1 and named in result.stderr, command
    listed = run_cli("runs", cwd=repo)  # the others are still listed; this one as stored
    assert listed.exit_code == 0 and f"warning: {named}" in listed.stderr
    assert "RUNNING" in listed.stdout
    backend = open_state(repo)
    try:
        with pytest.raises(UnknownExecutorError, match="`kubernetes` executor"):
            read_logs(backend, run)
    finally:
        backend.close()


def test_a_local_run_stored_before_status_executor_still_stops(repo: Path, run_cli: RunCli) -> None:
    # An older shape: the host and pids at the top of the status, no `executor`. The handler's process
    # group is a real one; it is its own supervisor here, so once it is gone the stop is recorded.
    process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"], start_new_session=True)
    try:
        run = _running_on(repo, run_cli, {})
        status = {key: value for key, value in run["status"].items() if key != "executor"}
        status.update(host=socket.gethostname(), pid=process.pid, supervisor=process.pid)
        backend = open_state(repo)
        try:
            backend.update_run(PROJECT, run["id"], {"kind": run["kind"], "status": status})
        finally:
            backend.close()
        stopped = run_cli("stop", run["id"], cwd=repo)
        assert stopped.exit_code == 0, stopped.output
        assert process.wait(10) == -signal.SIGTERM
        assert runs_of(repo)[0]["status"]["state"] == "STOPPED"
    finally:
        process.kill()
        process.wait()
