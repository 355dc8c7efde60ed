"""Opening a backend to look (create=False) or to write, new databases made all at once, URLs refused."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from dhsync.backends import MissingBackendError, open_backend
from dhsync.backends.absent import AbsentBackend
from dhsync.backends.sqlite import SqliteBackend
from dhsync.model.errors import BackendError, InvalidInputError


def test_opening_to_look_at_a_missing_database_creates_no_file_and_no_folder(tmp_path: Path) -> None:
    with pytest.raises(MissingBackendError) as caught:
        open_backend("sqlite:///deep/er/state.db", tmp_path, create=False)
    assert caught.value.path == tmp_path / "deep" / "er" / "state.db"
    assert f"no state database at `{tmp_path}/deep/er/state.db`" in str(caught.value)
    assert list(tmp_path.iterdir()) == []


def test_opening_to_look_at_an_existing_database_reads_it(tmp_path: Path) -> None:
    made = open_backend("sqlite:///state.db", tmp_path)
    made.create_project({"name": "demo"})
    made.close()
    looked = open_backend("sqlite:///state.db", tmp_path, create=False)
    assert looked.get_project("demo")["name"] == "demo"
    looked.close()


def test_memory_backends_open_whatever_the_mode() -> None:
    assert open_backend("memory://", create=False).list_projects() == []


@pytest.mark.parametrize("url", ["sqlite:///state\x00.db", "sqlite:///%00", "sqlite:////tmp//x.db", "sqlite:///x/.."])
def test_urls_naming_no_sensible_file_are_refused_before_anything_is_made(tmp_path: Path, url: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        open_backend(url, tmp_path)
    assert "\x00" not in str(caught.value), "a NUL is shown escaped"
    assert list(tmp_path.iterdir()) == []


def test_a_nul_byte_is_shown_escaped() -> None:
    with pytest.raises(InvalidInputError, match=r"backend URL `sqlite:///state\\x00.db` has a NUL byte"):
        open_backend("sqlite:///state\x00.db")


def test_first_opens_racing_on_a_new_database_all_succeed_on_one_file(tmp_path: Path) -> None:
    """A database is linked into place whole, so a racing opener never sees a 0-byte file (which is refused)."""
    path = tmp_path / "new" / "state.db"
    start = threading.Barrier(8)
    failures: list[BaseException] = []

    def first_open() -> None:
        start.wait()
        try:
            SqliteBackend(path).close()
        except BaseException as exc:  # reported below, with the others
            failures.append(exc)
    threads = [threading.Thread(target=first_open) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    # beside the database only the mark of its clean close (files.closed_mark)
    assert sorted(p.name for p in path.parent.iterdir()) == [".state.db.closed", "state.db"], "no temporary file"
    made = SqliteBackend(path, create=False)
    assert made.db.read(lambda conn: conn.execute("SELECT count(*) FROM schema_version").fetchone()) == (1,)
    made.close()


def test_the_absent_backend_holds_nothing_and_refuses_to_store(tmp_path: Path) -> None:
    absent = AbsentBackend(tmp_path / ".dhsync" / "state.db", "sqlite:///.dhsync/state.db")
    assert absent.read_state("demo").functions == ()
    assert absent.data_dir() == (tmp_path / ".dhsync").resolve()
    with pytest.raises(BackendError, match=r"no state database at .* yet and this command only reads"):
        absent.create_project({"name": "demo"})
    with pytest.raises(BackendError, match="only reads"):
        absent.acquire_lock("demo", "me", 60)
    assert not (tmp_path / ".dhsync").exists()
