"""new_function / get_function / list_functions / update_function / delete_function on every backend."""

from __future__ import annotations

import base64
import uuid
from pathlib import Path
from types import ModuleType

import pytest

from dhsync.backends.base import Backend
from dhsync.model.errors import ConflictError, InvalidInputError, NotFoundError
from dhsync.sdk import Project

CODE = "def main(a, b=2):\n    return a * b\n"


def _python(dh: ModuleType, name: str = "hello", code: str = CODE, **kwargs: object) -> object:
    return dh.new_function("demo", name, "python", python_version="PYTHON3_11", code=code, handler="main",
                           **kwargs)


def _count(backend: Backend, project: str = "demo") -> int:
    return backend.list_functions(project, versions="all").total


# --- create ---------------------------------------------------------------------------------------

def test_python_function_code_is_stored_as_base64_like_the_sdk(dh: ModuleType, project: Project) -> None:
    fn = _python(dh, description="doubles", labels=["team-a"])
    assert fn.spec["source"] == {"handler": "main", "lang": "python",
                                 "base64": base64.b64encode(CODE.encode()).decode()}
    assert fn.metadata["description"] == "doubles" and fn.metadata["labels"] == ["team-a"]
    assert fn.key == f"store://demo/function/python/hello:{fn.id}"
    assert fn.status.state == "CREATED"


def test_local_source_file_is_read_into_base64_and_its_path_kept(dh: ModuleType, project: Project) -> None:
    Path("main.py").write_text(CODE, encoding="utf-8")
    fn = project.new_function(name="hello", kind="python", code_src="main.py", handler="main",
                              python_version="PYTHON3_12")
    assert fn.spec["source"]["source"] == "main.py"
    assert base64.b64decode(fn.spec["source"]["base64"]).decode() == CODE


@pytest.mark.parametrize(("source", "message"), [
    ("missing.py", "not found"),
    ("folder", "folder or a .zip"),
])
def test_local_sources_dhsync_cannot_use_are_refused(dh: ModuleType, project: Project, backend: Backend,
                                                     source: str, message: str) -> None:
    Path("folder").mkdir()
    with pytest.raises(InvalidInputError, match=message):
        project.new_function(name="hello", kind="python", code_src=source, handler="main",
                             python_version="PYTHON3_11")
    assert _count(backend) == 0


def test_git_source_is_where_the_code_lives(dh: ModuleType, project: Project) -> None:
    fn = project.new_function(name="remote", kind="python", handler="pkg.mod:main",
                              python_version="PYTHON3_11", git_source="git+https://github.com/org/repo")
    assert fn.spec["source"]["source"] == "git+https://github.com/org/repo"


def test_container_and_dbt_specs(dh: ModuleType, project: Project) -> None:
    box = project.new_function(name="box", kind="container", image="alpine:3", command="echo",
                               args=["hi"], image_pull_policy="IfNotPresent")
    assert box.spec == {"image": "alpine:3", "command": "echo", "args": ["hi"],
                        "image_pull_policy": "IfNotPresent"}
    sql = "select 1"
    dbt = project.new_function(name="t", kind="dbt", source={"code": sql})
    assert dbt.spec == {"source": {"base64": base64.b64encode(b"select 1").decode(), "lang": "sql"}}


def test_given_uuid4_becomes_the_version_id(dh: ModuleType, project: Project) -> None:
    wanted = str(uuid.uuid4())
    assert _python(dh, uuid=wanted).id == wanted


# fixed values (not generated at import): test ids must be the same in every pytest-xdist worker
@pytest.mark.parametrize("bad", ["not-a-uuid", "5b6a3860-ed89-11f1-b4e9-02fc00000001",
                                 "{ec24ea74-7b36-4b90-9dab-4a7f594f4bc2}", ""])
def test_a_uuid_that_is_not_a_uuid4_is_refused_before_writing(dh: ModuleType, project: Project,
                                                              backend: Backend, bad: str) -> None:
    with pytest.raises(InvalidInputError, match="not a valid uuid4"):
        _python(dh, uuid=bad)
    assert _count(backend) == 0


