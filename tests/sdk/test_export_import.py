"""Function.export and import_function: the SDK's export format, read back to the same entity."""

from __future__ import annotations

import uuid
import warnings
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

from dhsync.backends.base import Backend
from dhsync.model.errors import ConflictError, InvalidInputError, NotFoundError
from dhsync.sdk import Function, Project
from dhsync.sdk.entity import EXPORT_ORDER
from dhsync.sdk.exports import SecretsNotExportedWarning
from dhsync.specs.loader import load_repository
from dhsync.specs.models.documents import DOCUMENT_MODELS
from dhsync.specs.yamlio import read_documents

CODE = "def main(a, b=2):\n    return a * b\n"
SERVER_SET = ("created", "updated", "created_by", "updated_by", "version")


def _python(project: Project) -> Function:
    fn = project.new_function(name="hello", kind="python", python_version="PYTHON3_11", code=CODE,
                              handler="main", requirements=["requests==2.32.3"], description="d",
                              labels=["a", "b"])
    fn.new_task("job", resources={"cpu": "1"}, envs=[{"name": "X", "value": "1"}])
    fn.new_task("serve", replicas=1, service_type="ClusterIP")
    return fn


def _container(project: Project) -> Function:
    fn = project.new_function(name="box", kind="container", image="alpine:3", command="echo", args=["hi"])
    fn.new_task("job", run_as_user=1000)
    return fn


def _dbt(project: Project) -> Function:
    fn = project.new_function(name="t", kind="dbt", source={"code": "select * from {{ ref('x') }}"})
    fn.new_task("transform", secrets=["db"])
    return fn


def _comparable(entity: dict[str, Any]) -> dict[str, Any]:
    """The entity without what a backend sets anew on every create (times, version name, user)."""
    out = {k: v for k, v in entity.items() if k != "user"}
    if "metadata" in out:
        out["metadata"] = {k: v for k, v in out["metadata"].items() if k not in SERVER_SET}
    return out


@pytest.mark.parametrize("make", [_python, _container, _dbt])
def test_export_then_import_gives_back_the_same_function_and_tasks(dh: ModuleType, project: Project,
                                                                   make: Any) -> None:
    fn = make(project)
    tasks = sorted((t.to_dict() for t in fn.list_tasks()), key=lambda t: t["kind"])
    path = fn.export()
    dh.delete_function("demo", entity_id=fn.id)
    back = dh.import_function(path)
    assert _comparable(back.to_dict()) == _comparable(fn.to_dict())
    back_tasks = sorted((t.to_dict() for t in back.list_tasks()), key=lambda t: t["kind"])
    assert [_comparable(t) for t in back_tasks] == [_comparable(t) for t in tasks]


def test_export_writes_functions_id_yaml_in_the_cwd_in_sdk_order(project: Project) -> None:
    fn = _python(project)
    path = Path(fn.export())
    assert path == Path.cwd() / f"functions-{fn.id}.yaml"
    docs = read_documents(path)
    assert [d["kind"] for d in docs] == ["python", "python+job", "python+serve"]
    assert list(docs[0]) == [k for k in EXPORT_ORDER if k in docs[0]]
    assert list(docs[0])[:3] == ["kind", "metadata", "spec"]
    assert list(docs[0])[-4:] == ["project", "name", "id", "key"]


def test_exported_documents_are_valid_spec_documents(project: Project, tmp_path: Path) -> None:
    for make in (_python, _container, _dbt):
        path = make(project).export(tmp_path / "out" / "fn.yaml")
        for doc in read_documents(Path(path)):
            DOCUMENT_MODELS[doc["kind"]].model_validate(doc)


def test_ids_that_look_like_numbers_stay_strings(dh: ModuleType, project: Project) -> None:
    digits = "1234567890124000800000000000e123"  # a uuid4 that YAML 1.2 reads as a float unless quoted
    assert uuid.UUID(digits).version == 4
    fn = project.new_function(name="n", kind="container", image="alpine", uuid=digits, labels=["0o17", "1e5"])
    text = Path(fn.export()).read_text(encoding="utf-8")
    assert yaml.safe_load(text)["id"] == digits
    assert read_documents(Path(f"functions-{digits}.yaml"))[0]["metadata"]["labels"] == ["0o17", "1e5"]
    dh.delete_function("demo", entity_id=digits)
    assert dh.import_function(f"functions-{digits}.yaml").id == digits


def test_importing_an_existing_version_is_refused(dh: ModuleType, project: Project, backend: Backend) -> None:
    fn = _python(project)
    path = fn.export()
    with pytest.raises(ConflictError, match="already exists"):
        dh.import_function(path)
    assert backend.list_functions("demo", versions="all").total == 1
    assert backend.list_tasks("demo").total == 2


def test_reset_id_imports_a_new_version_with_its_tasks(dh: ModuleType, project: Project) -> None:
    fn = _python(project)
    copy = dh.import_function(fn.export(), reset_id=True)
    assert copy.id != fn.id and copy.spec == fn.spec
    assert sorted(t.kind for t in copy.list_tasks()) == ["python+job", "python+serve"]
    assert dh.get_function("demo", entity_name="hello").id == copy.id


def _write(path: Path, docs: list[dict[str, Any]]) -> Path:
    path.write_text(yaml.safe_dump_all(docs, sort_keys=False), encoding="utf-8")
    return path


def test_import_refuses_a_task_of_another_function(dh: ModuleType, project: Project, backend: Backend,
                                                   tmp_path: Path) -> None:
    fn = {"kind": "container", "project": "demo", "name": "box", "id": uuid.uuid4().hex,
          "spec": {"image": "a"}}
    task = {"kind": "container+job", "project": "demo", "spec": {"function": "container://demo/other:123"}}
    with pytest.raises(InvalidInputError, match="not to the function of this file"):
        dh.import_function(_write(tmp_path / "f.yaml", [fn, task]))
    assert backend.list_functions("demo").total == 0


