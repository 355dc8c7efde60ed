"""A state database made read-only (mode 0444) is read without leaving a read-only `-shm` or `-wal` beside
it, so the apply after `chmod u+w` works (issue 8). Root ignores file modes, so the user's steps run in a
forked child that drops to `nobody` when the tests run as root."""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner

from dhsync.cli.main import cli
from tests.specrepo import python_function, write_repo

NOBODY = 65534


@pytest.fixture
def shared_folder() -> Iterator[Path]:
    """A folder `nobody` may use (pytest's own tmp_path is root's alone)."""
    folder = Path(tempfile.mkdtemp(prefix="dhsync-ro-"))
    folder.chmod(0o777)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def _user_steps(repo: Path) -> dict[str, object]:
    """apply; chmod 0444 state.db; plan; chmod u+w state.db; edit; apply — what each said and left."""
    runner = CliRunner()
    seen: dict[str, object] = {}
    database = repo / ".dhsync" / "state.db"
    seen["first apply"] = runner.invoke(cli, ["apply", "--auto-approve", str(repo)]).exit_code
    database.chmod(0o444)
    planned = runner.invoke(cli, ["plan", "--detailed-exitcode", str(repo)])
    seen["plan"] = (planned.exit_code, planned.output[-300:])
    seen["after plan"] = {p.name: oct(p.stat().st_mode & 0o777) for p in database.parent.glob("state.db*")}
    database.chmod(0o644)
    alpha = repo / "functions" / "alpha.yaml"
    alpha.write_text(alpha.read_text().replace("return x * 2", "return x * 3"))
    applied = runner.invoke(cli, ["apply", "--auto-approve", str(repo)])
    seen["second apply"] = (applied.exit_code, applied.output[-300:])
    return seen


def _left_by_another_tool(repo: Path) -> dict[str, object]:
    """A read-only `-shm` left by another program reading the database while it was 0444 (the sqlite3 shell,
    an older dhsync): the apply names it, with the fix."""
    runner = CliRunner()
    assert runner.invoke(cli, ["apply", "--auto-approve", str(repo)]).exit_code == 0
    database = repo / ".dhsync" / "state.db"
    database.chmod(0o444)
    other = sqlite3.connect(database)
    other.execute("SELECT count(*) FROM sqlite_master").fetchone()
    other.close()
    database.chmod(0o644)
    alpha = repo / "functions" / "alpha.yaml"
    alpha.write_text(alpha.read_text().replace("return x * 2", "return x * 3"))
    applied = runner.invoke(cli, ["apply", "--auto-approve", str(repo)])
    return {"apply": (applied.exit_code, applied.output[-400:]), "shm": f"{database}-shm"}


def _as_nobody(repo: Path, report: Path, steps: Callable[[Path], dict[str, object]] = _user_steps) -> None:
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        code = 1
        try:
            if os.getuid() == 0:
                os.setgroups([])
                os.setgid(NOBODY)
                os.setuid(NOBODY)
            report.write_bytes(orjson.dumps(steps(repo)))
            code = 0
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, "the child failed before it reported"


def _repo_of_nobody(folder: Path) -> Path:
    repo = write_repo(folder, {"functions/alpha.yaml": python_function("alpha")})
    if os.getuid() == 0:
        for path in [repo, *repo.rglob("*")]:
            os.chown(path, NOBODY, NOBODY)
    return repo


def test_a_read_of_a_read_only_database_leaves_nothing_that_blocks_the_next_apply(shared_folder: Path) -> None:
    # The same steps in this process first load every module the child needs (as nobody it may not read
    # the interpreter's own folder); as root they prove nothing about file modes, so nothing is asserted.
    _user_steps(write_repo(shared_folder / "warm", {"functions/alpha.yaml": python_function("alpha")}))
    repo = _repo_of_nobody(shared_folder / "repo")
    report = shared_folder / "report.json"
    _as_nobody(repo, report)
    seen = orjson.loads(report.read_bytes())
    assert seen["first apply"] == 0
    assert seen["plan"][0] == 0, seen["plan"]
    assert seen["after plan"] == {"state.db": "0o444"}, "no -shm or -wal made read-only by the read"
    assert seen["second apply"][0] == 0, seen["second apply"]
    assert "readonly" not in seen["second apply"][1]


def test_a_read_only_sidecar_left_by_something_else_is_named_with_the_fix(shared_folder: Path) -> None:
    _left_by_another_tool(_repo_of_nobody(shared_folder / "warm"))  # loads the modules, see above
    report = shared_folder / "report.json"
    _as_nobody(_repo_of_nobody(shared_folder / "repo"), report, _left_by_another_tool)
    seen = orjson.loads(report.read_bytes())
    if os.getuid() == 0 and seen["apply"][0] == 0:
        pytest.fail("the child kept root's rights")
    code, output = seen["apply"]
    assert code == 1
    assert f"`{seen['shm']}` is read-only for this user" in output
    assert f"Make it writable (`chmod u+w {seen['shm']}`)" in output
