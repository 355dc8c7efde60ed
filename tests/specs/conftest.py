"""The examples with a warm load cache, for the snapshot's tests."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

import dhsync.specs.cache as cache_module
from dhsync.cli.repo import load_checked


@pytest.fixture
def warm(examples: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The examples, loaded once so that the snapshot holds them; stamps are trusted at once."""
    monkeypatch.setattr(cache_module, "RACY_NS", 0)
    old = time.time() - 3600
    for path in examples.rglob("*"):
        os.utime(path, (old, old))
    assert load_checked(examples).ok
    return examples
