"""Loading a spec repository: entities, code files, exports, defaults, policies and the cache."""

from __future__ import annotations

import base64
import os
import textwrap
from pathlib import Path

import pytest

from dhsync.model.entities import TriggerPolicy
from dhsync.model.kinds import EntityType
from dhsync.specs.loader import load_repository


def write_repo(root: Path, files: dict[str, str], config: str = "project: demo\n") -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "dhsync.yaml").write_text(config)
    for name, text in files.items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(text))
    return root


FUNCTION = """\
kind: python
name: train
spec:
  python_version: PYTHON3_11
  source: {source: src/train.py, handler: fit}
"""


def test_examples_load_into_the_entities_they_declare(examples: Path) -> None:
    result = load_repository(examples, use_cache=False)
    assert result.ok, [d.one_line() for d in result.diagnostics]
    assert result.state is not None
    names = {(e.type, e.name) for e in result.state.entities}
    assert (EntityType.FUNCTION, "train-forecast") in names
    assert (EntityType.TASK, "model-api/container+serve") in names
    assert (EntityType.RUN, "daily-sales-refresh") in names
    assert len(result.state.by_type(EntityType.FUNCTION)) == 5


def test_a_code_file_is_sent_as_base64_and_its_hash_kept(tmp_path: Path) -> None:
    repo = write_repo(tmp_path / "r", {"fns.yaml": FUNCTION, "src/train.py": "def fit():\n    return 1\n"})
    result = load_repository(repo, use_cache=False)
    assert result.ok and result.state is not None
    fn = result.state.by_type(EntityType.FUNCTION)[0]
    assert base64.b64decode(fn.spec["source"]["base64"]) == b"def fit():\n    return 1\n"
    assert fn.spec["source"]["source"] == "src/train.py"
    assert fn.spec["source"]["lang"] == "python"
    assert list(fn.sources) == ["src/train.py"]


def test_inline_code_becomes_base64_like_the_sdk_does(tmp_path: Path) -> None:
    repo = write_repo(tmp_path / "r", {"fns.yaml": """\
        kind: python
        name: inline
        spec:
          python_version: PYTHON3_12
          source:
            handler: main
            code: |
              def main():
                  return 42
        """})
    result = load_repository(repo, use_cache=False)
    assert result.ok and result.state is not None
    source = result.state.entities[0].spec["source"]
    assert "code" not in source
    assert base64.b64decode(source["base64"]).decode() == "def main():\n    return 42\n"


def test_an_sdk_export_loads_with_server_owned_fields_set_aside(tmp_path: Path) -> None:
    export = """\
        kind: python
        metadata:
          project: demo
          name: hello
          version: gentle-otter
          description: demo fn
          labels: [team-a]
          created: '2026-11-25T04:46:07.798908+00:00'
          updated: '2026-11-25T04:46:07.798908+00:00'
          embedded: false
        spec:
          python_version: PYTHON3_11
          source: {handler: myhandler, base64: ZGVmIG15aGFuZGxlcigpOiBwYXNz, lang: python}
        status: {state: CREATED}
        user: alice
        project: demo
        name: hello
        id: b79441fdf6d44928b0a32f9054c50310
        key: store://demo/function/python/hello:b79441fdf6d44928b0a32f9054c50310
        ---
        kind: python+job
        metadata: {project: demo, name: 0fae6700624d42d5a55c1e1d62685ae9}
        spec:
          function: python://demo/hello:b79441fdf6d44928b0a32f9054c50310
          resources: {cpu: "1", mem: 256Mi}
        status: {state: CREATED}
        project: demo
        id: 0fae6700624d42d5a55c1e1d62685ae9
        name: 0fae6700624d42d5a55c1e1d62685ae9
        key: store://demo/task/python+job/0fae6700624d42d5a55c1e1d62685ae9
        """
    repo = write_repo(tmp_path / "r", {"functions-b79441.yaml": export})
    result = load_repository(repo, use_cache=False)
    assert result.ok, [d.one_line() for d in result.diagnostics]
    assert result.state is not None
    fn, task = result.state.entities
    assert fn.to_document() == {
        "kind": "python", "project": "demo", "name": "hello",
        "metadata": {"description": "demo fn", "labels": ["team-a"], "embedded": False},
        "spec": {"python_version": "PYTHON3_11",
                 "source": {"handler": "myhandler", "base64": "ZGVmIG15aGFuZGxlcigpOiBwYXNz", "lang": "python"}},
    }
    assert task.identity.name == "hello/python+job"
    assert task.spec == {"function": "hello", "resources": {"cpu": "1", "mem": "256Mi"}}


