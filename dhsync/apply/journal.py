"""The apply journal: one line before each backend write, one after, so an interrupted apply can be
finished by the next one.

Where: `<state folder>/journal/<project>.jsonl`, beside the state (for the default sqlite backend the
state folder is the `.dhsync/` beside dhsync.yaml). One JSON object per line, appended with one
`write` call each (a process killed between two lines leaves whole lines; a line torn by an OS crash
or a full disk is skipped, and ended before the next apply appends to the file). The ids of the
entities a write creates are chosen before the call and journaled with it.

While a journal file exists, the logical apply it records is unfinished: the next apply reads it,
finds what was begun and not ended, and continues (runs created and not executed are executed, an
`always` trigger that already fired does not fire again). A finished apply moves the file to
`<project>.last.jsonl`, kept for inspection until the next finished apply replaces it.

A line survives the process being killed (the OS has it); it is not fsynced, so an OS crash may
lose the last lines, like the sqlite backend's own `synchronous = NORMAL`.

Writes that a backend commits together (a chunk, see session.Session.chunk) are journaled together: the
lines are held while the chunk runs, every `begin` line is written (one `write` call) before the chunk
commits and every `end`/`fail` line after it. What a crash leaves is then what it could leave with one
line at a time: writes begun and not ended, none of them committed, or all of them.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

import orjson

from dhsync.model.errors import BackendError

BEGIN, END, FAIL = "begin", "end", "fail"
# calls the next apply looks for: a run created and not executed is executed then
CREATE_RUN, EXECUTE_RUN = "create-run", "execute-run"


class HasDataDir(Protocol):
    def data_dir(self) -> Path: ...


def journal_folder(backend: HasDataDir) -> Path:
    return backend.data_dir() / "journal"


@dataclass(frozen=True)
class Entry:
    event: str
    apply: str
    call: str
    address: str
    id: str
    at: str = ""

    def key(self) -> tuple[str, str, str]:
        return (self.call, self.address, self.id)


def _read(path: Path) -> list[Entry]:
    entries = []
    with contextlib.suppress(FileNotFoundError), path.open("rb") as handle:
        for line in handle:
            try:
                data = orjson.loads(line)
            except orjson.JSONDecodeError:
                continue  # a torn line (an OS crash or a full disk in the middle of a write)
            if isinstance(data, dict):
                entries.append(Entry(**{k: str(data.get(k, "")) for k in Entry.__dataclass_fields__}))
    return entries


def _open_for_append(path: Path) -> int:
    """Open the journal to append; a torn last line is closed first, or the next line would join it and be
    lost with it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
    size = os.fstat(fd).st_size
    if size and os.pread(fd, 1, size - 1) != b"\n":
        os.write(fd, b"\n")
    return fd


class Journal:
    def __init__(self, folder: Path, project: str, apply_id: str) -> None:
        self.path = folder / f"{project}.jsonl"
        self.last_path = folder / f"{project}.last.jsonl"
        self.apply_id = apply_id
        try:
            self.previous: tuple[Entry, ...] = tuple(_read(self.path))
        except OSError as exc:
            raise BackendError(f"cannot read the apply journal `{self.path}`: {exc.strerror or exc}; make "
                               f"`{folder}` a folder dhsync can read and write") from None
        self._fd: int | None = None
        # while a chunk runs: its begin lines and its end/fail lines, as (event, call, address, id)
        self._held: tuple[list[tuple[str, ...]], list[tuple[str, ...]]] | None = None

    def begun(self, call: str) -> Iterator[Entry]:
        return (e for e in self.previous if e.event == BEGIN and e.call == call)

    def ended(self, call: str, id_: str) -> bool:
        """Whether an earlier apply recorded the end (or failure) of `call` on entity `id_`."""
        return any(e.event in (END, FAIL) and e.call == call and e.id == id_ for e in self.previous)

    def _write(self, event: str, call: str, address: str, id_: str) -> None:
        if self._held is not None:
            self._held[event != BEGIN].append((event, call, address, id_))
            return
        self._append([(event, call, address, id_)])

    def _append(self, lines: list[tuple[str, ...]]) -> None:
        """The lines, in one `write` call; one clock reading for all of them (they are written at once)."""
        # orjson writes the datetime itself (RFC 3339), cheaper than isoformat
        at = datetime.now(UTC)
        data = b"".join(orjson.dumps({"event": event, "apply": self.apply_id, "call": call, "address": address,
                                      "id": id_, "at": at}) + b"\n" for event, call, address, id_ in lines)
        try:
            if self._fd is None:
                self._fd = _open_for_append(self.path)
            os.write(self._fd, data)
        except OSError as exc:
            raise self._unwritable_error(exc) from None

    def hold(self) -> None:
        """Keep the lines of the writes that follow until `write_begun` and `write_ended` (a chunk)."""
        self._held = ([], [])

    def write_begun(self) -> None:
        """The held begin lines, before the chunk commits: the journal names every write it may hold."""
        if self._held is not None and self._held[0]:
            self._append(self._held[0])
            self._held[0].clear()

    def write_ended(self) -> None:
        """The held end and fail lines, once the chunk committed; lines are written one by one again."""
        held, self._held = self._held, None
        if held is not None and held[1]:
            self._append(held[1])

    def drop_held(self) -> None:
        """The chunk was rolled back: none of its writes happened, so none is journaled."""
        self._held = None

    def _unwritable_error(self, exc: OSError) -> BackendError:
        # no write may go to the backend unjournaled: a journal that cannot be written stops the apply
        return BackendError(f"cannot write the apply journal `{self.path}`: {exc.strerror or exc}; nothing more "
                            "is written to the backend. Free the disk or fix the folder's permissions, then run "
                            "`dhsync apply` again")

    def begin(self, call: str, address: str, id_: str = "") -> None:
        self._write(BEGIN, call, address, id_)

    def end(self, call: str, address: str, id_: str = "") -> None:
        self._write(END, call, address, id_)

    def fail(self, call: str, address: str, id_: str = "") -> None:
        self._write(FAIL, call, address, id_)

    def finish(self, carry: Iterable[Entry] = ()) -> None:
        """The logical apply is complete: keep its record as the last one and start afresh next time, with
        the `carry` lines of the earlier one still to act on (runs left out by --exclude, not yet executed)."""
        self.close()
        kept = list(carry)
        try:
            if self.path.exists():
                os.replace(self.path, self.last_path)
            if kept:
                fd = _open_for_append(self.path)
                try:
                    os.write(fd, b"".join(orjson.dumps(asdict(entry)) + b"\n" for entry in kept))
                finally:
                    os.close(fd)
        except OSError as exc:
            raise self._unwritable_error(exc) from None

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
