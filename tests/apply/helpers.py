"""Applying a repository through the library, with a review that approves (or refuses) and records."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dhsync.apply import ApplyResult, Flags, Request, RunSettings, SilentReporter, plan_now
from dhsync.apply.reconcile import reconcile
from dhsync.backends import open_backend
from dhsync.backends.base import Backend
from dhsync.model.plan import Change, Plan
from dhsync.specs.loader import load_repository


@dataclass
class RecordingReview:
    answer: bool = True
    shown: list[Plan] = field(default_factory=list)
    pending: list[Sequence[Change]] = field(default_factory=list)

    def show(self, plan: Plan) -> None:
        self.shown.append(plan)
        self.pending.append(plan.pending)

    def confirm(self, plan: Plan) -> bool:
        return self.answer


def request_for(root: Path, *, flags: Flags | None = None,
                saved: Plan | None = None, **runs: Any) -> Request:
    loaded = load_repository(root, use_cache=False)
    assert loaded.ok, [d.one_line() for d in loaded.diagnostics]
    assert loaded.state is not None and loaded.config is not None
    return Request(loaded.state, loaded.config, root, "memory://", root, flags or Flags(),
                   RunSettings(root, **runs), saved)


def apply_repo(root: Path, backend: Backend, review: RecordingReview | None = None, **kwargs: Any) -> ApplyResult:
    return reconcile(backend, request_for(root, **kwargs), review or RecordingReview(), SilentReporter())


def plan_of(root: Path, backend: Backend, flags: Flags | None = None) -> Plan:
    request = request_for(root)
    return plan_now(backend, request.desired, request.config, flags or Flags()).plan


def sqlite_backend(root: Path) -> Backend:
    return open_backend("sqlite:///.dhsync/state.db", root)


def summary(plan: Plan) -> list[tuple[str, str]]:
    return [(str(c.action), str(c.identity)) for c in plan.changes]
