"""Tasks and Function.run: find or create the task of an action, create the run, hand it to a runtime."""

from __future__ import annotations

from typing import Any

import pytest

from dhsync.backends.base import Backend
from dhsync.model.errors import ConflictError, InvalidInputError, NotFoundError, RuntimeExecutionError
from dhsync.sdk import Function, NotExecutedWarning, Project

CODE = "def main(a, b=2):\n    return a * b\n"


@pytest.fixture
def fn(project: Project) -> Function:
    return project.new_function(name="hello", kind="python", python_version="PYTHON3_11", code=CODE,
                                handler="main")


def _run(fn: Function, action: str = "job", **kwargs: Any) -> Any:
    with pytest.warns(NotExecutedWarning):
        return fn.run(action, **kwargs)


def test_run_creates_task_and_run_like_the_sdk(fn: Function, backend: Backend) -> None:
    run = _run(fn, parameters={"a": 21}, inputs={"di": "store://demo/dataitem/table/x:1"},
               resources={"cpu": "1", "mem": "256Mi"}, envs=[{"name": "X", "value": "1"}])
    task = fn.get_task("job")
    assert task.kind == "python+job"
    assert task.spec == {"function": fn.ref, "resources": {"cpu": "1", "mem": "256Mi"},
                         "envs": [{"name": "X", "value": "1"}]}
    assert run.kind == "python+job:run"
    assert run.spec == {"task": f"python+job://demo/{task.id}", "function": fn.ref,
                        "local_execution": False, "parameters": {"a": 21},
                        "inputs": {"di": "store://demo/dataitem/table/x:1"}}
    assert run.metadata["relationships"] == [{"type": "run_of", "dest": fn.key}]
    assert run.key == f"store://demo/run/python+job:run/{run.id}"
    assert [r.id for r in fn.list_runs()] == [run.id]


def test_a_run_left_to_a_remote_executor_stays_created_and_says_why(fn: Function) -> None:
    with pytest.warns(NotExecutedWarning, match="local_execution: false"):
        run = fn.run("job")
    assert run.status.state == "CREATED"
    assert "did not execute" in run.status.message
    assert run.refresh().status.message == run.status.message  # stored, not only on the object
    with pytest.raises(RuntimeExecutionError, match="local_execution: false"):
        run.wait()
    with pytest.raises(RuntimeExecutionError, match="has no logs"):
        run.logs()
    with pytest.raises(RuntimeExecutionError, match="nothing to stop"):
        run.stop()


def test_wait_true_for_a_run_nothing_executes_raises_after_storing_it(fn: Function, backend: Backend) -> None:
    with pytest.warns(NotExecutedWarning), pytest.raises(RuntimeExecutionError, match="did not execute"):
        fn.run("job", wait=True)
    assert backend.list_runs("demo").total == 1


def test_the_task_of_an_action_is_created_once_and_never_rewritten_by_a_run(fn: Function,
                                                                          backend: Backend) -> None:
    fn.new_task("job", resources={"cpu": "1"}, envs=[{"name": "MODE", "value": "batch"}], secrets=["db"])
    first = fn.get_task("job")
    same = _run(fn, resources={"cpu": "1"})
    plain = _run(fn)
    other = _run(fn, resources={"cpu": "2"})
    task = fn.get_task("job")
    assert (task.id, task.spec) == (first.id, first.spec)          # envs and secrets survive
    assert other.spec["resources"] == {"cpu": "2"}                  # the setting applies to that run only
    assert "resources" not in same.spec and "resources" not in plain.spec
    assert backend.list_tasks("demo").total == 1
    assert len(fn.list_runs()) == 3


def test_task_arguments_create_the_task_when_there_is_none(fn: Function) -> None:
    _run(fn, resources={"cpu": "1"})
    assert fn.get_task("job").spec["resources"] == {"cpu": "1"}


def test_documented_kubernetes_task_fields_go_to_the_task(fn: Function) -> None:
    _run(fn, node_selector=[{"key": "zone", "value": "a"}], backoff_limit=1, schedule="0 3 * * *",
         tolerations=[{"key": "gpu", "operator": "Exists"}],
         volumes=[{"volume_type": "empty_dir", "name": "tmp", "mount_path": "/tmp"}], secrets=["s3"])
    spec = fn.get_task("job").spec
    assert spec["node_selector"] == [{"key": "zone", "value": "a"}]
    assert spec["backoff_limit"] == 1 and spec["schedule"] == "0 3 * * *"
    assert spec["secrets"] == ["s3"]


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"env": [{"name": "X", "value": "1"}]}, r"`env`.*did you mean `envs`"),
    ({"replicas": 2}, r"`replicas` is not a field of `job` runs"),
    ({"resources": {"cpu": "0.5"}}, "resources.cpu"),
    ({"schedule": "every day"}, "schedule"),
    ({"parameters": "a=1"}, "parameters"),
])
def test_bad_run_arguments_are_refused_before_anything_is_written(
        fn: Function, backend: Backend, kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        fn.run("job", **kwargs)
    assert backend.list_tasks("demo").total == 0
    assert backend.list_runs("demo").total == 0


def test_an_action_the_kind_does_not_have_is_refused(fn: Function) -> None:
    with pytest.raises(InvalidInputError, match="use one of job, build, serve"):
        fn.run("transform")


def test_serve_takes_replicas(project: Project) -> None:
    box = project.new_function(name="web", kind="container", image="nginx")
    with pytest.warns(NotExecutedWarning):
        run = box.run("serve", replicas=2, service_ports=[{"port": 80, "target_port": 8080}],
                      service_type="NodePort")
    assert box.get_task("serve").spec["replicas"] == 2
    assert run.kind == "container+serve:run"


def test_new_get_update_delete_task(fn: Function, backend: Backend) -> None:
    task = fn.new_task("job", resources={"cpu": "1"})
    with pytest.raises(ConflictError, match="update_task"):
        fn.new_task("job")
    assert fn.get_task("job").id == task.id
    updated = fn.update_task("job", resources={"mem": "1Gi"})
    assert updated.id == task.id and updated.spec == {"function": fn.ref, "resources": {"mem": "1Gi"}}
    fn.delete_task("job")
    with pytest.raises(NotFoundError) as caught:
        fn.get_task("job")
    assert "task" in str(caught.value) and "python+job" in str(caught.value) and "demo" in str(caught.value)
    assert backend.list_tasks("demo").total == 0


def test_a_new_version_needs_its_own_task(fn: Function) -> None:
    _run(fn, resources={"cpu": "1"})
    fn.spec["python_version"] = "PYTHON3_12"
    fn.save()
    with pytest.raises(NotFoundError):
        fn.get_task("job")

