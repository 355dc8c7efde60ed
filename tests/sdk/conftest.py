"""The SDK API under test against each backend, chosen the way users choose it (DHSYNC_BACKEND)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

import dhsync.sdk as sdk
from dhsync.backends.base import Backend


@pytest.fixture(params=["memory", "sqlite"])
def backend_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "memory":
        return "memory://"
    return f"sqlite:///{tmp_path / 'state' / 'dhsync.db'}"


@pytest.fixture
def dh(backend_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[ModuleType]:
    """`import dhsync as dh` (for now dhsync.sdk), talking to a fresh backend, cwd = a fresh folder."""
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.setenv(sdk.ENV_VAR, backend_url)
    sdk.reset_backends()
    yield sdk
    sdk.reset_backends()


@pytest.fixture
def backend(dh: ModuleType) -> Backend:
    """The backend the `dh` calls of a test talk to, to look behind the API."""
    found: Backend = dh.get_backend()
    return found


@pytest.fixture
def project(dh: ModuleType) -> sdk.Project:
    return dh.get_or_create_project("demo")