def test_defaults_of_dhsync_yaml_go_under_every_document(tmp_path: Path) -> None:
    config = "project: demo\ndefaults:\n  function:\n    metadata: {labels: [team]}\n" \
             "  task:\n    spec: {resources: {mem: 128Mi}}\n"
    repo = write_repo(tmp_path / "r", {"fns.yaml": FUNCTION + "---\nkind: python+job\nspec:\n  function: train\n"
                                       "  resources: {cpu: '1'}\n", "src/train.py": "x = 1\n"}, config)
    result = load_repository(repo, use_cache=False)
    assert result.ok and result.state is not None
    fn, task = result.state.entities
    assert fn.metadata == {"labels": ["team"]}
    assert task.spec["resources"] == {"cpu": "1", "mem": "128Mi"}


def test_protect_comes_from_the_document_or_the_policy_globs(tmp_path: Path) -> None:
    config = "project: demo\npolicies:\n  protect: ['train*']\n"
    other = FUNCTION.replace("name: train", "name: other") + "protect: true\n"
    third = FUNCTION.replace("name: train", "name: third")
    repo = write_repo(tmp_path / "r", {"a.yaml": FUNCTION, "b.yaml": other, "c.yaml": third,
                                       "src/train.py": "x = 1\n"}, config)
    result = load_repository(repo, use_cache=False)
    assert result.state is not None
    assert {e.name: e.protect for e in result.state.entities} == {"train": True, "other": True, "third": False}


def test_declared_runs_carry_function_action_and_trigger(tmp_path: Path) -> None:
    run = "kind: python+job:run\nname: nightly\ntrigger: always\nspec:\n  function: train\n  parameters: {a: 1}\n"
    repo = write_repo(tmp_path / "r", {"a.yaml": FUNCTION + "---\n" + run, "src/train.py": "x = 1\n"})
    result = load_repository(repo, use_cache=False)
    assert result.state is not None
    declared = result.state.by_type(EntityType.RUN)[0]
    assert (declared.function, declared.action, declared.trigger) == ("train", "job", TriggerPolicy.ALWAYS)
    assert declared.spec == {"function": "train", "parameters": {"a": 1}}


def test_hidden_folders_the_state_folder_and_ignored_files_are_not_specs(tmp_path: Path) -> None:
    config = "project: demo\nignore: ['dbt/**']\n"
    repo = write_repo(tmp_path / "r", {"a.yaml": FUNCTION, "src/train.py": "x = 1\n",
                                       ".github/workflows/ci.yaml": "on: push\n",
                                       ".dhsync/junk.yaml": "not: a spec\n",
                                       "dbt/dbt_project.yml": "name: x\n"}, config)
    result = load_repository(repo, use_cache=False)
    assert result.files == ("a.yaml",)
    assert result.ok


def test_files_load_in_a_stable_sorted_order(tmp_path: Path) -> None:
    files = {f"{name}.yaml": FUNCTION.replace("name: train", f"name: {name}") for name in ("c", "a", "b")}
    repo = write_repo(tmp_path / "r", {**files, "src/train.py": "x = 1\n"})
    result = load_repository(repo, use_cache=False)
    assert result.state is not None
    assert [e.name for e in result.state.entities] == ["a", "b", "c"]


def test_a_missing_dhsync_yaml_says_how_to_make_one(tmp_path: Path) -> None:
    result = load_repository(tmp_path, use_cache=False)
    assert not result.ok
    assert result.diagnostics[0].code == "no-config"
    assert result.diagnostics[0].suggestion == "run `dhsync init` to create one"


@pytest.mark.parametrize(("config", "expected"), [
    ("project: a b\n", "dhsync.yaml:1:10: error: invalid name: `a b` has characters DHCore rejects"),
    ("projet: demo\n", "dhsync.yaml:1:1: error: unknown field `projet` (projet); did you mean `project`?"),
    ("project: demo\npolicies: {prune: yes}\n", "dhsync.yaml:2:19: error: `prune` must be true or false"),
    ("- project\n", "dhsync.yaml:1:1: error: dhsync.yaml must hold one mapping"),
])
def test_a_bad_dhsync_yaml_is_located(tmp_path: Path, config: str, expected: str) -> None:
    repo = write_repo(tmp_path / "r", {}, config)
    result = load_repository(repo, use_cache=False)
    assert result.state is None
    lines = [d.one_line().removeprefix(f"{repo.as_posix()}/") for d in result.diagnostics]
    assert any(line.startswith(expected) for line in lines), lines


