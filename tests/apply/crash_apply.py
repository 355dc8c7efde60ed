"""Run the real apply on a spec repository and SIGKILL this process at a chosen backend write.

    python crash_apply.py REPO N before|after [TTL [SIGNAL [again] [cascade] [chunk=K]]]
    python crash_apply.py REPO 0 count [TTL]     apply to the end; print one line per write

Writes are the backend calls that change something (create_*, update_*, delete_*), counted through a
thin proxy in front of the sqlite backend; the runtime's own run updates (BUILT, READY, RUNNING,
COMPLETED) go through the same proxy, so N can also fall inside a triggered run's execution. Apply
commits its function and task writes in chunks (one transaction each): the end of a chunk counts as a
write too, `commit`, so N falls inside a chunk (its writes not committed yet), just before its commit
(its journal lines written) or just after it; `chunk=K` makes chunks of at most K writes. The lock
is taken with TTL seconds (default 0.5) so that the next apply can take it over soon after the kill.
SIGNAL (KILL by default; INT, TERM) is what the process sends itself; with `again` it also sends
itself SIGINT as it releases the lock (a second Ctrl-C); `cascade` is apply's --cascade. After INT or
TERM the script ends as the CLI does: exit 130.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from dhsync.apply import Flags, Request, RunSettings, SilentReporter
from dhsync.apply.reconcile import reconcile
from dhsync.backends import open_backend
from dhsync.backends.base import Backend
from dhsync.diff.marks import trigger_record
from dhsync.model.plan import Plan
from dhsync.specs.loader import load_repository

WRITES = ("create_", "update_", "delete_")
URL = "sqlite:///.dhsync/state.db"


class KillingBackend:
    """The sqlite backend, dying at the `target`-th write (`when` it: before or after the call)."""

    def __init__(self, inner: Backend, target: int, when: str, signum: int = signal.SIGKILL,
                 again: bool = False) -> None:
        self.inner, self.target, self.when, self.signum, self.again = inner, target, when, signum, again
        self.calls: list[str] = []

    def release_lock(self, lock: Any) -> None:
        if self.again:
            os.kill(os.getpid(), signal.SIGINT)
        self.inner.release_lock(lock)

    @contextlib.contextmanager
    def batch(self) -> Iterator[Any]:
        with contextlib.ExitStack() as stack:
            batch = stack.enter_context(self.inner.batch())
            yield batch
            commit = stack.pop_all()
            self._counted("commit", lambda: commit.close())()

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self.inner, name)
        if not name.startswith(WRITES) or not callable(attr):
            return attr
        return self._counted(name, attr)

    def _counted(self, name: str, call: Callable[..., Any]) -> Callable[..., Any]:
        def counted(*args: Any, **kwargs: Any) -> Any:
            self.calls.append(f"{name} {_what(name, args)}".strip() if name != "commit" else name)
            hit = len(self.calls) == self.target
            if hit and self.when == "before":
                os.kill(os.getpid(), self.signum)
            result = call(*args, **kwargs)
            if hit and self.when == "after":
                os.kill(os.getpid(), self.signum)
            return result
        return counted


def _what(name: str, args: Sequence[Any]) -> str:
    body = next((a for a in args if isinstance(a, dict)), {})
    if name == "update_run":
        return str((body.get("status") or {}).get("state", ""))
    if name == "create_run":
        record = trigger_record(body)
        return record.declaration if record is not None else ""
    return str(body.get("name") or body.get("kind") or "")


class Approve:
    def show(self, plan: Plan) -> None:
        pass

    def confirm(self, plan: Plan) -> bool:
        return True


def main(argv: Sequence[str]) -> int:
    root, target, when = Path(argv[0]).resolve(), int(argv[1]), argv[2]
    ttl = float(argv[3]) if len(argv) > 3 else 0.5
    signum = signal.Signals[f"SIG{argv[4]}"] if len(argv) > 4 else signal.SIGKILL
    loaded = load_repository(root, use_cache=False)
    assert loaded.state is not None and loaded.config is not None, loaded.diagnostics
    backend = KillingBackend(open_backend(URL, root), target, when, signum, "again" in argv[5:])
    chunk = next((int(a.partition("=")[2]) for a in argv[5:] if a.startswith("chunk=")), Request.chunk_writes)
    request = Request(loaded.state, loaded.config, root, URL, root, flags=Flags(cascade="cascade" in argv[5:]),
                      runs=RunSettings(root), lock_ttl=ttl, chunk_writes=chunk)
    try:
        result = reconcile(backend, request, Approve(), SilentReporter())
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    for call in backend.calls:
        print(call)
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
