"""The snippets of DigitalHub's "Functions and Runtimes" documentation, completed and run.

Sources (scc-digitalhub/docs, published at scc-digitalhub.github.io/docs):
- FUNCTIONS: https://scc-digitalhub.github.io/docs/0.6/tasks/functions/ ("Management via SDK")
- PYTHON:    https://scc-digitalhub.github.io/docs/0.6/runtimes/python/
- DBT:       https://scc-digitalhub.github.io/docs/0.6/runtimes/dbt/
- CONTAINER: https://scc-digitalhub.github.io/docs/0.6/runtimes/container/
- CODE:      https://scc-digitalhub.github.io/docs/tasks/code-source/
Each test quotes the snippet's calls; what had to be completed (placeholders such as `**kwargs` or
`dataitem.key`, a missing `project=`) is said in a comment. Where a snippet as written does not hold
for DHCore 0.15 (PYTHON3_9), or is wrong in itself (the container page declares a `dbt` function with an
`image`), the test shows the clear refusal and then the completed call. Deleting by name alone works as
written: it deletes the latest version.
"""

from __future__ import annotations

import base64
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from dhsync.model.errors import InvalidInputError
from dhsync.sdk import NotExecutedWarning

# What `**kwargs` stands for in the generic snippets of FUNCTIONS: a python function.
KWARGS: dict[str, Any] = {"python_version": "PYTHON3_11", "code": "def main():\n    return 1\n", "handler": "main"}
DATAITEM_KEY = "store://my-project/dataitem/table/employees:0123456789abcdef0123456789abcdef"


def test_functions_page_create_from_library_and_from_project(dh: ModuleType) -> None:
    # FUNCTIONS, "Management via SDK": kind="function-kind", **kwargs completed as a python function.
    project = dh.get_or_create_project("my-project")
    function = dh.new_function(project="my-project", name="my-function", kind="python", **KWARGS)
    function = project.new_function(name="my-function", kind="python",
                                    **{**KWARGS, "code": "def main():\n    return 2\n"})
    assert len(dh.list_functions(project="my-project", versions="all")) == 2
    assert dh.get_function(project="my-project", entity_name="my-function").id == function.id


def test_functions_page_get_by_name_and_by_id(dh: ModuleType) -> None:
    # FUNCTIONS, "Get"; "uuid-of-my-function" completed with the id of an existing version.
    dh.get_or_create_project("my-project")
    created = dh.new_function(project="my-project", name="my-function", kind="python", **KWARGS)
    function = dh.get_function(project="my-project", entity_name="my-function")
    assert function.id == created.id
    function = dh.get_function(project="my-project", entity_id=created.id)
    assert function.name == "my-function"


def test_functions_page_export_import_update_list_save(dh: ModuleType) -> None:
    # FUNCTIONS, "Import", "Update", "List", "Save", "Export".
    dh.get_or_create_project("my-project")
    function = dh.new_function(project="my-project", name="my-function", kind="python", **KWARGS)
    function.export(filename="my-function.yaml")
    dh.delete_function(project="my-project", entity_id=function.id)  # so that the import creates it
    function = dh.import_function(file="my-function.yaml")
    assert function.spec["source"]["handler"] == "main"

    function.metadata["description"] = "updated"
    function = dh.update_function(function=function)
    assert dh.get_function(project="my-project", entity_name="my-function").metadata["description"] == "updated"

    functions = dh.list_functions(project="my-project")
    assert [f.name for f in functions] == ["my-function"]

    function.spec["python_version"] = "PYTHON3_12"
    function.save()
    assert len(dh.list_functions(project="my-project", versions="all")) == 2
    assert Path("my-function.yaml").is_file()


def test_functions_page_delete(dh: ModuleType) -> None:
    # FUNCTIONS, "Delete": `delete_function(project=, entity_name=)` works as written: it deletes the
    # latest version (the one get_function(entity_name=) returns); delete_all_versions=True takes them all.
    dh.get_or_create_project("my-project")
    first = dh.new_function(project="my-project", name="my-function", kind="python", **KWARGS)
    dh.new_function(project="my-project", name="my-function", kind="python", **{**KWARGS, "handler": "other"})
    dh.delete_function(project="my-project", entity_name="my-function")
    assert [f.id for f in dh.list_functions(project="my-project", versions="all")] == [first.id]
    assert dh.get_function(project="my-project", entity_name="my-function").id == first.id
    dh.new_function(project="my-project", name="my-function", kind="python", **{**KWARGS, "handler": "again"})
    dh.delete_function(project="my-project", entity_name="my-function", delete_all_versions=True)
    assert dh.list_functions(project="my-project") == []


def test_functions_page_run(dh: ModuleType) -> None:
    # FUNCTIONS, "Run": inputs/outputs are placeholders; inputs name entity keys. Outputs work as written
    # (a mapping of returned name -> artifact name) and as a plain list of names.
    dh.get_or_create_project("my-project")
    function = dh.new_function(project="my-project", name="my-function", kind="python", **KWARGS)
    with pytest.warns(NotExecutedWarning):
        run = function.run(action="job", inputs={"input-param": DATAITEM_KEY}, outputs={"output-param": "output-value"})
    assert run.spec["outputs"] == {"output-param": "output-value"}
    with pytest.warns(NotExecutedWarning):
        run = function.run(action="job", inputs={"input-param": DATAITEM_KEY}, outputs=["output-param"])
    assert run.spec["inputs"] == {"input-param": DATAITEM_KEY}
    assert run.spec["outputs"] == ["output-param"]


