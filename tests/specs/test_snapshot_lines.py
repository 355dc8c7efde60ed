"""The snapshot is JSON lines (issue 9, memory: a row is decoded at a time): a header, then a row a line.
A file cut short, even at a line's end, or with a damaged row is not used; the state is what a load without
the cache gives, and the entities share their project and kind strings."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

import dhsync.specs.loader as loader_module
from dhsync.cli.repo import load_checked
from dhsync.specs import snapshot


def _path(root: Path) -> Path:
    return root / ".dhsync" / "cache" / "snapshot.json"


def test_the_snapshot_is_a_header_and_a_row_a_line(warm: Path) -> None:
    lines = _path(warm).read_bytes().split(b"\n")
    header = orjson.loads(lines[0])
    assert header["format"] == snapshot.SNAPSHOT_FORMAT and header["rows"] == len(lines) - 1 > 1
    assert all(isinstance(orjson.loads(line), list) for line in lines[1:])


def test_a_warm_load_is_served_from_it_and_shares_strings(warm: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    expected = load_checked(warm, use_cache=False).state
    monkeypatch.setattr(loader_module, "check_document", None)  # a re-check would fail loudly
    state = load_checked(warm).state
    assert state is not None and expected is not None and state.entities == expected.entities
    assert len({id(e.project) for e in state.entities}) == 1
    assert len({id(e.kind) for e in state.entities}) == len({e.kind for e in state.entities})


@pytest.mark.parametrize("cut", ["last line", "half a line", "a damaged row"])
def test_a_snapshot_cut_short_or_damaged_is_not_used(warm: Path, cut: str) -> None:
    path = _path(warm)
    data = path.read_bytes()
    if cut == "last line":
        data = data[:data.rindex(b"\n")]
    elif cut == "half a line":
        data = data[:data.rindex(b"\n") + 5]
    else:
        data = data[:data.rindex(b"\n")] + b"\n{}"
    path.write_bytes(data)
    assert snapshot.load(path, orjson.loads(data.split(b"\n")[0])["key"]) is None
    expected = load_checked(warm, use_cache=False)
    again = load_checked(warm)
    assert again.state is not None and expected.state is not None
    assert again.state.entities == expected.state.entities and again.diagnostics == expected.diagnostics
    assert snapshot.load(path, orjson.loads(path.read_bytes().split(b"\n")[0])["key"]) is not None  # rewritten
