"""Whether the process that took a lock still runs.

A pid means one process only within one boot of one kernel and one pid namespace (containers that share
a hostname do not share pids), and only until it is reused. So a lock records, beside host and pid, the
boot id, the pid namespace and its holder's start time; a lock is known to be left by a dead process only
when all of them are this process's and that pid now runs nothing, a zombie, or a process that started
at another time. Anything that cannot be read (no /proc, another user's process) counts as alive: the
lock then waits for its expiry, as before.
"""

from __future__ import annotations

import functools
import os
import socket
from pathlib import Path
from typing import Any

from dhsync.model.state import LockInfo

HOLDER_KEY = "holder"  # in LockInfo.extra
_BOOT_ID = Path("/proc/sys/kernel/random/boot_id")


@functools.cache
def _machine() -> tuple[tuple[str, str], ...]:
    """This boot and this pid namespace, within which pids name processes; () without /proc."""
    try:
        return (("boot_id", _BOOT_ID.read_text().strip()), ("pid_ns", os.readlink("/proc/self/ns/pid")))
    except OSError:
        return ()


def _started(pid: int) -> str | None:
    """When process `pid` started (clock ticks after boot); None when it is not there or a zombie."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rpartition(")")[2].split()  # the command name before ")" may hold spaces
    return None if len(fields) < 20 or fields[0] in ("Z", "X") else fields[19]


def identity() -> dict[str, Any]:
    """What a new lock records about this process, its holder ({} where it cannot be known)."""
    started = _started(os.getpid())
    return {**dict(_machine()), "started": started} if _machine() and started else {}


def ended(lock: LockInfo) -> bool:
    """The lock's holder is known to have ended (see the module's docstring)."""
    recorded = lock.extra.get(HOLDER_KEY)
    machine = _machine()
    if not isinstance(recorded, dict) or not machine or lock.host != socket.gethostname() or lock.pid <= 0:
        return False
    if any(recorded.get(key) != value for key, value in machine) or "started" not in recorded:
        return False
    try:
        os.kill(lock.pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False  # another user's process, which may well be the holder
    return _started(lock.pid) != str(recorded["started"])
