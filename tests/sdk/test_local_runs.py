"""`Function.run(..., local_execution=True)` executes through the local executor, on every backend, and
the Run it returns answers wait(), logs(), stop() and refresh() from what the backend holds."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import pytest

from dhsync.backends.base import Backend
from dhsync.model.errors import RuntimeExecutionError
from dhsync.runtimes import artifact_file
from dhsync.sdk import Function, Project

CODE = """
from pathlib import Path

def main(a, b=2):
    print(f"multiplying {a} by {b}")
    return a * b

def report(data, title='report'):
    text = Path(data).read_text().upper()
    Path('report.txt').write_text(f'{title}: {text}')
    return 'report.txt', len(text)

def broken():
    raise KeyError('column amount')
"""


def _fn(project: Project, handler: str) -> Function:
    return project.new_function(name=handler, kind="python", python_version="PYTHON3_11", code=CODE, handler=handler)


def test_run_with_local_execution_returns_the_completed_run_and_its_logs(project: Project) -> None:
    run = _fn(project, "main").run("job", local_execution=True, parameters={"a": 21})
    assert run.status.state == "COMPLETED"
    assert run.status.results == {"output_0": 42}
    assert "multiplying 21 by 2\n" in run.logs()
    assert run.wait() is run and run.refresh().status.state == "COMPLETED"
    assert run.stop().status.state == "COMPLETED"  # an ended run is returned as it is


def test_inputs_outputs_and_values_as_the_sdk_passes_them(project: Project, backend: Backend) -> None:
    Path("data.txt").write_text("north 3\n")  # relative inputs are found from the current folder
    run = _fn(project, "report").run("job", local_execution=True, inputs={"data": "data.txt"},
                                     parameters={"title": "sales"}, outputs=["report"], values=["size"], wait=True)
    assert run.status.state == "COMPLETED", run.status.message
    assert run.status.results == {"size": 8}
    stored = artifact_file(backend, run.status.outputs["report"])
    assert stored is not None and stored.read_text() == "sales: NORTH 3\n"


def test_a_failing_handler_returns_the_run_in_error_with_its_message(project: Project) -> None:
    run = _fn(project, "broken").run("job", local_execution=True)
    assert run.status.state == "ERROR"
    assert run.status.message == "handler `broken` raised KeyError: 'column amount'"
    assert "KeyError: 'column amount'" in run.logs()


def test_a_code_file_given_as_code_src_runs(project: Project, dh: ModuleType) -> None:
    Path("src").mkdir()
    Path("src/hello.py").write_text("def hello(name):\n    return f'hello {name}'\n")
    fn = project.new_function(name="hello", kind="python", python_version="PYTHON3_11", code_src="src/hello.py",
                              handler="hello")
    Path("src/hello.py").unlink()  # the stored function holds the code; the file is not needed any more
    run = dh.get_function(project="demo", entity_name="hello").run("job", local_execution=True,
                                                                    parameters={"name": "sdk"})
    assert fn.id == run.spec["function"].rpartition(":")[2]
    assert run.status.results == {"output_0": "hello sdk"}


def test_resume_is_refused_with_the_way_out(project: Project) -> None:
    run = _fn(project, "main").run("job", local_execution=True, parameters={"a": 1})
    with pytest.raises(RuntimeExecutionError, match="does not resume runs; start a new run"):
        run.resume()
