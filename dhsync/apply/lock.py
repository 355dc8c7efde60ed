"""The backend lock held for the whole apply: taken with an expiry, renewed by a heartbeat thread,
released on the way out — including SIGINT, SIGTERM and SIGHUP, which all end apply as interrupted (130);
a second Ctrl-C while the lock is being released is ignored, so it cannot keep the lock held.

An expired lock (its holder died without releasing it) is taken over by `acquire`; the apply says so.
If the heartbeat finds the lock taken by someone else, the next write is refused (LockHeldError); so is
a write after a pause longer than the heartbeat allows, unless renewing the lock right then succeeds.
"""

from __future__ import annotations

import contextlib
import signal
import threading
import time
from collections.abc import Iterator

from dhsync.backends.base import Backend
from dhsync.backends.entities import current_user
from dhsync.model import signals
from dhsync.model.errors import DhsyncError, LockHeldError
from dhsync.model.state import LockInfo

DEFAULT_TTL = 60.0


class HeldLock:
    def __init__(self, backend: Backend, project: str, owner: str, ttl: float = DEFAULT_TTL) -> None:
        self.backend = backend
        self.project = project
        self.owner = owner
        self.ttl = ttl
        self.lock: LockInfo | None = None
        self.taken_over: LockInfo | None = None
        self._lost: LockHeldError | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        # wall-clock time (this machine's) before the last successful take or renewal
        self._renewed_at = 0.0

    def acquire(self) -> None:
        previous = self.backend.lock_info(self.project)
        started = time.time()
        self.lock = self.backend.acquire_lock(self.project, self.owner, self.ttl)
        self._renewed_at = started
        # A lock that was still valid when read was released in between, not left behind.
        if previous is not None and previous.token != self.lock.token and previous.expired(self.lock.acquired_at):
            self.taken_over = previous
        self._thread = threading.Thread(target=self._beat, name="dhsync-lock-heartbeat", daemon=True)
        self._thread.start()

    def _renew(self) -> None:
        # No lock around this: a write must not wait for a heartbeat stuck in a stalled backend. Two
        # renewals at once are harmless (the same token, each extends the expiry).
        assert self.lock is not None
        started = time.time()
        self.lock = self.backend.heartbeat_lock(self.lock, self.ttl)
        self._renewed_at = max(self._renewed_at, started)

    def _beat(self) -> None:
        while not self._stop.wait(self.ttl / 3):
            try:
                self._renew()
            except LockHeldError as exc:
                self._lost = exc
                return
            except DhsyncError:
                continue  # a busy or flaky backend: the next beat tries again, well before expiry

    def check(self) -> None:
        """Raise when the lock was lost: stop writing at once. When the heartbeat is late (the process was
        suspended, the backend stalled), renew here first: after a pause longer than the ttl someone else
        may hold the lock, and the heartbeat thread may not have noticed yet."""
        if self._lost is not None:
            raise self._lost
        if self.lock is not None and time.time() - self._renewed_at >= self.ttl * 2 / 3:
            try:
                self._renew()
            except LockHeldError as exc:
                self._lost = exc
                raise

    def release(self) -> None:
        self._stop.set()
        if self._thread is not None:
            # bounded: a heartbeat stuck in a stalled backend must not keep apply from ending
            self._thread.join(self.ttl)
        if self.lock is not None and self._lost is None:
            with contextlib.suppress(DhsyncError):
                self.backend.release_lock(self.lock)
        self.lock = None


def _keyboard_interrupt(signum: signal.Signals) -> BaseException:
    return KeyboardInterrupt(f"signal {int(signum)}")


@contextlib.contextmanager
def holding(backend: Backend, project: str, owner: str, ttl: float = DEFAULT_TTL) -> Iterator[HeldLock]:
    held = HeldLock(backend, project, owner, ttl)
    with signals.as_interrupt(_keyboard_interrupt):
        try:
            held.acquire()
            yield held
        finally:
            with signals.ignored():
                held.release()


def lock_owner(command: str = "dhsync apply") -> str:
    return f"{current_user()} ({command})"
