"""Commands that only look create nothing: no database, no folder, whatever the backend URL says (issue 8)."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from tests.conftest import RunCli
from tests.specrepo import python_function, write_repo

REPO_FILES = {"functions/alpha.yaml": python_function("alpha")}


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return write_repo(tmp_path / "repo", REPO_FILES)


def _files(root: Path) -> set[str]:
    """The files and folders under `root`, but the spec loader's cache (`.dhsync/cache/`: not a backend)."""
    found = {str(path.relative_to(root)) for path in root.rglob("*")}
    return {name for name in found if name != ".dhsync" and not name.startswith(".dhsync/cache")}


# stop and logs name a run: a backend that does not exist has none, and must not be made to find out
LOOKING = [("drift",), ("runs",), ("logs", "some-run"), ("stop", "some-run"), ("lock", "info"), ("lock", "release")]


@pytest.mark.parametrize("command", LOOKING, ids=lambda c: " ".join(c))
def test_a_command_that_looks_at_a_missing_backend_names_its_path_and_creates_nothing(
        repo: Path, run_cli: RunCli, command: tuple[str, ...]) -> None:
    before = _files(repo)
    result = run_cli(*command, cwd=repo)
    assert result.exit_code == 1, result.output
    database = repo / ".dhsync" / "state.db"
    assert f"error: no state database at `{database}`: nothing was applied there yet" in result.stderr
    assert "`dhsync apply` creates it (the backend comes from" in result.stderr
    assert _files(repo) == before, "no .dhsync folder, no database"


def test_a_mistyped_backend_url_at_the_filesystem_root_creates_nothing_there(repo: Path, run_cli: RunCli) -> None:
    folder = Path("/") / f"dhsync-typo-{uuid.uuid4().hex[:8]}"
    result = run_cli("drift", "--backend", f"sqlite:///{folder}/state.db", cwd=repo)
    assert result.exit_code == 1
    assert f"no state database at `{folder}/state.db`" in result.stderr
    assert "(the backend comes from --backend)" in result.stderr
    assert not folder.exists()


def test_plan_without_a_backend_says_everything_is_to_create_and_creates_nothing(
        repo: Path, run_cli: RunCli) -> None:
    before = _files(repo)
    result = run_cli("plan", "--detailed-exitcode", cwd=repo)
    assert result.exit_code == 2
    assert "Plan: 1 to create" in result.stdout
    assert result.stderr.startswith(f"note: no backend yet at `{repo / '.dhsync' / 'state.db'}` (from ")
    assert "everything is to create; `dhsync apply` creates it" in result.stderr
    assert _files(repo) == before
    assert run_cli("plan", "--format", "json", cwd=repo).stdout.lstrip().startswith("{"), "the note is not on stdout"


def test_a_plan_saved_before_the_backend_existed_applies_and_creates_it(repo: Path, run_cli: RunCli,
                                                                          tmp_path: Path) -> None:
    saved = tmp_path / "plan.json"
    assert run_cli("plan", "--out", str(saved), cwd=repo).exit_code == 0
    assert not (repo / ".dhsync" / "state.db").exists()
    applied = run_cli("apply", str(saved), cwd=repo)
    assert applied.exit_code == 0, applied.output
    assert (repo / ".dhsync" / "state.db").is_file()
    assert run_cli("drift", cwd=repo).exit_code == 0


def test_apply_and_run_still_create_the_backend(repo: Path, run_cli: RunCli) -> None:
    assert run_cli("apply", "--auto-approve", cwd=repo).exit_code == 0
    assert (repo / ".dhsync" / "state.db").stat().st_size > 0
    assert run_cli("drift", cwd=repo).exit_code == 0
    assert run_cli("lock", "info", cwd=repo).stdout == "project demo is not locked\n"


@pytest.mark.parametrize(("url", "said"), [
    ("sqlite:///%00", "has a percent-escape (`%00`): sqlite URLs are file paths taken as written, never decoded"),
    ("sqlite:///my%20state.db", "has a percent-escape (`%20`)"),
    ("sqlite:///a//state.db", "has an empty path piece (`//`)"),
    ("sqlite:///state/", "names a folder, not a database file"),
    ("sqlite:///.", "names a folder, not a database file"),
    ("sqlite:////", "names a folder, not a database file"),
    ("sqlite:///functions", "names the folder"),
    ("sqlite:///line\tbreak.db", "has a NUL byte or another control character in its path"),
])
def test_backend_urls_that_name_no_sensible_file_are_refused_for_every_command(
        repo: Path, run_cli: RunCli, url: str, said: str) -> None:
    before = _files(repo)
    for command in (("plan",), ("apply", "--auto-approve"), ("drift",)):
        result = run_cli(*command, "--backend", url, cwd=repo)
        assert result.exit_code == 1, (command, result.output)
        assert said in result.stderr and "use `sqlite:///relative/path.db` or" in result.stderr
    assert _files(repo) == before


def test_a_literal_percent_sign_is_a_file_name_character(repo: Path, run_cli: RunCli) -> None:
    assert run_cli("apply", "--auto-approve", "--backend", "sqlite:///100%.db", cwd=repo).exit_code == 0
    assert (repo / "100%.db").is_file()


@pytest.mark.parametrize("command", [("plan",), ("drift",), ("runs",), ("lock", "info"), ("apply", "--auto-approve")],
                         ids=lambda c: c[0])
def test_an_empty_state_file_is_refused_not_taken_for_a_new_backend(repo: Path, run_cli: RunCli,
                                                                    command: tuple[str, ...]) -> None:
    database = repo / ".dhsync" / "state.db"
    database.parent.mkdir()
    database.touch()
    result = run_cli(*command, cwd=repo)
    assert result.exit_code == 1
    assert f"error: `{database}` is an empty file (0 bytes), not a dhsync state database" in result.stderr
    assert f"remove it (`rm {database}`) and `dhsync apply` starts afresh" in result.stderr
    assert database.stat().st_size == 0
    assert sorted(p.name for p in database.parent.iterdir() if p.name != "cache") == ["state.db"], "no -wal, -shm"
