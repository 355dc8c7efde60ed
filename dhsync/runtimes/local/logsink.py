"""A run's log file: what the handler prints, up to a size limit, plus dhsync's own notes.

Written as it arrives, a line at a time, so `dhsync logs --follow` sees a run while it goes. Each line is
masked before it is written, as CI systems mask registered secrets in logs (README "Secrets"): the values
the run's own spec holds as secrets (given as `secrets`) and whatever looks like a credential become
`(secret)`. Output is held until its line ends, so a secret printed in two writes is still found; a line
longer than PARTIAL_LIMIT is written in pieces cut at a blank, never inside a known secret.
Past the limit the rest is read and dropped (the handler never blocks on a full pipe), with a note
saying so where the cut is and how much was dropped at the end.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from types import TracebackType

from dhsync.model.redact import REDACTED, redact_text
from dhsync.model.secret_values import MIN_SECRET_LENGTH

NOTE_PREFIX = "[dhsync]"
PARTIAL_LIMIT = 65536  # bytes of a line without its end that are held before a piece of it is written
_BLANKS = re.compile(rb"[ \t\r]")


class LogMask:
    """Text with the given secrets and anything that looks like a credential replaced by `(secret)`."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        # longest first: a secret that contains another is replaced whole
        known = sorted({s for s in secrets if len(s) >= MIN_SECRET_LENGTH}, key=len, reverse=True)
        self._known = re.compile("|".join(map(re.escape, known)).encode()) if known else None
        self.longest = max((len(s.encode()) for s in known), default=0)

    def __call__(self, data: bytes) -> bytes:
        if self._known is not None:
            data = self._known.sub(REDACTED.encode(), data)
        # bytes a handler printed need not be UTF-8: surrogateescape gives every byte back as it was
        text = data.decode("utf-8", "surrogateescape")
        masked = redact_text(text)
        return data if masked is text else masked.encode("utf-8", "surrogateescape")

    def safe_cut(self, data: bytes) -> int:
        """Where a line too long to hold may be cut: at a blank (tokens have none), then never inside a
        known secret, keeping back enough for one that has not fully arrived."""
        hold = max(self.longest, 256)
        end = max(len(data) - hold, 1)
        blank = max((m.end() for m in _BLANKS.finditer(data, 0, end)), default=end)
        for match in self._known.finditer(data) if self._known is not None else ():
            if match.start() < blank < match.end():
                return max(match.start(), 1)
        return blank


class LogSink:
    def __init__(self, path: Path, limit: int, secrets: Iterable[str] = ()) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.limit = limit
        self._mask = LogMask(secrets)
        self._file = path.open("ab")
        self._pending = b""  # the line that has not ended yet
        self._written = 0
        self._dropped = 0
        self._line_start = True

    def write(self, data: bytes) -> None:
        self._pending += data
        cut = self._pending.rfind(b"\n") + 1
        if not cut and len(self._pending) > PARTIAL_LIMIT:
            cut = self._mask.safe_cut(self._pending)
        if cut:
            whole, self._pending = self._pending[:cut], self._pending[cut:]
            self._emit(self._mask(whole))

    def _emit(self, data: bytes) -> None:
        room = self.limit - self._written
        if room > 0:
            self._file.write(data[:room])
            self._written += min(room, len(data))
            self._line_start = data[:room].endswith(b"\n")
            if len(data) > room:
                self._dropped += len(data) - room
                self._note(f"the log reached its limit of {self.limit} bytes; further output is dropped")
        else:
            self._dropped += len(data)
        self._file.flush()

    def _flush_pending(self) -> None:
        if self._pending:
            pending, self._pending = self._pending, b""
            self._emit(self._mask(pending))

    def note(self, text: str) -> None:
        self._flush_pending()  # what the handler printed before stays before the note
        self._note(text)

    def _note(self, text: str) -> None:
        self._file.write(f"{'' if self._line_start else chr(10)}{NOTE_PREFIX} {text}\n".encode())
        self._line_start = True
        self._file.flush()

    def close(self) -> None:
        if self._file.closed:
            return
        self._flush_pending()
        if self._dropped:
            self._note(f"{self._dropped} bytes of output were dropped (log limit {self.limit} bytes)")
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
