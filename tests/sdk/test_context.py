"""Which backend the SDK talks to: argument > DHSYNC_BACKEND > dhsync.yaml of the cwd > embedded default."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import dhsync.sdk as dh
from dhsync.backends import open_backend
from dhsync.model.errors import InvalidInputError


@pytest.fixture(autouse=True)
def _clean(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv(dh.ENV_VAR, raising=False)
    monkeypatch.chdir(tmp_path)
    dh.reset_backends()
    yield
    dh.reset_backends()


def _write_config(folder: Path, backend: str | None) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    line = f"backend: {backend}\n" if backend else ""
    (folder / "dhsync.yaml").write_text(f"project: demo\n{line}", encoding="utf-8")


def test_without_anything_the_embedded_database_is_created_in_the_cwd(tmp_path: Path) -> None:
    dh.get_or_create_project("demo")
    assert (tmp_path / ".dhsync" / "state.db").is_file()
    assert dh.choose_backend().source == "embedded default"


def test_dhsync_yaml_of_the_cwd_names_the_backend_relative_to_its_folder(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = tmp_path / "repo"
    _write_config(repo, "sqlite:///state/here.db")
    monkeypatch.chdir(repo)
    dh.get_or_create_project("demo")
    assert (repo / "state" / "here.db").is_file()
    assert not (repo / ".dhsync").exists()


def test_dhsync_yaml_without_backend_means_the_default_beside_it(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    repo = tmp_path / "repo"
    _write_config(repo, None)
    monkeypatch.chdir(repo)
    dh.get_or_create_project("demo")
    assert (repo / ".dhsync" / "state.db").is_file()


def test_environment_variable_beats_dhsync_yaml(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _write_config(tmp_path, "sqlite:///from-yaml.db")
    monkeypatch.setenv(dh.ENV_VAR, "sqlite:///from-env.db")
    dh.get_or_create_project("demo")
    assert (tmp_path / "from-env.db").is_file()
    assert not (tmp_path / "from-yaml.db").exists()
    assert dh.choose_backend().source == f"environment variable {dh.ENV_VAR}"


def test_explicit_url_beats_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(dh.ENV_VAR, "sqlite:///from-env.db")
    dh.get_or_create_project("demo", backend="sqlite:///explicit.db")
    assert (tmp_path / "explicit.db").is_file()
    assert not (tmp_path / "from-env.db").exists()


def test_explicit_backend_object_is_used_as_is(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(dh.ENV_VAR, "memory://env-store")
    mine = open_backend("memory://")
    dh.get_or_create_project("mine", backend=mine)
    assert [p.name for p in dh.list_projects(backend=mine)] == ["mine"]
    assert dh.list_projects() == []


def test_one_backend_per_url_until_reset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(dh.ENV_VAR, "memory://")
    first = dh.get_backend()
    assert dh.get_backend() is first
    dh.get_or_create_project("kept")
    assert [p.name for p in dh.list_projects()] == ["kept"]
    dh.reset_backends()
    assert dh.get_backend() is not first
    assert dh.list_projects() == []  # an unnamed memory store lives as long as its backend


def test_sdk_state_survives_a_reset_with_sqlite(tmp_path: Path) -> None:
    dh.get_or_create_project("demo")
    dh.reset_backends()
    assert dh.get_project("demo").name == "demo"


def test_empty_and_unknown_urls_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(InvalidInputError, match="empty URL"):
        dh.get_backend("  ")
    with pytest.raises(InvalidInputError, match="not supported"):
        dh.get_backend("postgres://x")
