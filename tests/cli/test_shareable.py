"""One definition of "can another process open this backend": `backends.shareable`, which the SDK's
locator (how a detached supervisor reopens the backend) and `dhsync run --no-wait` both use."""

from __future__ import annotations

from pathlib import Path

import pytest

from dhsync.backends import shareable
from dhsync.sdk.execution import locator


@pytest.mark.parametrize(("url", "expected"), [
    ("memory://", False),
    ("memory://shared-name", False),
    ("sqlite:///.dhsync/state.db", True),
    ("sqlite:////tmp/state.db", True),
])
def test_only_a_memory_store_lives_in_its_process(url: str, expected: bool, tmp_path: Path) -> None:
    assert shareable(url) is expected
    assert (locator(url, tmp_path) is not None) is expected  # the supervisor gets a way in exactly then