class TestCache:
    def test_a_warm_load_gives_the_same_result(self, examples: Path) -> None:
        cold = load_repository(examples)
        assert (examples / ".dhsync" / "cache" / "checked.json").is_file()
        warm = load_repository(examples)
        assert warm.state == cold.state
        assert warm.diagnostics == cold.diagnostics

    def test_a_changed_file_is_checked_again(self, examples: Path) -> None:
        assert load_repository(examples).ok
        spec = examples / "functions" / "report.yaml"
        spec.write_text(spec.read_text().replace("python_version: PYTHON3_11", "python_version: PYTHON2"))
        result = load_repository(examples)
        assert [d.code for d in result.diagnostics] == ["bad-value"]

    def test_a_changed_code_file_is_read_again(self, examples: Path) -> None:
        first = load_repository(examples)
        (examples / "src" / "summarise.py").write_text("def summarise(numbers):\n    return 0, 0, 0\n")
        second = load_repository(examples)
        assert first.state is not None and second.state is not None
        before = {e.name: e.spec for e in first.state.entities}
        after = {e.name: e.spec for e in second.state.entities}
        assert before["summarise"] != after["summarise"]
        assert before["train-forecast"] == after["train-forecast"]

    @pytest.mark.parametrize("damaged", ["checked.json", "stamps.json", "snapshot.json"])
    def test_a_damaged_cache_is_ignored(self, examples: Path, damaged: str) -> None:
        expected = load_repository(examples)
        (examples / ".dhsync" / "cache" / damaged).write_bytes(b"\x00garbage{")
        again = load_repository(examples)
        assert again.state == expected.state
        assert again.diagnostics == expected.diagnostics

    def test_a_wholly_damaged_cache_is_rewritten(self, examples: Path) -> None:
        expected = load_repository(examples).state
        cache = examples / ".dhsync" / "cache"
        for name in ("checked.json", "stamps.json", "snapshot.json"):
            (cache / name).write_bytes(b"\x00garbage{")
        assert load_repository(examples).state == expected
        assert (cache / "checked.json").read_bytes().startswith(b"{")

    def test_an_unchanged_repository_is_served_from_the_snapshot(self, examples: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
        import dhsync.specs.cache as cache_module
        monkeypatch.setattr(cache_module, "RACY_NS", 0)  # trust stamps at once (files here are seconds old)
        expected = load_repository(examples)
        import dhsync.specs.loader as loader_module
        monkeypatch.setattr(loader_module, "check_document", None)  # any re-check would now fail loudly
        again = load_repository(examples)
        assert again.state == expected.state

    def test_an_edit_in_the_same_tick_as_the_cache_is_not_missed(self, examples: Path) -> None:
        """Racy git: on a coarse-clock file system an edit can carry the very timestamp the cache was
        written at; same size, same inode. Such a stamp must not be trusted."""
        import orjson
        assert load_repository(examples).ok
        written_ns = orjson.loads((examples / ".dhsync" / "cache" / "stamps.json").read_bytes())["written_ns"]
        report = examples / "functions" / "report.yaml"
        report.write_text(report.read_text().replace("PYTHON3_11", "PYTHON3_99"))
        os.utime(report, ns=(written_ns, written_ns))
        assert "bad-value" in {d.code for d in load_repository(examples).diagnostics}

    def test_changed_defaults_invalidate_the_cache(self, examples: Path) -> None:
        assert load_repository(examples).ok
        config = examples / "dhsync.yaml"
        config.write_text(config.read_text().replace("labels: [demo-ml]", "labels: demo-ml"))
        result = load_repository(examples)
        assert "wrong-type" in {d.code for d in result.diagnostics}

    @pytest.mark.skipif(os.geteuid() == 0, reason="root can write into read-only folders")
    def test_a_read_only_repository_still_validates(self, examples: Path) -> None:
        os.chmod(examples, 0o555)
        try:
            assert load_repository(examples).ok
        finally:
            os.chmod(examples, 0o755)


def test_an_unchanged_repository_brings_its_digest_from_the_snapshot(examples: Path) -> None:
    import time
    from dataclasses import replace

    from dhsync.model.entities import desired_digest
    from dhsync.specs.cache import RACY_NS

    first = load_repository(examples)
    time.sleep(RACY_NS / 1e9)  # stamps younger than this are not trusted (git's racy rule)
    load_repository(examples)  # the snapshot is written by a load that trusts every stamp
    again = load_repository(examples)
    assert first.state is not None and again.state is not None and again.state.digest is not None
    assert again.state.digest == desired_digest(replace(again.state, digest=None)) == desired_digest(first.state)