@pytest.mark.parametrize(("args", "message"), [
    ({"name": "a/b"}, "function name is invalid"),
    ({"name": ""}, "function name is invalid"),
    ({"name": "x" * 257}, "at most 256"),
    ({"kind": "py thon"}, "kind of function"),
    ({"project": "my project"}, "project name is invalid"),
])
def test_invalid_names_are_refused_before_writing(dh: ModuleType, project: Project, backend: Backend,
                                                  args: dict[str, str], message: str) -> None:
    call = {"project": "demo", "name": "ok", "kind": "container", "image": "alpine", **args}
    with pytest.raises(InvalidInputError, match=message):
        dh.new_function(**call)
    assert _count(backend) == 0


def test_unknown_spec_argument_is_refused_naming_it(dh: ModuleType, project: Project,
                                                    backend: Backend) -> None:
    with pytest.raises(InvalidInputError, match=r"`python_versoin`.*did you mean `python_version`"):
        project.new_function(name="hello", kind="python", python_versoin="PYTHON3_11", code=CODE,
                             handler="main")
    assert _count(backend) == 0


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"python_version": "PYTHON3_9"}, "python_version"),
    ({"handler": None}, "handler"),
    ({"code": None}, "needs its code"),
    ({"base64": "eA=="}, "once"),
])
def test_invalid_python_specs_are_refused(dh: ModuleType, project: Project, backend: Backend,
                                          kwargs: dict[str, object], message: str) -> None:
    args = {"python_version": "PYTHON3_11", "code": CODE, "handler": "main", **kwargs}
    with pytest.raises(InvalidInputError, match=message):
        project.new_function(name="hello", kind="python", **args)
    assert _count(backend) == 0


def test_kinds_outside_the_builtins_are_checked_against_dhcore_schemas(dh: ModuleType,
                                                                       project: Project) -> None:
    with pytest.raises(InvalidInputError, match="`model_nam`"):
        project.new_function(name="m", kind="mlflowserve", path="s3://b/m/", model_nam="x")
    with pytest.raises(InvalidInputError, match="path"):
        project.new_function(name="m", kind="mlflowserve", path="s3://b/m", model_name="x")
    served = project.new_function(name="m", kind="mlflowserve", path="s3://b/m/", model_name="x")
    assert served.spec == {"path": "s3://b/m/", "model_name": "x"}
    custom = project.new_function(name="c", kind="my-kind", anything={"goes": 1})
    assert custom.spec == {"anything": {"goes": 1}}


def test_labels_must_be_a_list(dh: ModuleType, project: Project) -> None:
    with pytest.raises(InvalidInputError, match="list of non-empty strings"):
        _python(dh, labels="team-a")


def test_new_function_in_a_missing_project_names_the_project(dh: ModuleType) -> None:
    with pytest.raises(NotFoundError, match="project `nowhere` not found"):
        dh.new_function("nowhere", "f", "container", image="alpine")


def test_duplicate_id_is_refused(dh: ModuleType, project: Project, backend: Backend) -> None:
    wanted = uuid.uuid4().hex
    _python(dh, uuid=wanted)
    with pytest.raises(ConflictError, match="already exists"):
        _python(dh, uuid=wanted, code="def main():\n    return 1\n")
    assert _count(backend) == 1


# --- read -----------------------------------------------------------------------------------------

def test_name_gives_the_latest_version_and_id_or_key_that_version(dh: ModuleType, project: Project) -> None:
    first = _python(dh)
    second = _python(dh, code="def main(a, b=3):\n    return a * b\n")
    assert dh.get_function("demo", entity_name="hello").id == second.id
    assert dh.get_function("demo", entity_id=first.id).id == first.id
    assert dh.get_function(first.key).spec == first.spec
    assert project.get_function("hello").id == second.id
    assert project.get_function(first.key).id == first.id
    assert [f.id for f in dh.get_function_versions(project="demo", entity_name="hello")] == [second.id, first.id]


