"""Sealed cache entries: they open with the bytes of their own file only, any changed byte is refused,
and a file holding a secret is not parsed again while it is unchanged (a warm load after another file was
edited reads it, but checks nothing of it)."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

import dhsync.specs.cache as cache_module
import dhsync.specs.loader as loader_module
from dhsync.specs.loader import load_repository
from dhsync.specs.seal import file_keys, open_sealed, seal
from tests.specrepo import documents, python_function, task, write_repo

SECRET = b'{"DB_PASSWORD": "hunter2hunter2"}'


def test_a_sealed_value_opens_with_its_keys_and_holds_nothing_in_clear() -> None:
    keys = file_keys(b"the spec file", "salt")
    sealed = seal(SECRET, keys)
    assert b"hunter2" not in base64.b64decode(sealed) and "hunter2" not in sealed
    assert open_sealed(sealed, keys) == SECRET
    assert open_sealed(seal(b"", keys), keys) == b""
    assert open_sealed(seal(b"\0\0x", keys), keys) == b"\0\0x"  # leading zero bytes survive the XOR


def test_every_sealing_uses_a_fresh_nonce() -> None:
    keys = file_keys(b"the spec file", "salt")
    assert seal(SECRET, keys) != seal(SECRET, keys)


def test_another_file_or_salt_does_not_open_it() -> None:
    sealed = seal(SECRET, file_keys(b"the spec file", "salt"))
    assert open_sealed(sealed, file_keys(b"the spec file, edited", "salt")) is None
    assert open_sealed(sealed, file_keys(b"the spec file", "other salt")) is None


def test_any_changed_byte_is_refused() -> None:
    keys = file_keys(b"the spec file", "salt")
    raw = base64.b64decode(seal(SECRET, keys))
    for position in range(len(raw)):  # version, nonce, tag and ciphertext alike
        tampered = bytearray(raw)
        tampered[position] ^= 0x01
        assert open_sealed(base64.b64encode(bytes(tampered)).decode(), keys) is None, position
    assert open_sealed(base64.b64encode(raw[:-1]).decode(), keys) is None  # truncated
    assert open_sealed(base64.b64encode(raw[:20]).decode(), keys) is None
    assert open_sealed("not base64!", keys) is None


def _repo(root: Path, n: int) -> Path:
    return write_repo(root, {f"f{i}.yaml": documents(
        python_function(f"f{i}"), task(f"f{i}", spec=f"envs:\n  - {{name: DB_PASSWORD, value: pw-{i}-s3cr3t}}\n"
                                       f"secrets: [cluster-secret-{i}]\n")) for i in range(n)})


def test_after_one_edit_only_that_file_is_checked_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache_module, "RACY_NS", 0)  # trust stamps at once (the files are seconds old)
    root = _repo(tmp_path / "repo", 5)
    cold = load_repository(root)
    checked: list[object] = []
    real = loader_module.check_document
    monkeypatch.setattr(loader_module, "check_document", lambda *a: checked.append(a) or real(*a))
    (root / "f3.yaml").write_text((root / "f3.yaml").read_text().replace("pw-3-s3cr3t", "pw-3-rotated"))
    warm = load_repository(root)
    assert len(checked) == 2  # f3.yaml's function and task; the four unchanged files came from the cache
    assert warm.state is not None and cold.state is not None
    envs = {e.function: e.spec["envs"][0]["value"] for e in warm.state.entities if e.kind == "python+job"}
    assert envs == {"f0": "pw-0-s3cr3t", "f1": "pw-1-s3cr3t", "f2": "pw-2-s3cr3t", "f3": "pw-3-rotated",
                    "f4": "pw-4-s3cr3t"}
    cache_text = "".join(p.read_text() for p in (root / ".dhsync" / "cache").iterdir())
    assert "s3cr3t" not in cache_text and "rotated" not in cache_text and "cluster-secret" not in cache_text
    assert load_repository(root, use_cache=False).state == warm.state


def test_a_tampered_cache_entry_is_parsed_again_not_trusted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache_module, "RACY_NS", 0)
    root = _repo(tmp_path / "repo", 2)
    load_repository(root)
    cache_dir = root / ".dhsync" / "cache"
    (cache_dir / "snapshot.json").unlink()
    checked = cache_dir / "checked.json"
    text = checked.read_text()
    sealed = text.split('"sealed":"')[1].split('"')[0]
    flipped = base64.b64encode(bytes([base64.b64decode(sealed)[0]]) + base64.b64decode(sealed)[1:-1]
                               + bytes([base64.b64decode(sealed)[-1] ^ 1])).decode()
    checked.write_text(text.replace(sealed, flipped))
    assert load_repository(root).state == load_repository(root, use_cache=False).state
