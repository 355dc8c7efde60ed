"""The `shop` repository the run commands are tested on, its functions stored, its leftovers stopped."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli.stored import stop_leftovers, store_functions, write_repo


@pytest.fixture
def repo(tmp_path: Path) -> Iterator[Path]:
    root = write_repo(tmp_path / "shop")
    store_functions(root)
    yield root
    stop_leftovers(root)
