"""Runtimes from other distributions, met at the boundary: whatever a plugin offers becomes a Runtime.

A plugin is an object with `function_kind`, `actions`, `check_function` and either `request` (it turns
runs into execution requests that dhsync's executors run, like the built-in runtimes) or `execute`
(the first plugin contract: it executes its runs itself). `cannot_execute` is optional for both.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dhsync.runtimes.base import ExecuteOptions, NotRunnableError, RunStore, Runtime
from dhsync.runtimes.request import ExecutionRequest

_NEEDED = ("function_kind", "actions", "check_function")
NEEDS = "function_kind, actions, check_function and request (or execute)"


class PluginRuntime:
    """A plugin as a Runtime. `executes_itself` says the driver hands it the whole run (`execute`)."""

    def __init__(self, plugin: Any) -> None:
        self.plugin = plugin
        self.function_kind = str(plugin.function_kind)
        self.actions = tuple(str(action) for action in plugin.actions)
        self.executes_itself = not callable(getattr(plugin, "request", None))

    def check_function(self, spec: Mapping[str, Any]) -> list[str]:
        return [str(problem) for problem in self.plugin.check_function(spec)]

    def cannot_execute(self, run_kind: str, spec: Mapping[str, Any]) -> str | None:
        check = getattr(self.plugin, "cannot_execute", None)
        reason = check(run_kind, spec) if callable(check) else None
        return None if reason is None else str(reason)

    def request(self, store: RunStore, run: Mapping[str, Any]) -> ExecutionRequest:
        if self.executes_itself:
            raise NotRunnableError(f"the `{self.function_kind}` runtime executes its runs itself and makes no "
                                   "execution request")
        made: ExecutionRequest = self.plugin.request(store, run)
        return made

    def execute(self, store: RunStore, run: Mapping[str, Any], options: ExecuteOptions) -> dict[str, Any]:
        return dict(self.plugin.execute(store, run, options))


def as_runtime(loaded: Any) -> Runtime | None:
    """`loaded` (a runtime object, or a class or factory making one) as a Runtime; None when it is none."""
    # A class has the attributes too; only an instance is a runtime.
    found = loaded if _is_plugin(loaded) and not isinstance(loaded, type) else loaded()
    if not _is_plugin(found):
        return None
    return PluginRuntime(found)


def _is_plugin(value: Any) -> bool:
    offers = callable(getattr(value, "request", None)) or callable(getattr(value, "execute", None))
    return offers and all(hasattr(value, name) for name in _NEEDED)