def test_python_page_function_example(dh: ModuleType) -> None:
    # PYTHON, "Function example": code_src="main.py" needs the file; PYTHON3_9 is not a DHCore 0.15
    # python_version, so the snippet as written is refused and completed with PYTHON3_10.
    Path("main.py").write_text("def function():\n    return 'hello world'\n", encoding="utf-8")
    project = dh.get_or_create_project("my-project")
    with pytest.raises(InvalidInputError, match="python_version"):
        project.new_function(name="python-function", kind="python", code_src="main.py", handler="function",
                             python_version="PYTHON3_9")
    function = project.new_function(name="python-function", kind="python", code_src="main.py",
                                    handler="function", python_version="PYTHON3_10")
    function = dh.new_function(project="my-project", name="python-function", kind="python",
                               code_src="main.py", handler="function", python_version="PYTHON3_10")
    assert base64.b64decode(function.spec["source"]["base64"]).startswith(b"def function()")


def test_python_page_task_and_run_examples(dh: ModuleType) -> None:
    # PYTHON, "Task example" and "Run example" (`dataitem.key` completed with a key).
    project = dh.get_or_create_project("my-project")
    function = project.new_function(name="python-function", kind="python", **KWARGS)
    with pytest.warns(NotExecutedWarning):
        run = function.run(action="job", backoff_limit=1)
    assert function.get_task("job").spec["backoff_limit"] == 1
    with pytest.warns(NotExecutedWarning):
        run = function.run(action="job", inputs={"dataitem": DATAITEM_KEY}, outputs=["dataitem"])
    assert run.spec["inputs"] == {"dataitem": DATAITEM_KEY}


def test_dbt_page_function_and_snippet_example(dh: ModuleType) -> None:
    # DBT, "DBT function parameters" (project= added: the snippet omits it) and "Snippet example"
    # (`di.key` completed with a key; the list-of-mappings inputs/outputs are read as mappings).
    project = dh.get_or_create_project("my_project")
    sql = """
SELECT * FROM {{ ref('my_table') }}
"""
    function = dh.new_function(project="my_project", kind="dbt", name="my_function", source={"code": sql})
    assert base64.b64decode(function.spec["source"]["base64"]).decode() == sql
    assert function.spec["source"]["lang"] == "sql"

    function = project.new_function(name="function-dbt", kind="dbt", source={"code": sql})
    with pytest.warns(NotExecutedWarning):
        run = function.run("transform", inputs=[{"employees": DATAITEM_KEY}],
                           outputs=[{"output_table": "department-60"}])
    run.refresh()
    assert run.kind == "dbt+transform:run"
    assert run.spec["inputs"] == {"employees": DATAITEM_KEY}
    assert run.spec["outputs"] == {"output_table": "department-60"}


def test_container_page_function_example_has_a_wrong_kind(dh: ModuleType) -> None:
    # CONTAINER, "Container function parameters": the snippet says kind='dbt' with an image; a dbt
    # function has no image, which dhsync says instead of dropping it. With kind='container' it works.
    dh.get_or_create_project("my_project")
    with pytest.raises(InvalidInputError, match="`image` is not a field of a `dbt` function"):
        dh.new_function(project="my_project", kind="dbt", name="my_function", image="hello-world:latest")
    function = dh.new_function(project="my_project", kind="container", name="my_function",
                               image="hello-world:latest")
    assert function.spec == {"image": "hello-world:latest"}


def test_container_page_snippet_example(dh: ModuleType) -> None:
    # CONTAINER, "Snippet example", as written.
    proj = dh.get_or_create_project("project-container")
    func_cont = proj.new_function(name="function-container", kind="container", image="hello-world:latest")
    with pytest.warns(NotExecutedWarning):
        run_cont = func_cont.run("job")
    func_serve = proj.new_function(name="function-serve", kind="container",
                                   image="ghcr.io/scc-digitalhub/digitalhub-core-streamlit:latest")
    with pytest.warns(NotExecutedWarning):
        run_serve = func_serve.run("serve", service_ports=[{"port": 8085, "target_port": 8501}],
                                   service_type="NodePort")
    assert run_cont.kind == "container+job:run"
    assert func_serve.get_task("serve").spec["service_ports"] == [{"port": 8085, "target_port": 8501}]
    assert run_serve.status.state == "CREATED"


def test_code_source_page_code_and_base64_give_the_same_source(dh: ModuleType) -> None:
    # CODE, "Plain text source" and "Base64 encoded source" (PYTHON3_9 completed as PYTHON3_10; the
    # code without the surrounding blank lines is exactly what the page's base64 string encodes).
    dh.get_or_create_project("my-project")
    my_code = """from digitalhub_runtime_python import handler

@handler(outputs=["filtered"])
def myfunction(di: Dataitem, col1: str):
    df = di.as_df()
    df = df[["col1"]]
    return df"""
    base64_code = ("ZnJvbSBkaWdpdGFsaHViX3J1bnRpbWVfcHl0aG9uIGltcG9ydCBoYW5kbGVyCgpAaGFuZGxlcihvdXRwdXRzPVsiZmls"
                   "dGVyZWQiXSkKZGVmIG15ZnVuY3Rpb24oZGk6IERhdGFpdGVtLCBjb2wxOiBzdHIpOgogICAgZGYgPSBkaS5hc19kZigp"
                   "CiAgICBkZiA9IGRmW1siY29sMSJdXQogICAgcmV0dXJuIGRm")
    func = dh.new_function(project="my-project", name="python-function", kind="python",
                           python_version="PYTHON3_10", code=my_code, handler="myfunction")
    func_b64 = dh.new_function(project="my-project", name="python-function", kind="python",
                               python_version="PYTHON3_10", base64=base64_code, handler="myfunction")
    assert func.spec == func_b64.spec
