"""Choosing a backend by URL."""

from __future__ import annotations

from pathlib import Path

import pytest

from dhsync.backends import OPENERS, MemoryBackend, open_backend
from dhsync.backends.sqlite import SqliteBackend
from dhsync.model.errors import InvalidInputError


def test_memory_urls_share_a_store_by_name_only() -> None:
    first = open_backend("memory://shared-by-test")
    first.create_project({"name": "p"})
    assert open_backend("memory://shared-by-test").get_project("p")["name"] == "p"
    assert open_backend("memory://").list_projects() == []
    assert isinstance(first, MemoryBackend)


def test_a_relative_sqlite_path_is_relative_to_the_config_folder(tmp_path: Path) -> None:
    backend = open_backend("sqlite:///.dhsync/state.db", tmp_path)
    assert isinstance(backend, SqliteBackend)
    assert backend.path == tmp_path / ".dhsync" / "state.db"
    assert backend.path.is_file()
    backend.close()


def test_an_absolute_sqlite_path(tmp_path: Path) -> None:
    backend = open_backend(f"sqlite:///{tmp_path}/abs.db", Path("/nonexistent"))
    assert isinstance(backend, SqliteBackend)
    assert backend.path == tmp_path / "abs.db"
    backend.close()


@pytest.mark.parametrize("url", ["postgres://x", "state.db", "dhcore+https://example.org"])
def test_unknown_schemes_name_the_url_and_the_supported_ones(url: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        open_backend(url)
    assert f"`{url}`" in str(caught.value)
    assert all(f"{scheme}://" in str(caught.value) for scheme in OPENERS)


def test_an_sqlite_url_needs_a_path() -> None:
    with pytest.raises(InvalidInputError, match="has no file path"):
        open_backend("sqlite://")
