"""Normalisation: two spellings of the same entity compare equal, two different entities do not."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest

from dhsync.diff.compare import compare
from dhsync.diff.normalise import desired_content, function_content, run_content, spec_content, task_content
from dhsync.model.kinds import EntityType
from dhsync.specs.loader import load_repository

CODE = "def main(x):\n    return x * 2\n"
B64 = base64.b64encode(CODE.encode()).decode()
WRAPPED = base64.encodebytes((CODE * 20).encode()).decode()  # line breaks every 76 characters


def same_spec(kind: str, a: dict[str, Any], b: dict[str, Any]) -> bool:
    return spec_content(kind, a) == spec_content(kind, b)


SAME_SPECS: dict[str, tuple[str, dict[str, Any], dict[str, Any]]] = {
    "null is absent": ("python", {"image": None, "handler": "h"}, {"handler": "h"}),
    "empty mapping is absent": ("container", {"image": "i", "source": {}}, {"image": "i"}),
    "empty list is absent": ("python+job", {"secrets": [], "envs": []}, {}),
    "nested empties are absent": ("python+job", {"resources": {"cpu": None, "mem": "1Gi"}, "volumes": []},
                                  {"resources": {"mem": "1Gi"}}),
    "code and base64": ("python", {"source": {"code": CODE}}, {"source": {"base64": B64}}),
    "base64 wrapped over lines": ("python", {"source": {"code": CODE * 20}}, {"source": {"base64": WRAPPED}}),
    "python lang default": ("python", {"source": {"code": CODE}}, {"source": {"code": CODE, "lang": "python"}}),
    "python lang default without code": ("python", {"source": {"handler": "main"}},
                                         {"source": {"handler": "main", "lang": "python"}}),
    "python lang default, remote source": ("python", {"source": {"source": "git+https://x/y.git"}},
                                           {"source": {"source": "git+https://x/y.git", "lang": "python"}}),
    "dbt lang default": ("dbt", {"source": {"code": "select 1"}},
                         {"source": {"base64": "c2VsZWN0IDE=", "lang": "sql"}}),
    "secrets in any order": ("python+job", {"secrets": ["b", "a"]}, {"secrets": ["a", "b"]}),
    "requirements in any order": ("python", {"requirements": ["numpy", "pandas"]},
                                  {"requirements": ["pandas", "numpy"]}),
    "envs by name": ("python+job", {"envs": [{"name": "B", "value": "2"}, {"name": "A", "value": "1"}]},
                     {"envs": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}]}),
    "volumes by name": ("python+job", {"volumes": [{"name": "v2", "mount_path": "/b"},
                                                   {"name": "v1", "mount_path": "/a"}]},
                        {"volumes": [{"name": "v1", "mount_path": "/a"}, {"name": "v2", "mount_path": "/b"}]}),
    "node_selector by key": ("python+job", {"node_selector": [{"key": "b", "value": "1"}, {"key": "a", "value": "2"}]},
                             {"node_selector": [{"key": "a", "value": "2"}, {"key": "b", "value": "1"}]}),
    "tolerations in any order": ("python+job", {"tolerations": [{"key": "x", "effect": "NoSchedule"},
                                                                {"key": "x", "effect": "NoExecute"}]},
                                 {"tolerations": [{"effect": "NoExecute", "key": "x"},
                                                  {"key": "x", "effect": "NoSchedule"}]}),
    "service_ports in any order": ("container+serve", {"service_ports": [{"port": 443, "target_port": 8443},
                                                                         {"port": 80, "target_port": 8080}]},
                                   {"service_ports": [{"port": 80, "target_port": 8080},
                                                      {"port": 443, "target_port": 8443}]}),
    "env secret false is the default": ("python+job", {"envs": [{"name": "A", "value": "1", "secret": False}]},
                                        {"envs": [{"name": "A", "value": "1"}]}),
    "key order": ("python+job", {"resources": {"cpu": "1", "mem": "1Gi"}}, {"resources": {"mem": "1Gi", "cpu": "1"}}),
    "integer keys in an unordered list": ("python+job", {"tolerations": [{1: "a"}, {2: "b"}]},
                                          {"tolerations": [{2: "b"}, {1: "a"}]}),
}
DIFFERENT_SPECS: dict[str, tuple[str, dict[str, Any], dict[str, Any]]] = {
    "different code": ("python", {"source": {"code": CODE}}, {"source": {"code": CODE + "# more\n"}}),
    "args order": ("container", {"args": ["--a", "--b"]}, {"args": ["--b", "--a"]}),
    "build instructions order": ("python+build", {"instructions": ["a", "b"]}, {"instructions": ["b", "a"]}),
    "run args order": ("container+job:run", {"args": ["x", "y"]}, {"args": ["y", "x"]}),
    "explicit other lang": ("dbt", {"source": {"code": "x"}}, {"source": {"code": "x", "lang": "python"}}),
    "false is not absent": ("python+run", {"local_execution": False}, {}),
    "zero is not absent": ("container+serve", {"replicas": 0}, {}),
    "env secret": ("python+job", {"envs": [{"name": "A", "value": "1", "secret": True}]},
                   {"envs": [{"name": "A", "value": "1"}]}),
    "env value": ("python+job", {"envs": [{"name": "A", "value": "1"}]}, {"envs": [{"name": "A", "value": "2"}]}),
}


@pytest.mark.parametrize("case", sorted(SAME_SPECS))
def test_spellings_of_one_spec_are_equal(case: str) -> None:
    kind, a, b = SAME_SPECS[case]
    assert same_spec(kind, a, b)
    assert compare({"spec": spec_content(kind, a)}, {"spec": spec_content(kind, b)}).same


@pytest.mark.parametrize("case", sorted(DIFFERENT_SPECS))
def test_different_specs_stay_different(case: str) -> None:
    kind, a, b = DIFFERENT_SPECS[case]
    assert not same_spec(kind, a, b)


def test_container_functions_get_no_lang_default() -> None:
    assert spec_content("container", {"source": {"code": "echo hi"}})["source"].get("lang") is None


SERVER_OWNED_METADATA = {"project": "demo", "name": "f", "version": "gentle-otter", "created": "2026-01-01T00:00:00",
                         "updated": "2026-01-02T00:00:00", "created_by": "alice", "updated_by": "bob",
                         "relationships": [{"type": "run_of", "dest": "store://x"}], "ref": "x"}


@pytest.mark.parametrize(("user_metadata", "stored_metadata"), [
    ({"description": "d"}, {"description": "d", **SERVER_OWNED_METADATA}),
    ({}, {"embedded": False, **SERVER_OWNED_METADATA}),
    ({"labels": ["b", "a"]}, {"labels": ["a", "b", "dhsync/managed", "dhsync/protect"]}),
    ({"labels": ["a", "a"]}, {"labels": ["a"]}),
    ({"labels": []}, {}),
])
def test_server_owned_metadata_and_dhsync_marks_are_not_content(user_metadata: dict[str, Any],
                                                                 stored_metadata: dict[str, Any]) -> None:
    spec = {"image": "i"}
    assert function_content("container", user_metadata, spec, False) == \
        function_content("container", stored_metadata, spec, False)


@pytest.mark.parametrize(("a", "b"), [
    ({"description": "d"}, {"description": "e"}),
    ({"labels": ["a"]}, {"labels": ["a", "b"]}),
    ({"embedded": True}, {}),
])
def test_user_metadata_is_content(a: dict[str, Any], b: dict[str, Any]) -> None:
    assert function_content("python", a, {}, False) != function_content("python", b, {}, False)


def test_protection_is_content() -> None:
    assert function_content("python", {}, {}, True) != function_content("python", {}, {}, False)


def test_bindings_are_not_content() -> None:
    """A task's function and a run's function and task are compared by identity, not as text."""
    assert task_content("python+job", {"function": "train", "profile": "s"}) == \
        task_content("python+job", {"function": "python://demo/train:abc123", "profile": "s"})
    assert run_content("python+job:run", {"function": "train", "parameters": {"a": 1}}) == \
        run_content("python+job:run", {"function": "python://demo/train:1", "task": "python+job://demo/t1",
                                       "parameters": {"a": 1}})


def _repo(tmp_path: Path, source: str) -> Path:
    root = tmp_path / source.split()[0].strip(":")
    (root / "src").mkdir(parents=True)
    (root / "src" / "main.py").write_text(CODE)
    (root / "dhsync.yaml").write_text("project: demo\nspecs: ['*.yaml']\n")
    (root / "f.yaml").write_text("kind: python\nname: f\nspec:\n  python_version: PYTHON3_11\n"
                                 f"  source:\n    handler: main\n    {source}\n")
    return root


@pytest.mark.parametrize("source", [
    "source: src/main.py",
    f"code: {CODE!r}".replace("'", '"'),
    f"base64: {B64}",
])
def test_code_from_a_file_inline_or_base64_is_the_same_code(source: str, tmp_path: Path) -> None:
    loaded = load_repository(_repo(tmp_path, source), use_cache=False)
    assert loaded.ok and loaded.state is not None, loaded.diagnostics
    (fn,) = loaded.state.by_type(EntityType.FUNCTION)
    content = desired_content(fn)
    assert content["spec"]["source"]["code"] == spec_content("python", {"source": {"code": CODE}})["source"]["code"]
    assert content["spec"]["source"]["lang"] == "python"
