"""The backend lock held for the whole apply: taken with an expiry, renewed by a heartbeat thread,
released on the way out — including SIGINT, SIGTERM and SIGHUP, which all end apply as interrupted (130);
a second Ctrl-C while the lock is being released is ignored, so it cannot keep the lock held.

An expired lock, or one whose holder is known to have ended (backends.holder: same host, boot and pid
namespace, the pid gone), is taken over by `acquire`; the apply says so. With a timeout, `acquire` waits
for a live holder to finish, polling, before it gives up (exit 4).
If the heartbeat finds the lock taken by someone else, the next write is refused (LockHeldError); so is
a write after a pause longer than the heartbeat allows, unless renewing the lock right then succeeds.
"""

from __future__ import annotations

import contextlib
import signal
import threading
import time
from collections.abc import Callable, Iterator

from dhsync.backends import holder
from dhsync.backends.base import Backend
from dhsync.backends.entities import current_user
from dhsync.model import signals
from dhsync.model.errors import DhsyncError, LockHeldError
from dhsync.model.state import LockInfo

DEFAULT_TTL = 60.0
# --lock-timeout polls the lock: soon at first (a short write ends quickly), then every 2 s at most
POLL_FIRST, POLL_MAX = 0.1, 2.0


class HeldLock:
    def __init__(self, backend: Backend, project: str, owner: str, ttl: float = DEFAULT_TTL, *,
                 timeout: float = 0.0) -> None:
        self.backend = backend
        self.project = project
        self.owner = owner
        self.ttl = ttl
        self.timeout = timeout
        self.lock: LockInfo | None = None
        self.taken_over: LockInfo | None = None
        # True when taken_over was taken from a holder known to have ended, before its expiry
        self.holder_ended = False
        self._lost: LockHeldError | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        # wall-clock time (this machine's) before the last successful take or renewal
        self._renewed_at = 0.0

    def acquire(self) -> None:
        deadline = time.monotonic() + self.timeout
        pause = POLL_FIRST
        while (refused := self._try_acquire()) is not None:
            left = deadline - time.monotonic()
            if left <= 0:
                raise _waited(refused, self.timeout)
            time.sleep(min(pause, left))
            pause = min(pause * 2, POLL_MAX)
        self._thread = threading.Thread(target=self._beat, name="dhsync-lock-heartbeat", daemon=True)
        self._thread.start()

    def _try_acquire(self) -> LockHeldError | None:
        previous = self.backend.lock_info(self.project)
        # read before taking: a process that has ended cannot release its lock in between
        ended = previous is not None and holder.ended(previous)
        started = time.time()
        try:
            self.lock = self.backend.acquire_lock(self.project, self.owner, self.ttl)
        except LockHeldError as exc:
            return exc
        self._renewed_at = started
        if previous is None or previous.token == self.lock.token:
            return None
        # A lock that was still valid when read was released in between, not left behind.
        expired = previous.expired(self.lock.acquired_at)
        if expired or ended:
            self.taken_over, self.holder_ended = previous, not expired
        return None

    @property
    def notes(self) -> tuple[str, ...]:
        """What the user is told about how the lock was taken: over a lock left behind, if it was."""
        previous = self.taken_over
        if previous is None:
            return ()
        who = f"{previous.owner} on {previous.host} (pid {previous.pid})"
        if self.holder_ended:
            return (f"took over the lock of {who}, which ended without releasing it (that process no longer "
                    "runs on this host)",)
        return (f"took over the expired lock of {who}, which ended without releasing it",)

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


def _waited(exc: LockHeldError, timeout: float) -> LockHeldError:
    return exc if timeout <= 0 else LockHeldError(f"{exc} (waited {timeout:g} s for it)")


@contextlib.contextmanager
def holding(backend: Backend, project: str, owner: str, ttl: float = DEFAULT_TTL, *, timeout: float = 0.0,
            say: Callable[[str], None] | None = None) -> Iterator[HeldLock]:
    """Hold the project's lock for the block, waiting up to `timeout` seconds for a live holder (polling);
    `say` hears at once how the lock was taken (apply reports HeldLock.notes at its end instead)."""
    held = HeldLock(backend, project, owner, ttl, timeout=timeout)
    with signals.as_interrupt(_keyboard_interrupt):
        try:
            held.acquire()
            if say is not None:
                for note in held.notes:
                    say(note)
            yield held
        finally:
            with signals.ignored():
                held.release()


def lock_owner(command: str = "dhsync apply") -> str:
    return f"{current_user()} ({command})"
