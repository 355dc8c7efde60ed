"""A leading `~` in a `sqlite:///` URL is the home folder, wherever the URL comes from (`--backend`,
DHSYNC_BACKEND, dhsync.yaml) and whichever command reads it; a home folder that cannot be known is refused,
never a file at the filesystem root or a folder named `~` in the repository."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import RunCli
from tests.specrepo import python_function, write_repo

URL = "sqlite:///~/dhsync/state.db"


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "home"
    folder.mkdir()
    monkeypatch.setenv("HOME", str(folder))
    monkeypatch.delenv("DHSYNC_BACKEND", raising=False)
    return folder


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return write_repo(tmp_path / "repo", {"functions/alpha.yaml": python_function("alpha")})


def test_every_command_finds_the_same_database_under_home(home: Path, repo: Path, run_cli: RunCli,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    database = home / "dhsync" / "state.db"
    planned = run_cli("plan", "--backend", URL, cwd=repo)
    assert planned.exit_code == 0, planned.output
    assert f"note: no backend yet at `{database}` (from --backend)" in planned.stderr
    assert not (home / "dhsync").exists(), "plan only looks"

    applied = run_cli("apply", "--auto-approve", "--backend", URL, cwd=repo)
    assert applied.exit_code == 0, applied.output
    assert database.is_file()

    monkeypatch.setenv("DHSYNC_BACKEND", URL)
    assert run_cli("drift", cwd=repo).exit_code == 0
    monkeypatch.delenv("DHSYNC_BACKEND")
    config = repo / "dhsync.yaml"
    config.write_text(config.read_text().replace("sqlite:///.dhsync/state.db", URL))
    assert run_cli("lock", "info", cwd=repo).stdout == "project demo is not locked\n"
    assert run_cli("drift", cwd=repo).exit_code == 0
    assert not list(repo.rglob("~")) and not (Path.cwd() / "~").exists(), "no folder named `~` anywhere"


def test_a_home_folder_that_cannot_be_known_is_refused(home: Path, repo: Path, run_cli: RunCli,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    unknown = run_cli("apply", "--auto-approve", "--backend", "sqlite:///~no-such-user-here/x.db", cwd=repo)
    assert unknown.exit_code == 1
    assert unknown.stderr == (
        "error: backend URL `sqlite:///~no-such-user-here/x.db` starts with `~no-such-user-here`, but no home folder "
        "of that name is known here; write the folder out; use `sqlite:///relative/path.db` or "
        "`sqlite:////abs/path.db` (the backend comes from --backend)\n")
    monkeypatch.setenv("HOME", "")  # expanded as is, `~/x.db` would be `/x.db`, at the filesystem root
    empty = run_cli("apply", "--auto-approve", "--backend", "sqlite:///~/x.db", cwd=repo)
    assert empty.exit_code == 1 and "starts with `~`, but HOME is empty here" in empty.stderr
    assert not list(repo.rglob("*.db")) and not list(home.iterdir())


def test_a_tilde_inside_the_path_is_taken_as_written(home: Path, repo: Path, run_cli: RunCli) -> None:
    applied = run_cli("apply", "--auto-approve", "--backend", "sqlite:///state/~/x.db", cwd=repo)
    assert applied.exit_code == 0, applied.output
    assert (repo / "state" / "~" / "x.db").is_file() and not list(home.iterdir())
