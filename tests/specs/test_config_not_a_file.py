"""A `dhsync.yaml` that is there but no regular file (a FIFO, a folder, a link to nothing) is named as what it
is, with the fix; never "no dhsync.yaml … run `dhsync init`", which sends the user to create a file that
exists (and `dhsync init --force` would block opening the FIFO)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import RunCli, run_process

FIX = "remove it and write dhsync.yaml as a regular file"


def _fifo(tmp_path: Path) -> Path:
    os.mkfifo(tmp_path / "dhsync.yaml")
    return tmp_path


def _folder(tmp_path: Path) -> Path:
    (tmp_path / "dhsync.yaml").mkdir()
    return tmp_path


def _dangling(tmp_path: Path) -> Path:
    os.symlink(tmp_path / "moved-away.yaml", tmp_path / "dhsync.yaml")
    return tmp_path


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
@pytest.mark.parametrize(("make", "what"), [(_fifo, "a FIFO (named pipe), not a regular file"),
                                            (_folder, "a folder, not a regular file"),
                                            (_dangling, "a symbolic link to nothing")],
                         ids=["fifo", "folder", "dangling link"])
def test_a_dhsync_yaml_that_is_no_file_is_named_with_the_fix(tmp_path: Path, run_cli: RunCli, make: object,
                                                              what: str) -> None:
    repo = make(tmp_path)  # type: ignore[operator]
    validated = run_cli("validate", cwd=repo)
    assert validated.exit_code == 1
    assert validated.stdout == f"dhsync.yaml: error: dhsync.yaml is {what}, so dhsync does not read it; {FIX}\n"
    assert validated.stderr == ".: 1 error in 1 file.\n"
    looked = run_cli("lock", "info", cwd=repo)
    assert looked.exit_code == 1
    assert looked.stderr == f"error: `dhsync.yaml` is {what}, so dhsync does not read it; {FIX}\n"
    assert "dhsync init" not in validated.output + looked.output
    assert sorted(p.name for p in repo.iterdir()) == ["dhsync.yaml"], "nothing created beside it"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_dhsync_yaml_does_not_hang_a_real_process(tmp_path: Path) -> None:
    repo = _fifo(tmp_path)
    for command in (("validate",), ("plan",), ("drift",), ("runs",)):
        proc = run_process(*command, cwd=repo, timeout=30)  # a hang fails here instead of blocking
        assert proc.returncode == 1, command
        said = proc.stdout + proc.stderr
        assert f"is a FIFO (named pipe), not a regular file, so dhsync does not read it; {FIX}" in said, command
        assert "no dhsync.yaml" not in said
