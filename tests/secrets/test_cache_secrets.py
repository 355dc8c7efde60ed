"""The load cache under .dhsync/cache keeps no secret value, and still sees a secret that changed."""

from __future__ import annotations

from pathlib import Path

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


def test_the_cache_keeps_no_secret_and_a_changed_secret_is_read_again(tmp_path: Path) -> None:
    root = _repo(tmp_path / "repo", "secrets:\n  mask: ['MY_*']\n")
    assert _envs(root, "loader")["PGPASSWORD"] == PASSWORD  # the loaded state has the real value
    assert _envs(root, "loader")["PGPASSWORD"] == PASSWORD  # and so has a warm load
    text = _cache_text(root)
    assert "batch" in text  # the file without secrets is cached as it was
    assert PASSWORD not in text and "my-private-value" not in text and TOKEN not in text
    assert not (root / ".dhsync" / "cache" / "snapshot.json").exists()
    (root / "with_secret.yaml").write_text((root / "with_secret.yaml").read_text().replace(PASSWORD, NEW_PASSWORD))
    assert _envs(root, "loader")["PGPASSWORD"] == NEW_PASSWORD
    assert NEW_PASSWORD not in _cache_text(root)


def test_a_repository_without_secrets_keeps_its_snapshot(tmp_path: Path) -> None:
    root = write_repo(tmp_path / "repo", {"plain.yaml": documents(python_function("plain"), task("plain"))})
    load_repository(root)
    assert (root / ".dhsync" / "cache" / "snapshot.json").exists()
    assert load_repository(root).state == load_repository(root, use_cache=False).state


def test_a_snapshot_made_before_a_secret_was_added_is_removed(tmp_path: Path) -> None:
    root = write_repo(tmp_path / "repo", {"plain.yaml": documents(python_function("plain"), task("plain"))})
    load_repository(root)
    (root / "plain.yaml").write_text(documents(python_function("plain"), task(
        "plain", spec=f"envs:\n  - {{name: DB_PASS, value: {PASSWORD}}}")))
    assert _envs(root, "plain")["DB_PASS"] == PASSWORD
    assert not (root / ".dhsync" / "cache" / "snapshot.json").exists()
    assert PASSWORD not in _cache_text(root)
