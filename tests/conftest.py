"""Shared fixtures: the repository's examples, the shared reference folder, and running the CLI."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from dhsync.cli.main import cli

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
SHARED = ROOT.parent / "shared"
CORPUS = Path(__file__).resolve().parent / "corpus"


@pytest.fixture
def examples(tmp_path: Path) -> Path:
    """A private copy of examples/ (tests may write .dhsync/ state into it)."""
    dest = tmp_path / "examples"
    shutil.copytree(EXAMPLES, dest, ignore=shutil.ignore_patterns(".dhsync"))
    return dest


@pytest.fixture
def shared() -> Path:
    if not (SHARED / "reference").is_dir():
        pytest.skip("../shared (the DigitalHub reference folder) is not beside this checkout")
    return SHARED


RunCli = Callable[..., Result]


@pytest.fixture
def run_cli(monkeypatch: pytest.MonkeyPatch) -> RunCli:
    """Invoke `dhsync ARGS…` in-process, as a user would type it, with NO_COLOR set."""
    monkeypatch.setenv("NO_COLOR", "1")

    def invoke(*args: str, cwd: Path | None = None, input: str | None = None) -> Result:
        if cwd is not None:
            monkeypatch.chdir(cwd)
        return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)

    return invoke


def run_process(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None,
                timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """`dhsync ARGS…` as a real process (python -m dhsync, so the current interpreter is used)."""
    full_env = {**os.environ, "NO_COLOR": "1", **(env or {})}
    return subprocess.run([sys.executable, "-m", "dhsync", *args], cwd=cwd, env=full_env, text=True,
                          capture_output=True, timeout=timeout, check=False)


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Where the tests install runtime plugins (tests/runtimes/plugin_site.py): on sys.path for this process,
    on PYTHONPATH for a child; the registry forgets them before and after."""
    from dhsync.runtimes import forget_plugins

    folder = tmp_path / "site"
    folder.mkdir()
    monkeypatch.syspath_prepend(str(folder))
    forget_plugins()
    yield folder
    forget_plugins()