def test_sdk_0_15_spelling_with_the_name_first(dh: ModuleType, project: Project) -> None:
    first = _python(dh)
    second = _python(dh, code="def main():\n    return 0\n")
    assert dh.get_function("hello", project="demo").id == second.id
    assert dh.get_function("hello", project="demo", entity_id=first.id).id == first.id
    assert [f.id for f in dh.get_function_versions("hello", project="demo")] == [second.id, first.id]
    dh.delete_function("hello", project="demo", entity_id=first.id)
    dh.delete_function("hello", project="demo", delete_all_versions=True)
    assert dh.list_functions("demo", versions="all") == []
    with pytest.raises(InvalidInputError, match="named twice"):
        dh.get_function("hello", project="demo", entity_name="other")
    with pytest.raises(InvalidInputError, match="give the project"):
        dh.get_function(entity_name="hello")


def test_list_latest_or_all_versions_with_filters(dh: ModuleType, project: Project) -> None:
    _python(dh, labels=["a"])
    _python(dh, code="def main():\n    return 0\n", labels=["a"])
    project.new_function(name="box", kind="container", image="alpine", labels=["b"])
    assert sorted(f.name for f in dh.list_functions("demo")) == ["box", "hello"]
    assert len(dh.list_functions("demo", versions="all")) == 3
    assert [f.name for f in project.list_functions(kind="container")] == ["box"]
    assert [f.name for f in dh.list_functions("demo", labels=["a"])] == ["hello"]


@pytest.mark.parametrize("lookup", [
    {"entity_name": "ghost"},
    {"entity_id": "0123456789abcdef0123456789abcdef"},
])
def test_unknown_function_names_project_type_and_identifier(dh: ModuleType, project: Project,
                                                             lookup: dict[str, str]) -> None:
    with pytest.raises(NotFoundError) as caught:
        dh.get_function("demo", **lookup)
    text = str(caught.value)
    assert "function" in text and "demo" in text and next(iter(lookup.values())) in text


def test_unknown_project_is_named_when_looking_up_a_function(dh: ModuleType) -> None:
    with pytest.raises(NotFoundError, match="project `nowhere`"):
        dh.get_function("nowhere", entity_name="hello")


def test_name_and_id_of_different_functions_is_not_found(dh: ModuleType, project: Project) -> None:
    fn = _python(dh)
    with pytest.raises(NotFoundError, match=f"other:{fn.id}"):
        dh.get_function("demo", entity_name="other", entity_id=fn.id)


def test_get_function_needs_an_identifier(dh: ModuleType, project: Project) -> None:
    with pytest.raises(InvalidInputError, match="entity_name"):
        dh.get_function("demo")
    with pytest.raises(InvalidInputError, match="not a function key"):
        dh.get_function("store://demo/run/python+job:run/123")


# --- update and save ------------------------------------------------------------------------------

def test_update_changes_metadata_in_place(dh: ModuleType, project: Project, backend: Backend) -> None:
    fn = _python(dh)
    fn.metadata["description"] = "now described"
    fn.metadata["labels"] = ["x"]
    updated = dh.update_function(function=fn)
    assert updated.id == fn.id
    again = dh.get_function("demo", entity_name="hello")
    assert again.metadata["description"] == "now described" and again.metadata["labels"] == ["x"]
    assert _count(backend) == 1


def test_update_refuses_a_spec_change_instead_of_dropping_it(dh: ModuleType, project: Project) -> None:
    fn = _python(dh)
    fn.spec["python_version"] = "PYTHON3_12"
    with pytest.raises(InvalidInputError, match="call save"):
        project.update_function(fn)
    assert dh.get_function("demo", entity_id=fn.id).spec["python_version"] == "PYTHON3_11"


def test_save_of_a_changed_spec_makes_a_new_version(dh: ModuleType, project: Project,
                                                    backend: Backend) -> None:
    fn = _python(dh)
    old_id = fn.id
    fn.spec["python_version"] = "PYTHON3_12"
    fn.save()
    assert fn.id != old_id
    assert dh.get_function("demo", entity_name="hello").spec["python_version"] == "PYTHON3_12"
    assert dh.get_function("demo", entity_id=old_id).spec["python_version"] == "PYTHON3_11"
    assert _count(backend) == 2


