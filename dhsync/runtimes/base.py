"""What a runtime is, what it needs from a backend, and the options of one execution.

Runtimes sit beside the backends in the layers, so they never import them: a runtime is handed an
object with the few backend methods it uses (`RunStore`; every `dhsync.backends.base.Backend` is one).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from dhsync.model.errors import RuntimeExecutionError

if TYPE_CHECKING:  # request.py imports RunStore from here
    from dhsync.runtimes.request import ExecutionRequest

# 16 MiB of stdout/stderr per run; what comes after is dropped with a note in the log.
DEFAULT_LOG_LIMIT = 16 * 1024 * 1024


class RunStore(Protocol):
    """The part of a backend a runtime uses: read what a run executes, record how it goes."""

    url: str

    def get_function(self, project: str, id: str) -> dict[str, Any]: ...
    def get_task(self, project: str, id: str) -> dict[str, Any]: ...
    def get_run(self, project: str, id: str) -> dict[str, Any]: ...
    def update_run(self, project: str, id: str, run: Mapping[str, Any]) -> dict[str, Any]: ...
    def data_dir(self) -> Path: ...


@dataclass(frozen=True)
class BackendLocator:
    """How another process opens the same backend: `factory(url, Path(base_dir))`, where `factory` is
    `module:function`. The caller (sdk, cli) says it, because runtimes do not import backends."""

    factory: str
    url: str
    base_dir: str


@dataclass(frozen=True)
class ExecuteOptions:
    """How to execute one run.

    repo_root: where a source file of the repository (`source.source` without code) and relative input
    paths are found; default the current directory. wait: False returns once the run is READY and a
    detached process (opened through `reopen`) supervises it. timeout: seconds the handler may run.
    """

    repo_root: Path | None = None
    wait: bool = True
    timeout: float | None = None
    log_limit: int = DEFAULT_LOG_LIMIT
    reopen: BackendLocator | None = None


@runtime_checkable
class Runtime(Protocol):
    """What a function kind means: its actions (each one a task kind), the checks its schema cannot
    make, and how a run of it becomes an execution request. Where the request executes is an
    executor's business (`dhsync.runtimes.executor`)."""

    function_kind: str
    actions: tuple[str, ...]

    def check_function(self, spec: Mapping[str, Any]) -> list[str]:
        """Problems of a function spec that its schema cannot see (empty when fine)."""
        ...

    def cannot_execute(self, run_kind: str, spec: Mapping[str, Any]) -> str | None:
        """Why a run of `run_kind` with `spec` cannot execute here, or None when it can (or when the
        runtime cannot say before trying), so that a caller can refuse before storing a run."""
        ...

    def request(self, store: RunStore, run: Mapping[str, Any]) -> ExecutionRequest:
        """The execution request of a CREATED run (RequestError when its references or fields are
        broken)."""
        ...


class NotRunnableError(RuntimeExecutionError):
    """The run cannot execute here (an action, kind or executor that is not available); it stays in
    its state and its `status.message` says why."""