@pytest.mark.parametrize(("docs", "message"), [
    ([], "no document"),
    ([{"kind": "python+job", "project": "demo", "spec": {"function": "python://demo/x:1"}}],
     "not a function"),
    ([{"kind": "container", "project": "demo", "name": "a/b", "spec": {"image": "a"}}], "name"),
    ([{"kind": "container", "project": "demo", "name": "b", "spec": {"image": "a", "imagee": "b"}}],
     "imagee"),
])
def test_import_refuses_bad_files(dh: ModuleType, project: Project, backend: Backend, tmp_path: Path,
                                  docs: list[dict[str, Any]], message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        dh.import_function(_write(tmp_path / "bad.yaml", docs))
    assert backend.list_functions("demo").total == 0


def test_import_into_a_missing_project_names_it(dh: ModuleType, tmp_path: Path) -> None:
    doc = {"kind": "container", "project": "elsewhere", "name": "box", "spec": {"image": "a"}}
    with pytest.raises(NotFoundError, match="project `elsewhere`"):
        dh.import_function(_write(tmp_path / "f.yaml", [doc]))


def test_project_import_refuses_a_file_of_another_project(dh: ModuleType, project: Project,
                                                          tmp_path: Path) -> None:
    other = dh.get_or_create_project("other")
    doc = {"kind": "container", "project": "demo", "name": "box", "spec": {"image": "a"}}
    with pytest.raises(InvalidInputError, match="belongs to project `demo`, not `other`"):
        other.import_function(_write(tmp_path / "f.yaml", [doc]))
    assert project.import_function(tmp_path / "f.yaml").name == "box"


def test_the_spec_loader_reads_exports_as_the_same_desired_entities(project: Project, tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "dhsync.yaml").write_text("project: demo\n", encoding="utf-8")
    functions = [make(project) for make in (_python, _container, _dbt)]
    for fn in functions:
        fn.export(repo / f"{fn.name}.yaml")
    loaded = load_repository(repo, use_cache=False)
    assert loaded.ok, [str(d) for d in loaded.diagnostics]
    assert loaded.state is not None
    desired = {e.name: e for e in loaded.state.entities}
    for fn in functions:
        assert dict(desired[fn.name].spec) == fn.spec
        for task in fn.list_tasks():
            spec = dict(desired[f"{fn.name}/{task.kind}"].spec)
            assert _without_defaults(spec) == {k: v for k, v in task.spec.items() if k != "function"}


def _without_defaults(task_spec: dict[str, Any]) -> dict[str, Any]:
    """The loader's task spec minus its (resolved) function and the default it fills in for dhsync's
    `envs[].secret` flag, which the exported task does not carry."""
    out = {k: v for k, v in task_spec.items() if k != "function"}
    if "envs" in out:
        out["envs"] = [{k: v for k, v in env.items() if (k, v) != ("secret", False)} for env in out["envs"]]
    return out


TOKEN = "ghp_" + "Zx9" * 12
PASSWORD = "hunter2-correct-horse"


def _with_secrets(project: Project) -> Function:
    fn = project.new_function(name="loader", kind="python", python_version="PYTHON3_11", code=CODE, handler="main")
    fn.new_task("job", envs=[{"name": "DB_PASSWORD", "value": PASSWORD}, {"name": "MODE", "value": "batch"},
                             {"name": "T", "value": "flagged-value", "secret": True},
                             {"name": "NOTE", "value": f"--token={TOKEN}"}], secrets=["warehouse-db"])
    return fn


def test_export_writes_secret_values_as_placeholders_and_says_so(project: Project) -> None:
    fn = _with_secrets(project)
    with pytest.warns(SecretsNotExportedWarning, match=r"DB_PASSWORD.*include_secrets=True"):
        path = Path(fn.export())
    text = path.read_text()
    assert PASSWORD not in text and TOKEN not in text and "flagged-value" not in text
    envs = {env["name"]: env["value"] for env in read_documents(path)[1]["spec"]["envs"]}
    assert envs == {"DB_PASSWORD": "(secret)", "MODE": "batch", "T": "(secret)", "NOTE": "--token=(secret)"}
    assert read_documents(path)[1]["spec"]["secrets"] == ["warehouse-db"]  # names of cluster secrets stay


def test_importing_a_file_with_placeholders_is_refused_naming_them(dh: ModuleType, project: Project,
                                                                   backend: Backend) -> None:
    fn = _with_secrets(project)
    with pytest.warns(SecretsNotExportedWarning):
        path = fn.export()
    dh.delete_function("demo", entity_id=fn.id)
    with pytest.raises(InvalidInputError, match=r"spec\.envs\[DB_PASSWORD\]\.value.*include_secrets=True"):
        dh.import_function(path)
    assert project.list_functions() == []  # refused before any write


def test_include_secrets_exports_them_and_the_file_imports_as_it_was(dh: ModuleType, project: Project) -> None:
    fn = _with_secrets(project)
    task = fn.list_tasks()[0].to_dict()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no warning when the caller asked for the values
        path = fn.export(include_secrets=True)
    assert PASSWORD in Path(path).read_text()
    dh.delete_function("demo", entity_id=fn.id)
    back = dh.import_function(path)
    assert _comparable(back.list_tasks()[0].to_dict()) == _comparable(task)


def test_an_export_without_secrets_says_nothing(project: Project) -> None:
    fn = _python(project)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fn.export()
