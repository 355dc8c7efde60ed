"""Backends under test, one fresh store per test.

`harness` is parameterised over BACKEND_FACTORIES: a later backend (dhcore against a test server)
joins the contract suite by adding one factory there.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from dhsync.backends.base import Backend

from .helpers import BACKEND_FACTORIES, PROJECT, FakeClock, Harness, Make


@pytest.fixture(params=sorted(BACKEND_FACTORIES))
def harness(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Harness]:
    made = BACKEND_FACTORIES[request.param](tmp_path, FakeClock())
    yield made
    for step in made.cleanup:
        step()


@pytest.fixture
def backend(harness: Harness) -> Backend:
    """A backend holding one empty project, `demo`."""
    harness.backend.create_project({"name": PROJECT})
    return harness.backend


@pytest.fixture
def make(backend: Backend) -> Make:
    return Make(backend)
