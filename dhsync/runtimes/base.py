"""What a runtime is, what it needs from a backend, and the options of one execution.

Runtimes sit beside the backends in the layers, so they never import them: a runtime is handed an
object with the few backend methods it uses (`RunStore`; every `dhsync.backends.base.Backend` is one).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from dhsync.model.errors import RuntimeExecutionError

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
    """What a function kind can do: its actions, extra checks, and executing a run of one of them."""

    function_kind: str
    actions: tuple[str, ...]

    def check_function(self, spec: Mapping[str, Any]) -> list[str]:
        """Problems of a function spec that its schema cannot see (empty when fine)."""
        ...

    def execute(self, backend: RunStore, run: Mapping[str, Any],
                options: ExecuteOptions | None = None) -> dict[str, Any]:
        """Execute a CREATED run; return it as stored afterwards. Raises NotRunnableError (after
        recording why in `status.message`) when this run cannot execute here."""
        ...


class NotRunnableError(RuntimeExecutionError):
    """The run cannot execute here (an action, kind or executor that is not available); it stays in
    its state and its `status.message` says why."""
