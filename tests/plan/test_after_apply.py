"""Plan after apply is empty: for every function kind, every task kind, a custom kind, both embedded
backends, the examples, and after every kind of change.

The actual state is what a backend stores from apply's bodies (server-owned ids, keys, versions,
timestamps and status included). Besides the plan, the normalised contents are compared directly, so
the slow path (hash and diff) agrees with the fast one (stored spec equals declared spec).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from dhsync.backends import open_backend
from dhsync.backends.base import Backend
from dhsync.diff.normalise import desired_content
from dhsync.model.entities import DesiredEntity, DesiredState, TriggerPolicy
from dhsync.model.kinds import BUILTIN_ACTIONS, BUILTIN_TASK_KINDS, EntityType, run_kind, task_kind
from dhsync.plan.actual import ActualIndex
from dhsync.plan.desired import arrange
from dhsync.plan.functions import actual_content
from dhsync.plan.tasks import actual_task_content
from dhsync.specs.loader import load_repository

from .helpers import PROJECT, actions, applied, function, new_backend, plan, run, state, task, write_plan

K8S: dict[str, Any] = {
    "resources": {"cpu": "500m", "mem": "256Mi"}, "profile": "small", "secrets": ["db", "api"],
    "envs": [{"name": "MODE", "value": "batch"}, {"name": "TOKEN", "value": "s3cr3t", "secret": True}],
    "volumes": [{"volume_type": "empty_dir", "name": "cache", "mount_path": "/cache", "spec": {"size_limit": "1Gi"}}],
}
TASK_SPECS: dict[str, dict[str, Any]] = {
    "python+job": {**K8S, "backoff_limit": 2, "schedule": "0 3 * * *",
                   "node_selector": [{"key": "disk", "value": "ssd"}],
                   "tolerations": [{"key": "dedicated", "operator": "Equal", "value": "ml", "effect": "NoSchedule"}]},
    "python+build": {**K8S, "instructions": ["apt-get update", "pip install numpy"]},
    "python+serve": {**K8S, "replicas": 2, "service_type": "ClusterIP", "service_name": "api"},
    "container+job": {**K8S, "run_as_user": 1000, "run_as_group": 1000, "fs_group": 1000},
    "container+build": {"instructions": ["make"]},
    "container+deploy": {**K8S, "replicas": 1, "run_as_user": 1000},
    "container+serve": {**K8S, "replicas": 1, "service_type": "NodePort",
                        "service_ports": [{"port": 80, "target_port": 8080}, {"port": 443, "target_port": 8443}]},
    "dbt+transform": {**K8S},
}
FUNCTION_SPECS: dict[str, dict[str, Any]] = {
    "python": {"python_version": "PYTHON3_11", "requirements": ["pandas==2.2.3", "numpy"],
               "source": {"source": "src/train.py", "handler": "train:fit", "base64": "cHJpbnQoMSkK"}},
    "container": {"image": "ghcr.io/example/api:1.4", "image_pull_policy": "IfNotPresent", "command": "uvicorn",
                  "args": ["app:api", "--port", "8080"]},
    "dbt": {"source": {"code": "select 1 as one", "lang": "sql"}},
    "mlflowserve": {"path": "s3://models/forecast", "model_name": "forecast"},
}
RUN_SPECS: dict[str, dict[str, Any]] = {
    "python": {"local_execution": True, "parameters": {"horizon": 7}, "inputs": {"raw": "store://demo/dataitem/x"}},
    "container": {"args": ["--once"]},
    "dbt": {"inputs": {"sales": "store://demo/dataitem/table/sales"}, "outputs": {"output_table": "daily"}},
    "mlflowserve": {"parameters": {"a": 1}},
}
ACTIONS: dict[str, tuple[str, ...]] = {**BUILTIN_ACTIONS, "mlflowserve": ("serve",)}


def test_the_tables_cover_every_builtin_task_kind() -> None:
    assert set(BUILTIN_TASK_KINDS) <= set(TASK_SPECS)


def kind_state(fn_kind: str) -> DesiredState:
    """One function of `fn_kind` with every task kind it has, each with a declared on-change run."""
    name = f"{fn_kind}-fn"
    entities: list[DesiredEntity] = [function(name, fn_kind, FUNCTION_SPECS[fn_kind],
                                              metadata={"description": fn_kind, "labels": ["b", "a"]})]
    for action in ACTIONS[fn_kind]:
        kind = task_kind(fn_kind, action)
        entities.append(task(name, kind, TASK_SPECS.get(kind, {"replicas": 1})))
        entities.append(run(f"{name}-{action}", name, run_kind(kind), RUN_SPECS[fn_kind]))
    return state(*entities)


BACKENDS: dict[str, Callable[[Path], str]] = {
    "memory": lambda tmp: "memory://",
    "sqlite": lambda tmp: "sqlite:///" + str(tmp / "s.db"),
}


def assert_contents_equal(desired: DesiredState, backend: Backend) -> None:
    """The slow path alone: normalised declared content equals normalised stored content."""
    index = ActualIndex.build(backend.read_state(desired.project))
    arranged = arrange(desired)
    for fn in arranged.functions:
        latest = index.latest(fn.name)
        assert latest is not None and actual_content(latest) == desired_content(fn)
        stored = index.tasks_of(latest)
        for declared in arranged.tasks.get(fn.name, ()):
            assert actual_task_content(stored[declared.kind]) == desired_content(declared)


@pytest.mark.parametrize("backend_name", sorted(BACKENDS))
@pytest.mark.parametrize("fn_kind", sorted(ACTIONS))
def test_plan_after_apply_is_empty_for_every_kind(fn_kind: str, backend_name: str, tmp_path: Path) -> None:
    desired = kind_state(fn_kind)
    backend = new_backend(BACKENDS[backend_name](tmp_path))
    first = plan(desired, backend)
    assert {a for a, _, _ in actions(first)} == {"create", "trigger"}
    write_plan(backend, desired, first)
    assert actions(plan(desired, backend)) == []
    assert_contents_equal(desired, backend)


def test_plan_after_a_sqlite_round_trip_is_empty(tmp_path: Path) -> None:
    desired = state(*(e for kind in sorted(ACTIONS) for e in kind_state(kind).entities))
    url = "sqlite:///" + str(tmp_path / "s.db")
    applied(desired, url).close()
    reopened = open_backend(url)
    assert actions(plan(desired, reopened)) == []
    reopened.close()


def test_plan_after_apply_of_the_examples_is_empty(examples: Path, tmp_path: Path) -> None:
    loaded = load_repository(examples, use_cache=False)
    assert loaded.ok and loaded.state is not None
    for url in (BACKENDS["memory"](tmp_path), BACKENDS["sqlite"](tmp_path)):
        backend = applied(loaded.state, url)
        assert actions(plan(loaded.state, backend)) == []
        assert_contents_equal(loaded.state, backend)


def test_plan_after_apply_of_the_examples_is_empty_after_a_fresh_load(examples: Path, tmp_path: Path) -> None:
    """The second load (from dhsync's cache) declares the same thing as the first."""
    first = load_repository(examples)
    assert first.state is not None
    backend = applied(first.state)
    copy = tmp_path / "again"
    shutil.copytree(examples, copy)
    again = load_repository(copy)
    assert again.state is not None
    assert actions(plan(again.state, backend)) == []


def _edit(entities: tuple[DesiredEntity, ...], name: str, **changes: Any) -> tuple[DesiredEntity, ...]:
    return tuple(replace(e, **changes) if str(e.identity) == name else e for e in entities)


BASE = state(
    function("train", metadata={"description": "fit", "labels": ["ml"]}),
    task("train", "python+job", {"resources": {"cpu": "1"}}),
    task("train", "python+serve", {"replicas": 1}),
    run("nightly", "train"),
    function("report", "container", {"image": "nginx:1"}),
    task("report", "container+job", {"envs": [{"name": "A", "value": "1"}]}),
)
Edit = Callable[[tuple[DesiredEntity, ...]], tuple[DesiredEntity, ...]]
EDITS: dict[str, tuple[Edit, list[str]]] = {
    "code changed": (lambda es: _edit(es, "function/train", spec={**es[0].spec, "source": {"code": "x = 2\n",
                                                                                         "handler": "main"}}),
                     ["new-version", "recreate", "recreate", "trigger"]),
    "description changed": (lambda es: _edit(es, "function/train", metadata={"description": "fit v2",
                                                                              "labels": ["ml"]}),
                            ["update"]),
    "labels changed": (lambda es: _edit(es, "function/train", metadata={"description": "fit", "labels": ["x"]}),
                       ["update"]),
    "protected": (lambda es: _edit(es, "function/train", protect=True), ["update"]),
    "task changed": (lambda es: _edit(es, "task/train/python+job", spec={"function": "train",
                                                                         "resources": {"cpu": "2"}}),
                     ["update", "trigger"]),
    "task added": (lambda es: (*es, task("report", "container+serve", {"replicas": 1})), ["create"]),
    "task removed": (lambda es: tuple(e for e in es if str(e.identity) != "task/train/python+serve"), ["delete"]),
    "function removed": (lambda es: tuple(e for e in es if e.function != "report" and e.name != "report"),
                         ["delete"]),
    "run declaration changed": (lambda es: _edit(es, "run/nightly", spec={"function": "train", "parameters": {"n": 2}}),
                                ["trigger"]),
    "run added": (lambda es: (*es, run("weekly", "report", "container+job:run")), ["trigger"]),
}


@pytest.mark.parametrize("backend_name", sorted(BACKENDS))
@pytest.mark.parametrize("edit", sorted(EDITS))
def test_plan_after_applying_a_change_is_empty(edit: str, backend_name: str, tmp_path: Path) -> None:
    backend = applied(BASE, BACKENDS[backend_name](tmp_path))
    change, expected = EDITS[edit]
    edited = state(*change(BASE.entities))
    planned = plan(edited, backend, prune=True)
    assert [a for a, _, _ in actions(planned)] == expected
    write_plan(backend, edited, planned)
    assert actions(plan(edited, backend, prune=True)) == []
    assert_contents_equal(edited, backend)


def test_a_manual_run_is_never_triggered_and_an_always_run_fires_on_every_apply() -> None:
    desired = state(function("f"), run("by-hand", "f", trigger=TriggerPolicy.MANUAL),
                    run("every-time", "f", trigger=TriggerPolicy.ALWAYS))
    backend = applied(desired)
    assert actions(plan(desired, backend)) == [("trigger", "run/every-time", "always")]
    stored = backend.read_state(PROJECT)
    assert {t["kind"] for t in stored.tasks} == {"python+job"}  # the manual run's task exists all the same
    assert [r["kind"] for r in stored.runs] == ["python+job:run"]
    assert sum(1 for e in desired.entities if e.type is EntityType.RUN) == 2
