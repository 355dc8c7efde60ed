"""The local executor as one object: the handler runs in a child process of this machine.

Its handle in `status.executor` is `host`, `supervisor` (the process answering for the run) and, once
the handler started, `pid` (the handler's process group); see `supervise.executor_info`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from dhsync.runtimes.base import ExecuteOptions, RunStore
from dhsync.runtimes.local import control
from dhsync.runtimes.request import ExecutionRequest


class LocalExecutor:
    def execute(self, store: RunStore, run: Mapping[str, Any], request: ExecutionRequest,
                options: ExecuteOptions) -> dict[str, Any]:
        from dhsync.runtimes.local.job import execute_job  # child processes load on first use, not on `dhsync runs`

        return execute_job(store, run, request, options)

    def stop(self, store: RunStore, run: Mapping[str, Any]) -> dict[str, Any]:
        return control.stop_run(store, run)

    def logs(self, store: RunStore, run: Mapping[str, Any]) -> str:
        return control.read_log(store, run)

    def follow(self, store: RunStore, run: Mapping[str, Any]) -> Iterator[bytes]:
        return control.follow_log(store, run)

    def refresh(self, store: RunStore, run: Mapping[str, Any]) -> dict[str, Any]:
        return control.refresh(store, run)
