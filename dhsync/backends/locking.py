"""The reconciler's lock, one per project: the rules every backend applies to its stored lock.

A lock is held until it expires, or until its holder is known to have ended (backends.holder); then
the next `acquire` takes it over. Only the holder (the token) can heartbeat or release it;
`force_release` frees it for anyone, for locks left by a process that died elsewhere.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from dhsync.backends import holder
from dhsync.backends.entities import iso
from dhsync.model.errors import InvalidInputError, LockHeldError
from dhsync.model.state import LockInfo


def check_ttl(ttl_seconds: float) -> timedelta:
    if not ttl_seconds > 0:
        raise InvalidInputError(f"lock ttl must be a positive number of seconds, got {ttl_seconds!r}")
    return timedelta(seconds=ttl_seconds)


def new_lock(project: str, owner: str, ttl_seconds: float, now: datetime,
             extra: Mapping[str, Any] | None = None) -> LockInfo:
    me = holder.identity()
    return LockInfo(
        project=project, owner=owner, host=socket.gethostname(), pid=os.getpid(), token=uuid.uuid4().hex,
        acquired_at=now, heartbeat_at=now, expires_at=now + check_ttl(ttl_seconds),
        extra={**dict(extra or {}), **({holder.HOLDER_KEY: me} if me else {})},
    )


def may_acquire(current: LockInfo | None, now: datetime) -> bool:
    """Free, expired, or left by a process known to have ended (checked inside the backend's write
    transaction, so two processes cannot both take a dead holder's lock)."""
    return current is None or current.expired(now) or holder.ended(current)


def held_error(current: LockInfo) -> LockHeldError:
    # Raised only when may_acquire said no, so the holder is not known to have ended (holder.ended is the one
    # rule): a pid missing from this host says nothing of a lock taken on another boot or in a container.
    return LockHeldError(
        f"project `{current.project}` is locked by {current.owner} on {current.host} (pid {current.pid}) "
        f"since {iso(current.acquired_at)}, until {iso(current.expires_at)} unless renewed. Wait for it to "
        f"finish; if that process is gone, `dhsync lock release --force` frees the lock"
    )


def lost_error(mine: LockInfo, current: LockInfo | None) -> LockHeldError:
    if current is None:
        how = "was released or force-released by someone else"
    else:
        how = (f"is now held by {current.owner} on {current.host} (pid {current.pid}) "
               f"since {iso(current.acquired_at)}")
    return LockHeldError(
        f"the lock of project `{mine.project}` taken by {mine.owner} at {iso(mine.acquired_at)} {how}; "
        f"stop writing and run again"
    )


def is_holder(mine: LockInfo, current: LockInfo | None) -> bool:
    return current is not None and current.token == mine.token and current.project == mine.project


def renewed(current: LockInfo, ttl_seconds: float, now: datetime) -> LockInfo:
    return replace(current, heartbeat_at=now, expires_at=now + check_ttl(ttl_seconds))
