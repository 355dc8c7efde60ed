"""`import dhsync as dh` is the SDK, as the DigitalHub documentation writes it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import dhsync
import dhsync.sdk


def test_every_sdk_name_is_reachable_from_the_package() -> None:
    exported = set(dhsync.sdk.__all__) - {"ENV_VAR"}
    assert {name for name in exported if getattr(dhsync, name) is getattr(dhsync.sdk, name)} == exported
    assert exported <= set(dir(dhsync))


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        dhsync.nope  # noqa: B018


def test_the_command_line_does_not_import_the_sdk() -> None:
    code = "import sys, dhsync.cli.main; print('dhsync.sdk' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_documentation_style_use_works_end_to_end(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DHSYNC_BACKEND", f"sqlite:///{tmp_path}/state.db")
    dhsync.reset_backends()
    try:
        project = dhsync.get_or_create_project("demo")
        fn = dhsync.new_function(project="demo", name="hello", kind="python", code="def h():\n    return 1\n",
                                 handler="h", python_version="PYTHON3_11")
        assert dhsync.get_function(project="demo", entity_name="hello").id == fn.id
        assert [f.name for f in project.list_functions()] == ["hello"]
    finally:
        dhsync.reset_backends()


def test_errors_can_be_caught_from_the_package(tmp_path: Path) -> None:
    from dhsync.model import errors

    assert dhsync.NotFoundError is errors.NotFoundError
    assert issubclass(dhsync.BackendError, dhsync.DhsyncError)
    garbage = tmp_path / "state.db"
    garbage.write_bytes(b"\x00not a database" * 100)
    dhsync.reset_backends()
    with pytest.raises(dhsync.BackendError, match="is not a dhsync state database"):
        dhsync.get_or_create_project("demo", backend=f"sqlite:///{garbage}")
    assert garbage.read_bytes() == b"\x00not a database" * 100
