"""Which runtime serves a function kind: the built-in ones in a plain dict, others from entry points.

A distribution adds a runtime with an entry point in the `dhsync.runtimes` group, named after the
function kind, pointing at a runtime object or at a class/factory that makes one (see `plugins`):

    [project.entry-points."dhsync.runtimes"]
    mykind = "my_package.runtime:MyKindRuntime"

Built-in kinds cannot be replaced; a plugin that fails to load is skipped with a warning naming it.
"""

from __future__ import annotations

import threading
import warnings
from importlib.metadata import EntryPoint, entry_points
from types import MappingProxyType

from dhsync.model.kinds import BUILTIN_ACTIONS, RUN_SUFFIX, split_task_kind
from dhsync.runtimes.base import Runtime
from dhsync.runtimes.plugins import NEEDS, as_runtime
from dhsync.runtimes.python import PythonRuntime
from dhsync.runtimes.unsupported import UnsupportedRuntime

ENTRY_POINT_GROUP = "dhsync.runtimes"

# The actions of each built-in kind are model.kinds.BUILTIN_ACTIONS, which validation reads too.
BUILTIN: MappingProxyType[str, Runtime] = MappingProxyType({
    "python": PythonRuntime(),
    "container": UnsupportedRuntime("container", BUILTIN_ACTIONS["container"]),
    "dbt": UnsupportedRuntime("dbt", BUILTIN_ACTIONS["dbt"]),
})

_lock = threading.Lock()
_loaded: dict[str, Runtime] | None = None


class RuntimePluginWarning(UserWarning):
    """A runtime registered through an entry point could not be used."""


def runtimes() -> dict[str, Runtime]:
    """Every runtime by function kind: built-in, then the plugins (loaded once per process)."""
    global _loaded
    with _lock:
        if _loaded is None:
            _loaded = {**_plugins(), **BUILTIN}
        return dict(_loaded)


def forget_plugins() -> None:
    """Look the entry points up again on next use (after installing a plugin in this process)."""
    global _loaded
    with _lock:
        _loaded = None


def get_runtime(run_kind: str) -> Runtime | None:
    """The runtime of a run kind (`python+job:run`), of a task kind, or None when none is installed."""
    split = split_task_kind(run_kind.removesuffix(RUN_SUFFIX))
    if split is None:
        return None
    return runtimes().get(split[0])


def _plugins() -> dict[str, Runtime]:
    found: dict[str, Runtime] = {}
    for point in entry_points(group=ENTRY_POINT_GROUP):
        if point.name in BUILTIN:
            _warn(point, f"`{point.name}` is a built-in kind and cannot be replaced")
            continue
        runtime = _load(point)
        if runtime is not None:
            found[point.name] = runtime
    return found


def _load(point: EntryPoint) -> Runtime | None:
    try:
        runtime = as_runtime(point.load())
    except Exception as exc:  # a broken plugin must not break every command
        _warn(point, f"loading it failed: {type(exc).__name__}: {exc}")
        return None
    if runtime is None:
        _warn(point, f"it is not a runtime (it needs {NEEDS})")
        return None
    if runtime.function_kind != point.name:
        _warn(point, f"it is the runtime of `{runtime.function_kind}` functions, not of `{point.name}`; name the "
                     "entry point after its function_kind")
        return None
    return runtime


def _warn(point: EntryPoint, why: str) -> None:
    warnings.warn(f"runtime plugin `{point.name} = {point.value}` ({ENTRY_POINT_GROUP}) is skipped: {why}",
                  RuntimePluginWarning, stacklevel=4)
