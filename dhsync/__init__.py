"""dhsync: GitOps for DigitalHub functions, tasks and runs, and the DigitalHub SDK's function API.

`import dhsync as dh` gives the SDK API (`dh.new_function`, `dh.get_function`, …); it is imported on first
use so that the command line does not pay for it.
"""

from __future__ import annotations

from typing import Any

from dhsync._version import __version__ as __version__

_SDK_NAMES = frozenset({
    "Function", "NotExecutedWarning", "Project", "Run", "Task", "choose_backend", "delete_function",
    "delete_project", "get_backend", "get_function", "get_function_versions", "get_or_create_project",
    "get_project", "import_function", "list_functions", "list_projects", "new_function", "new_project",
    "reset_backends", "update_function",
})


_ERROR_NAMES = frozenset({
    "BackendError", "ConflictError", "DhsyncError", "InvalidInputError", "LockHeldError", "NotFoundError",
    "ProtectedError", "StalePlanError",
})


def __getattr__(name: str) -> Any:
    if name in _SDK_NAMES:
        from dhsync import sdk

        return getattr(sdk, name)
    if name in _ERROR_NAMES:
        from dhsync.model import errors

        return getattr(errors, name)
    raise AttributeError(f"module 'dhsync' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_SDK_NAMES, *_ERROR_NAMES})
