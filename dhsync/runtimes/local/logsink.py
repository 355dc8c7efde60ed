"""A run's log file: what the handler prints, up to a size limit, plus dhsync's own notes.

Written as it arrives (flushed per chunk), so `dhsync logs --follow` sees a run while it goes.
Past the limit the rest is read and dropped (the handler never blocks on a full pipe), with a note
saying so where the cut is and how much was dropped at the end.
"""

from __future__ import annotations

from pathlib import Path
from types import TracebackType

NOTE_PREFIX = "[dhsync]"


class LogSink:
    def __init__(self, path: Path, limit: int) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.limit = limit
        self._file = path.open("ab")
        self._written = 0
        self._dropped = 0
        self._line_start = True

    def write(self, data: bytes) -> None:
        room = self.limit - self._written
        if room > 0:
            self._file.write(data[:room])
            self._written += min(room, len(data))
            self._line_start = data[:room].endswith(b"\n")
            if len(data) > room:
                self._dropped += len(data) - room
                self.note(f"the log reached its limit of {self.limit} bytes; further output is dropped")
        else:
            self._dropped += len(data)
        self._file.flush()

    def note(self, text: str) -> None:
        self._file.write(f"{'' if self._line_start else chr(10)}{NOTE_PREFIX} {text}\n".encode())
        self._line_start = True
        self._file.flush()

    def close(self) -> None:
        if self._file.closed:
            return
        if self._dropped:
            self.note(f"{self._dropped} bytes of output were dropped (log limit {self.limit} bytes)")
        self._file.close()

    def __enter__(self) -> LogSink:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


def append_note(path: Path, text: str) -> None:
    """One note in a run's log from outside a sink (preparing, stopping)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("ab") as handle:
        handle.write(f"{NOTE_PREFIX} {text}\n".encode())
