"""The load cache under .dhsync/cache keeps no secret value in clear, serves a warm load without parsing,
and still sees a secret that changed."""

from __future__ import annotations

from pathlib import Path

import pytest

import dhsync.specs.cache as cache_module
import dhsync.specs.loader as loader_module
from dhsync.specs.loader import load_repository
from tests.specrepo import documents, python_function, task, write_repo

PASSWORD, NEW_PASSWORD = "pg-s3cr3t-one", "pg-s3cr3t-two"
TOKEN = "glpat-" + "Ab1" * 8


def _repo(root: Path, config_extra: str = "") -> Path:
    envs = (f"envs:\n  - {{name: PGPASSWORD, value: {PASSWORD}}}\n  - {{name: MY_SETTING, value: my-private-value}}\n"
            f"  - {{name: NOTE, value: 'token is {TOKEN}'}}\n")
    return write_repo(root, {
        "with_secret.yaml": documents(python_function("loader"), task("loader", spec=envs)),
        "plain.yaml": documents(python_function("plain"), task("plain", spec="envs:\n  - {name: MODE, value: batch}")),
    }, config=f"project: demo\nbackend: sqlite:///.dhsync/state.db\n{config_extra}")


def _cache_text(root: Path) -> str:
    return "".join(p.read_text(errors="replace") for p in (root / ".dhsync" / "cache").rglob("*") if p.is_file())


def _envs(root: Path, name: str) -> dict[str, str]:
    state = load_repository(root).state
    assert state is not None
    (found,) = [e for e in state.entities if e.kind == "python+job" and e.function == name]
    return {env["name"]: env["value"] for env in found.spec["envs"]}


def test_the_cache_keeps_no_secret_and_a_changed_secret_is_read_again(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache_module, "RACY_NS", 0)  # trust stamps at once (the files are seconds old)
    root = _repo(tmp_path / "repo", "secrets:\n  mask: ['MY_*']\n")
    assert _envs(root, "loader")["PGPASSWORD"] == PASSWORD  # the loaded state has the real value
    text = _cache_text(root)
    assert "batch" in text  # the file without secrets is cached as it was
    assert PASSWORD not in text and "my-private-value" not in text and TOKEN not in text
    assert (root / ".dhsync" / "cache" / "snapshot.json").exists()
    with monkeypatch.context() as patched:
        patched.setattr(loader_module, "check_document", None)  # a warm load checks nothing again
        assert _envs(root, "loader") == {"PGPASSWORD": PASSWORD, "MY_SETTING": "my-private-value",
                                         "NOTE": f"token is {TOKEN}"}
    (root / "with_secret.yaml").write_text((root / "with_secret.yaml").read_text().replace(PASSWORD, NEW_PASSWORD))
    assert _envs(root, "loader")["PGPASSWORD"] == NEW_PASSWORD
    assert NEW_PASSWORD not in _cache_text(root) and PASSWORD not in _cache_text(root)


def test_a_snapshot_whose_file_changed_does_not_open(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The sealed values open only with the bytes of the file they came from: edited, the snapshot is
    not used, and the values come from the file as it is now."""
    monkeypatch.setattr(cache_module, "RACY_NS", 0)
    root = _repo(tmp_path / "repo")
    load_repository(root)
    snapshot = (root / ".dhsync" / "cache" / "snapshot.json").read_bytes()
    (root / "with_secret.yaml").write_text((root / "with_secret.yaml").read_text().replace(PASSWORD, NEW_PASSWORD))
    load_repository(root)
    (root / ".dhsync" / "cache" / "snapshot.json").write_bytes(snapshot)  # an old snapshot put back
    assert _envs(root, "loader")["PGPASSWORD"] == NEW_PASSWORD


def test_a_repository_without_secrets_is_cached_as_before(tmp_path: Path) -> None:
    root = write_repo(tmp_path / "repo", {"plain.yaml": documents(python_function("plain"), task("plain"))})
    load_repository(root)
    assert b"sealed" not in (root / ".dhsync" / "cache" / "snapshot.json").read_bytes()
    assert load_repository(root).state == load_repository(root, use_cache=False).state


def test_sealed_values_open_only_with_the_bytes_of_their_file(tmp_path: Path) -> None:
    (tmp_path / "f.yaml").write_text(f"value: {PASSWORD}\n")
    cache = cache_module.CheckCache(tmp_path / "checked.json", "salt")
    data = (tmp_path / "f.yaml").read_bytes()
    content_key = cache.key(data)
    cache.stamp("f.yaml", (tmp_path / "f.yaml").stat(), content_key)
    cache.put(content_key, {"checked": [{"value": PASSWORD, "secret": True}]}, data)
    sealed = cache.seal(tmp_path, "f.yaml", {"value": PASSWORD})
    assert PASSWORD not in repr(sealed)
    assert cache.unseal(tmp_path, "f.yaml", sealed) == {"value": PASSWORD}
    (tmp_path / "f.yaml").write_text(f"value: {NEW_PASSWORD}\n")
    next_load = cache_module.CheckCache(tmp_path / "checked.json", "salt")
    assert next_load.unseal(tmp_path, "f.yaml", sealed) is None
