"""The DigitalHub SDK's function API on dhsync's backends (`import dhsync as dh`).

    project = dh.get_or_create_project("demo")
    fn = project.new_function(name="hello", kind="python", python_version="PYTHON3_11",
                              code="def main(a):\n    return a * 2\n", handler="main")
    run = fn.run("job", parameters={"a": 21}, resources={"cpu": "1"})

Which backend is used: see `dhsync.sdk.context` (argument > DHSYNC_BACKEND > dhsync.yaml > embedded).
"""

from __future__ import annotations

from dhsync.sdk.context import ENV_VAR, choose_backend, get_backend, reset_backends
from dhsync.sdk.execution import NotExecutedWarning
from dhsync.sdk.function import Function
from dhsync.sdk.functions import (
    delete_function,
    get_function,
    get_function_versions,
    import_function,
    list_functions,
    new_function,
    update_function,
)
from dhsync.sdk.projects import (
    Project,
    delete_project,
    get_or_create_project,
    get_project,
    list_projects,
    new_project,
)
from dhsync.sdk.run import Run
from dhsync.sdk.task import Task

__all__ = [
    "ENV_VAR",
    "Function",
    "NotExecutedWarning",
    "Project",
    "Run",
    "Task",
    "choose_backend",
    "delete_function",
    "delete_project",
    "get_backend",
    "get_function",
    "get_function_versions",
    "get_or_create_project",
    "get_project",
    "import_function",
    "list_functions",
    "list_projects",
    "new_function",
    "new_project",
    "reset_backends",
    "update_function",
]
