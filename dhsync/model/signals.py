"""Process signals while something must not be cut short, or must end the way Ctrl-C does.

Handlers can only be set from the main thread; elsewhere both context managers change nothing.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Callable, Iterator
from types import FrameType

STOPPING = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def _in_main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


@contextlib.contextmanager
def ignored(signals: tuple[signal.Signals, ...] = STOPPING) -> Iterator[None]:
    """`signals` are ignored for the duration (one short step that must finish, e.g. recording STOPPED or
    releasing a lock); the previous handlers come back afterwards."""
    if not _in_main_thread():
        yield
        return
    previous = {signum: signal.signal(signum, signal.SIG_IGN) for signum in signals}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


@contextlib.contextmanager
def as_interrupt(make: Callable[[signal.Signals], BaseException]) -> Iterator[None]:
    """SIGTERM, and SIGHUP (the terminal closed, an ssh session dropped), raise `make(signal)` like Ctrl-C
    raises KeyboardInterrupt, so `finally` blocks run; left to their default they end the process at once.
    An ignored SIGHUP (`nohup …`) stays ignored."""
    if not _in_main_thread():
        yield
        return

    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise make(signal.Signals(signum))

    wanted = [signal.SIGTERM]
    if signal.getsignal(signal.SIGHUP) is not signal.SIG_IGN:
        wanted.append(signal.SIGHUP)
    previous = {signum: signal.signal(signum, interrupt) for signum in wanted}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