def test_save_of_an_unchanged_version_is_refused(dh: ModuleType, project: Project) -> None:
    fn = _python(dh)
    with pytest.raises(ConflictError, match=r"save\(update=True\)"):
        fn.save()


def test_save_of_a_deleted_version_creates_it_again(dh: ModuleType, project: Project) -> None:
    fn = _python(dh)
    dh.delete_function("demo", entity_id=fn.id)
    fn.save()
    assert dh.get_function("demo", entity_name="hello").id == fn.id


# --- delete ---------------------------------------------------------------------------------------

def test_delete_one_version_by_id(dh: ModuleType, project: Project) -> None:
    first = _python(dh)
    second = _python(dh, code="def main():\n    return 0\n")
    dh.delete_function("demo", entity_id=second.id)
    assert dh.get_function("demo", entity_name="hello").id == first.id


def test_delete_by_key(dh: ModuleType, project: Project) -> None:
    fn = _python(dh)
    dh.delete_function(fn.key)
    assert dh.list_functions("demo") == []


def test_delete_all_versions_by_name(dh: ModuleType, project: Project) -> None:
    _python(dh)
    _python(dh, code="def main():\n    return 0\n")
    project.delete_function("hello", delete_all_versions=True)
    assert dh.list_functions("demo", versions="all") == []


def test_delete_by_name_alone_deletes_the_latest_version_only(dh: ModuleType, project: Project,
                                                              backend: Backend) -> None:
    _python(dh)
    assert _count(backend) == 1
    dh.delete_function("demo", entity_name="hello")
    assert _count(backend) == 0
    with pytest.raises(NotFoundError, match="hello"):
        dh.delete_function("demo", entity_name="hello")


def test_entity_id_and_delete_all_versions_are_mutually_exclusive(dh: ModuleType, project: Project,
                                                                   backend: Backend) -> None:
    fn = _python(dh)
    with pytest.raises(InvalidInputError, match="mutually exclusive"):
        dh.delete_function("demo", entity_id=fn.id, delete_all_versions=True)
    with pytest.raises(InvalidInputError, match="mutually exclusive"):
        dh.delete_function(fn.key, delete_all_versions=True)
    assert _count(backend) == 1


def test_delete_without_cascade_refuses_to_orphan_tasks(dh: ModuleType, project: Project,
                                                         backend: Backend) -> None:
    fn = _python(dh)
    fn.new_task("job")
    with pytest.raises(ConflictError, match="cascade"):
        dh.delete_function("demo", entity_id=fn.id, cascade=False)
    with pytest.raises(ConflictError, match="cascade"):
        dh.delete_function("demo", entity_name="hello", delete_all_versions=True, cascade=False)
    assert _count(backend) == 1
    dh.delete_function("demo", entity_id=fn.id)
    assert backend.list_tasks("demo").total == 0


def test_deleting_an_unknown_function_is_not_found(dh: ModuleType, project: Project) -> None:
    with pytest.raises(NotFoundError, match="ghost"):
        dh.delete_function("demo", entity_name="ghost", delete_all_versions=True)
    with pytest.raises(NotFoundError, match="function"):
        dh.delete_function("demo", entity_id="0123456789abcdef0123456789abcdef")


# --- projects -------------------------------------------------------------------------------------

def test_projects(dh: ModuleType) -> None:
    created = dh.get_or_create_project("demo")
    assert dh.get_or_create_project("demo").key == created.key == "store://demo"
    with pytest.raises(ConflictError):
        dh.new_project("demo")
    with pytest.raises(NotFoundError, match="project `other`"):
        dh.get_project("other")
    with pytest.raises(InvalidInputError, match="project name is invalid"):
        dh.get_or_create_project("a:b")
    created.new_function(name="box", kind="container", image="alpine")
    dh.delete_project("demo")
    assert dh.list_projects() == []
