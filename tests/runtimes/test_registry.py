"""Which runtime serves a kind: the built-in ones, and plugins from `dhsync.runtimes` entry points."""

from __future__ import annotations

from pathlib import Path

import pytest

from dhsync.runtimes import execute_run, forget_plugins, get_runtime, runtimes
from dhsync.runtimes.python import PythonRuntime
from dhsync.runtimes.registry import RuntimePluginWarning
from tests.runtimes.conftest import PROJECT, Lab
from tests.runtimes.plugin_site import install_plugin


def test_the_built_in_kinds_are_there_without_plugins() -> None:
    assert {"python", "container", "dbt"} <= set(runtimes())
    assert isinstance(get_runtime("python+job:run"), PythonRuntime)
    assert get_runtime("python+job") is get_runtime("python+serve:run")
    assert get_runtime("not-a-task-kind") is None


def test_a_plugin_distribution_adds_a_runtime_that_executes_runs(site: Path, lab: Lab) -> None:
    install_plugin(site, "echo = MODULE:EchoRuntime")
    runtime = get_runtime("echo+job:run")
    assert runtime is not None and runtime.function_kind == "echo"
    assert runtime.check_function({}) == ["an echo function needs `text`"]
    fn = lab.backend.create_function(PROJECT, {"kind": "echo", "name": "e", "spec": {"text": "hi"}})
    task = lab.backend.create_task(PROJECT, {"kind": "echo+job", "spec": {"function": f"echo://{PROJECT}/e:{fn['id']}"}})
    run = lab.backend.create_run(PROJECT, {"kind": "echo+job:run", "spec": {
        "task": f"echo+job://{PROJECT}/{task['id']}", "function": f"echo://{PROJECT}/e:{fn['id']}"}})
    assert execute_run(lab.backend, run)["status"]["results"] == {"echo": "hi"}


@pytest.mark.parametrize(("entry", "why"), [
    ("broken = no_such_module_xyz:Runtime",
     "loading it failed: ModuleNotFoundError: No module named 'no_such_module_xyz'"),
    ("missing = MODULE:Nothing", "loading it failed: AttributeError: module"),
    ("plain = MODULE:Plain", "it is not a runtime (it needs function_kind, actions, check_function and request "
                             "(or execute))"),
    ("python = MODULE:EchoRuntime", "`python` is a built-in kind and cannot be replaced"),
])
def test_a_broken_plugin_is_skipped_with_a_warning_naming_it(site: Path, entry: str, why: str) -> None:
    line = install_plugin(site, entry)
    with pytest.warns(RuntimePluginWarning) as caught:
        found = runtimes()
    assert len(caught) == 1
    assert str(caught[0].message).startswith(f"runtime plugin `{line}` (dhsync.runtimes) is skipped: {why}")
    assert isinstance(found["python"], PythonRuntime)  # the built-in is unharmed
    assert set(found) == {"python", "container", "dbt"}


def test_a_plugin_is_loaded_once_per_process_until_forgotten(site: Path) -> None:
    assert get_runtime("echo+job:run") is None
    install_plugin(site, "echo = MODULE:EchoRuntime")
    assert get_runtime("echo+job:run") is None  # the registry looked before the plugin was installed
    forget_plugins()
    assert get_runtime("echo+job:run") is not None
