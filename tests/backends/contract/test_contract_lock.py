"""The per-project lock: held, expired and taken over, renewed, released, forced."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest

from dhsync.model.errors import InvalidInputError, LockHeldError

from ..helpers import Harness


def test_acquire_records_who_and_until_when(harness: Harness) -> None:
    lock = harness.backend.acquire_lock("demo", "alice", 60)
    assert (lock.project, lock.owner, lock.pid) == ("demo", "alice", os.getpid())
    assert lock.host and lock.token
    assert lock.acquired_at == lock.heartbeat_at == harness.clock.now
    assert lock.expires_at == harness.clock.now + timedelta(seconds=60)
    assert harness.backend.lock_info("demo") == lock


def test_a_held_lock_refuses_others_and_says_who_holds_it(harness: Harness) -> None:
    harness.backend.acquire_lock("demo", "alice", 60)
    harness.clock.advance(59)
    with pytest.raises(LockHeldError) as caught:
        harness.backend.acquire_lock("demo", "bob", 60)
    message = str(caught.value)
    assert "project `demo` is locked by alice" in message
    assert f"(pid {os.getpid()})" in message and "since 2026-01-01T12:00:00" in message
    assert "`dhsync lock release --force`" in message
    assert caught.value.exit_code == 4


def test_an_expired_lock_is_taken_over_and_the_old_holder_lost_it(harness: Harness) -> None:
    old = harness.backend.acquire_lock("demo", "alice", 60)
    harness.clock.advance(60)
    new = harness.backend.acquire_lock("demo", "bob", 60)
    assert harness.backend.lock_info("demo") == new
    with pytest.raises(LockHeldError, match="is now held by bob"):
        harness.backend.heartbeat_lock(old, 60)
    with pytest.raises(LockHeldError, match="is now held by bob"):
        harness.backend.release_lock(old)
    assert harness.backend.lock_info("demo") == new


def test_heartbeat_extends_the_lock(harness: Harness) -> None:
    lock = harness.backend.acquire_lock("demo", "alice", 60)
    harness.clock.advance(50)
    renewed = harness.backend.heartbeat_lock(lock, 60)
    assert renewed.heartbeat_at == harness.clock.now
    assert renewed.expires_at == harness.clock.now + timedelta(seconds=60)
    harness.clock.advance(50)  # 100 s after acquire: past the first expiry, within the renewed one
    with pytest.raises(LockHeldError):
        harness.backend.acquire_lock("demo", "bob", 60)


def test_release_frees_the_lock_and_twice_is_harmless(harness: Harness) -> None:
    lock = harness.backend.acquire_lock("demo", "alice", 60)
    harness.backend.release_lock(lock)
    harness.backend.release_lock(lock)
    assert harness.backend.lock_info("demo") is None
    assert harness.backend.acquire_lock("demo", "bob", 60).owner == "bob"


def test_force_release_returns_what_it_removed(harness: Harness) -> None:
    assert harness.backend.force_release_lock("demo") is None
    lock = harness.backend.acquire_lock("demo", "alice", 60)
    assert harness.backend.force_release_lock("demo") == lock
    assert harness.backend.lock_info("demo") is None
    with pytest.raises(LockHeldError, match="was released or force-released"):
        harness.backend.heartbeat_lock(lock, 60)


def test_locks_are_per_project(harness: Harness) -> None:
    harness.backend.acquire_lock("demo", "alice", 60)
    assert harness.backend.acquire_lock("other", "bob", 60).owner == "bob"


def test_a_ttl_must_be_positive(harness: Harness) -> None:
    with pytest.raises(InvalidInputError, match="ttl"):
        harness.backend.acquire_lock("demo", "alice", 0)
    assert harness.backend.lock_info("demo") is None
