"""A lab for the runtime tests: a real SQLite backend in tmp, functions and runs made in one call,
executed by the real local executor (child processes of this interpreter)."""

from __future__ import annotations

import base64
import contextlib
import subprocess
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from dhsync.backends import open_backend
from dhsync.backends.base import Backend
from dhsync.model.errors import BackendError
from dhsync.runtimes import BackendLocator, execute_run, read_logs, refresh_run, state_of
from dhsync.runtimes.local import job
from dhsync.runtimes.local.control import stop_run
from dhsync.sdk.execution import create_run, locator

PROJECT = "demo"
# Long enough for a loaded machine to start a child interpreter, short enough to keep tests quick.
WAIT_SECONDS = 20.0


@dataclass
class Lab:
    backend: Backend
    url: str
    root: Path  # the "repository": relative source files and input paths are found here

    def function(self, code: str | None = None, handler: str = "main", *, kind: str = "python",
                 **spec: Any) -> dict[str, Any]:
        """Store a function version; `code` goes inline as base64, like the SDK stores it."""
        source = dict(spec.pop("source", {}))
        if code is not None:
            source["base64"] = base64.b64encode(code.encode()).decode()
        if kind == "python":
            source.setdefault("handler", handler)
            spec = {"python_version": "PYTHON3_11", "source": source, **spec}
        return self.backend.create_function(PROJECT, {"kind": kind, "name": "fn", "spec": spec})

    def run(self, function: Mapping[str, Any], action: str = "job", **fields: Any) -> dict[str, Any]:
        """A stored CREATED run of `action` (local_execution unless the test says otherwise)."""
        return create_run(self.backend, function, action, {"local_execution": True, **fields})

    def execute(self, run: Mapping[str, Any], **options: Any) -> dict[str, Any]:
        options.setdefault("repo_root", self.root)
        options.setdefault("timeout", WAIT_SECONDS)
        return execute_run(self.backend, run, **options)

    def go(self, code: str, handler: str = "main", *, timeout: float | None = None, log_limit: int | None = None,
           function_spec: Mapping[str, Any] | None = None, **fields: Any) -> dict[str, Any]:
        """Function + run + execute, waiting for the end; returns the run as stored afterwards."""
        fn = self.function(code, handler, **dict(function_spec or {}))
        options: dict[str, Any] = {} if timeout is None else {"timeout": timeout}
        if log_limit is not None:
            options["log_limit"] = log_limit
        return self.execute(self.run(fn, **fields), **options)

    def stored(self, run: Mapping[str, Any]) -> dict[str, Any]:
        return self.backend.get_run(PROJECT, str(run["id"]))

    def logs(self, run: Mapping[str, Any]) -> str:
        return read_logs(self.backend, run)

    def reopen(self) -> BackendLocator:
        found = locator(self.url, self.root)
        assert found is not None
        return found

    def wait_for(self, run: Mapping[str, Any], done: Callable[[dict[str, Any]], bool],
                 what: str) -> dict[str, Any]:
        """Poll the stored run (refreshing it, as `dhsync runs` would) until `done` holds."""
        deadline = time.monotonic() + WAIT_SECONDS
        while True:
            current = refresh_run(self.backend, run)
            if done(current):
                return current
            if time.monotonic() > deadline:
                raise AssertionError(f"run never {what}; it is {state_of(current)}: {current.get('status')}")
            time.sleep(0.02)

    def wait_running(self, run: Mapping[str, Any], marker: str) -> dict[str, Any]:
        """Until the run is RUNNING and its handler printed `marker` (so it is inside the handler)."""
        def inside(current: dict[str, Any]) -> bool:
            if state_of(current) != "RUNNING":
                return False
            try:
                return marker in read_logs(self.backend, current)
            except Exception:
                return False
        return self.wait_for(run, inside, f"printed {marker!r} while RUNNING")


@pytest.fixture
def lab(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Lab]:
    monkeypatch.setenv("DHSYNC_CACHE_DIR", str(tmp_path / "cache"))  # git clones stay in this test
    root = tmp_path / "repo"
    root.mkdir()
    url = f"sqlite:///{tmp_path / 'state' / 'state.db'}"
    backend = open_backend(url)
    backend.create_project({"name": PROJECT})
    yield Lab(backend, url, root)
    stop_leftovers(backend, PROJECT)
    reap_detached()
    backend.close()


class FailingWrites:
    """The lab's backend, except that writing a run into one of `states` fails (a 503, a busy database):
    `times` times, or always when None. `written` keeps every run body it was asked to write."""

    def __init__(self, inner: Backend, *states: str, times: int | None = 1) -> None:
        self.inner, self.states, self.left = inner, states, times
        self.written: list[dict[str, Any]] = []
        self.failures = 0

    def update_run(self, project: str, id: str, body: Mapping[str, Any]) -> dict[str, Any]:
        self.written.append(dict(body))
        if (body.get("status") or {}).get("state") in self.states and self.left != 0:
            self.left = None if self.left is None else self.left - 1
            self.failures += 1
            raise BackendError(f"the backend answered 503 Service Unavailable (failure {self.failures})")
        return self.inner.update_run(project, id, body)

    def executor_written(self, state: str) -> dict[str, Any]:
        """`status.executor` of the last write into `state`, failed or not."""
        bodies = [b for b in self.written if (b.get("status") or {}).get("state") == state]
        return dict(bodies[-1]["status"].get("executor") or {})

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def stop_leftovers(backend: Backend, project: str) -> None:
    """Stop what a failed test left running, so that no handler outlives the test session."""
    for run in backend.list_runs(project, size=1000).items:
        if state_of(run) in ("BUILT", "READY", "RUNNING", "STOP"):
            with contextlib.suppress(Exception):
                stop_run(backend, run, grace=1.0)


def reap_detached() -> None:
    """Wait for the detached supervisors the test started (they end soon after their run does), killing
    one that does not. Left to the end of the session, even one that has ended is reported as "still
    running" (a ResourceWarning) when the interpreter exits without having waited for it."""
    for process in list(job._detached):
        try:
            process.wait(WAIT_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    job._detached.clear()


def states(run: Mapping[str, Any]) -> list[str]:
    return [t["status"] for t in (run.get("status") or {}).get("transitions") or []]


def message(run: Mapping[str, Any]) -> str:
    return str((run.get("status") or {}).get("message") or "")
