"""Reading a whole file from a size a stat gave: right even when the file changed since the stat."""

from __future__ import annotations

from pathlib import Path

import pytest

from dhsync.specs.files import read_whole


@pytest.mark.parametrize(("content", "stat_size"), [
    (b"", 0),
    (b"kind: python\n", 13),
    (b"kind: python\n" * 10_000, 5),        # grew since the stat
    (b"kind: python\n", 1_000),             # shrank since the stat
])
def test_the_whole_file_is_read(tmp_path: Path, content: bytes, stat_size: int) -> None:
    path = tmp_path / "f.yaml"
    path.write_bytes(content)
    assert read_whole(str(path), stat_size) == content


def test_a_missing_file_raises_oserror(tmp_path: Path) -> None:
    with pytest.raises(OSError):
        read_whole(str(tmp_path / "gone.yaml"), 0)
