"""Handing a triggered run to the runtimes (`dhsync.runtimes.execute_run`), looked up on first use.

Without a runtimes package the run stays stored in CREATED and the outcome says why. A runtime that
cannot execute a run here (NotRunnableError: a kind, action or executor not available) leaves it in
its state with `status.message` saying why; that is reported, not counted as a failure.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dhsync.backends.base import Backend
from dhsync.model.errors import DhsyncError

RUNTIMES_MODULE = "dhsync.runtimes"
NO_RUNTIMES = ("not executed: this dhsync has no runtimes (dhsync.runtimes is not installed); "
               "the run is stored in state CREATED")

Execute = Callable[[Backend, Mapping[str, Any]], Mapping[str, Any]]


@dataclass(frozen=True)
class Executor:
    execute: Execute
    # what the runtimes raise for a run this machine cannot execute (reported, not a failure)
    not_runnable: tuple[type[BaseException], ...] = ()


def find_executor(repo_root: Path | None) -> Executor | None:
    try:
        module = importlib.import_module(RUNTIMES_MODULE)
    except ModuleNotFoundError as exc:
        if exc.name == RUNTIMES_MODULE:
            return None
        raise
    execute_run = getattr(module, "execute_run", None)
    if execute_run is None:
        return None
    not_runnable = getattr(module, "NotRunnableError", None)

    def execute(backend: Backend, run: Mapping[str, Any]) -> Mapping[str, Any]:
        result: Mapping[str, Any] = execute_run(backend, run, repo_root=repo_root, wait=True)
        return result

    kinds = (not_runnable,) if isinstance(not_runnable, type) and issubclass(not_runnable, DhsyncError) else ()
    return Executor(execute, kinds)
