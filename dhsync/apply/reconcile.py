"""`reconcile`: the one effectful loop. Lock, re-read, plan (or check a saved plan), review, write.

Order of events: take the backend lock (exit 4 when held) → read the journal of an interrupted apply →
read the actual state → make the plan (a saved plan must come out identical, else exit 3) → show it
→ refuse on protection rules (exit 5) → confirm → make the project if needed → execute the runs an
interrupted apply left behind → apply the changes in order → close the journal.
A failed change skips the changes that require it; the rest go on and every outcome is reported.
"""

from __future__ import annotations

import contextlib
import itertools
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Protocol

from dhsync.apply import guards, leftover, steps, triggers
from dhsync.apply.bodies import new_id
from dhsync.apply.journal import CREATE_RUN, Entry, Journal, journal_folder
from dhsync.apply.lock import DEFAULT_TTL, holding, lock_owner
from dhsync.apply.outcome import ApplyResult, Outcome, Reporter, Status
from dhsync.apply.planning import (
    Flags,
    plan_options,
    resumed_triggers,
    same_changes,
    with_pending,
    with_source,
    with_unfinished,
)
from dhsync.apply.session import CHUNK_WRITES, RunSettings, Session
from dhsync.backends.base import Backend
from dhsync.model.entities import DesiredState, Identity
from dhsync.model.errors import ConflictError, DhsyncError, LockHeldError, NotFoundError, StalePlanError
from dhsync.model.gcpause import cyclic_gc_paused
from dhsync.model.kinds import EntityType
from dhsync.model.plan import Change, Plan, PlanOptions
from dhsync.model.state import ActualState
from dhsync.plan import make_plan
from dhsync.plan.actual import ActualIndex, fingerprint
from dhsync.plan.codec import address
from dhsync.plan.desired import arrange, desired_hash
from dhsync.specs.models.config import Config


class Cancelled(DhsyncError):
    """The user did not confirm; nothing was changed."""


class Review(Protocol):
    """How the caller shows the plan and asks for the go-ahead (the CLI prompts; tests answer)."""

    def show(self, plan: Plan) -> None: ...
    def confirm(self, plan: Plan) -> bool: ...


@dataclass(frozen=True)
class Request:
    desired: DesiredState
    config: Config
    root: Path
    backend_url: str
    base_dir: Path
    flags: Flags = field(default_factory=Flags)
    runs: RunSettings = field(default_factory=RunSettings)
    saved: Plan | None = None
    lock_ttl: float = DEFAULT_TTL
    lock_timeout: float = 0.0  # seconds to wait for a live holder of the lock (--lock-timeout)
    chunk_writes: int = CHUNK_WRITES  # the most writes committed together (session.Chunk)


def _check_repository(request: Request) -> None:
    if request.saved is not None and desired_hash(request.desired) != request.saved.desired_hash:
        raise StalePlanError("the repository changed since the plan was made; nothing was applied. Make the plan "
                             "again (`dhsync plan --out FILE`) and review it")


# Plans this process made against a backend that did not exist yet, by id (confirm_before_creating). Applied
# to that backend once it is created, still empty and with no journal to resume, planning again from the
# same inputs would give the same plan back: that apply uses it as it is (at 10,000 functions, a second
# plan cost a fifth of the apply).
_MADE_FOR_EMPTY: weakref.WeakValueDictionary[int, Plan] = weakref.WeakValueDictionary()


def confirm_before_creating(probe: Backend, request: Request, review: Review) -> Plan | None:
    """For a backend that does not exist yet (`probe` reads as empty and refuses writes): show the plan, check
    the protection rules and ask before anything, the database included, is created. Returns the plan to
    apply, as a saved plan for the apply that creates the backend (so it does exactly this, or refuses with
    exit 3), or None when there is nothing to do."""
    _check_repository(request)
    project = request.desired.project
    journal = Journal(journal_folder(probe), project, "")
    plan = _plan(request, probe, probe.read_state(project), (), journal)
    review.show(plan)
    if plan.empty:
        return None
    guards.check(plan, saved=request.saved is not None)
    if not review.confirm(plan):
        raise Cancelled("apply cancelled; nothing was changed")
    _MADE_FOR_EMPTY[id(plan)] = plan
    return plan


def reconcile(backend: Backend, request: Request, review: Review, reporter: Reporter) -> ApplyResult:
    project = request.desired.project
    _check_repository(request)
    with holding(backend, project, lock_owner(), request.lock_ttl, timeout=request.lock_timeout) as lock:
        journal = Journal(journal_folder(backend), project, new_id())
        try:
            actual = backend.read_state(project)
            found = leftover.pending(backend, project, journal)
            plan = _plan(request, backend, actual, found, journal)
            session = Session(backend, project, arrange(request.desired), ActualIndex.build(actual), journal, lock,
                              request.runs, request.chunk_writes)
            review.show(plan)
            notes = lock.notes
            if plan.empty:
                notes += tuple(triggers.interrupted(backend, project, journal))
                journal.finish(_left_out(plan, found, journal))
                return ApplyResult(plan, (), notes)
            guards.check(plan, saved=request.saved is not None)
            if not review.confirm(plan):
                raise Cancelled("apply cancelled; nothing was changed")
            notes += tuple(triggers.interrupted(backend, project, journal))
            _ensure_project(backend, project)
            outcomes = _apply_all(session, plan, reporter)
            journal.finish(_left_out(plan, found, journal))
        finally:
            journal.close()
    result = ApplyResult(plan, tuple(outcomes), notes)
    reporter.finish(result)
    return result


def _plan(request: Request, backend: Backend, actual: ActualState, found: Sequence[Change],
          journal: Journal) -> Plan:
    saved = request.saved
    if saved is not None and _made_for(saved, actual, found, journal):
        return saved
    resumed = resumed_triggers(journal, actual)
    options: PlanOptions = (replace(saved.options, resumed_triggers=resumed) if saved is not None
                            else plan_options(request.config, request.flags, resumed))
    made = with_unfinished(with_pending(make_plan(request.desired, actual, options), found), backend, journal)
    plan = with_source(made, request.root, request.backend_url, request.base_dir)
    if saved is not None:
        if fingerprint(actual) != saved.actual_fingerprint:
            raise StalePlanError("the backend changed since the plan was made (another apply, or someone "
                                 "else's change); nothing was applied. Make the plan again and review it")
        if not same_changes(plan, saved):
            raise StalePlanError("the saved plan no longer matches what this apply would do; nothing was applied. "
                                 "Make the plan again and review it")
    return plan


def _made_for(saved: Plan, actual: ActualState, found: Sequence[Change], journal: Journal) -> bool:
    """Whether `saved` is a plan this process made for this very state (see _MADE_FOR_EMPTY)."""
    return (_MADE_FOR_EMPTY.get(id(saved)) is saved and not found and not journal.previous
            and fingerprint(actual) == saved.actual_fingerprint)


def _left_out(plan: Plan, found: Sequence[Change], journal: Journal) -> list[Entry]:
    """The journal lines of runs an interrupted apply left that this one did not execute (--exclude): the
    next apply still executes them."""
    taken = {str((change.before or {}).get("run")) for change in plan.pending}
    waiting = {str((change.before or {}).get("run")) for change in found}
    return [entry for entry in journal.begun(CREATE_RUN) if entry.id in waiting - taken]


def _ensure_project(backend: Backend, project: str) -> None:
    try:
        backend.get_project(project)
    except NotFoundError:
        # made by someone else in between: it exists, which is all we need
        with contextlib.suppress(ConflictError):
            backend.create_project({"kind": "project", "name": project})


def _apply_all(session: Session, plan: Plan, reporter: Reporter) -> list[Outcome]:
    total = len(plan.pending) + len(plan.changes)
    reporter.start(total)
    outcomes: list[Outcome] = []

    def report(done: Sequence[Outcome]) -> None:
        for outcome in done:
            outcomes.append(outcome)
            reporter.outcome(outcome, len(outcomes), total)

    try:
        for change in plan.pending:
            report([_guarded(change, partial(triggers.resume, session, change))])
        failed: set[Identity] = set()
        changes, at = plan.changes, 0
        while at < len(changes):
            # a declared run executes: never inside a chunk, whose transaction would stay open meanwhile
            done = ([_settled(_one(session, changes[at], failed), failed)] if _executes(changes[at])
                    else _chunk(session, changes, at, failed))
            report(done)
            at += len(done)
    except BaseException:
        # stopped (interrupted, the lock lost): the reporter shows what was done before the error is said
        reporter.finish(ApplyResult(plan, tuple(outcomes)))
        raise
    return outcomes


def _executes(change: Change) -> bool:
    return change.identity.type is EntityType.RUN


def _settled(outcome: Outcome, failed: set[Identity]) -> Outcome:
    if outcome.status is not Status.DONE:
        failed.add(outcome.change.identity)
    return outcome


def _chunk(session: Session, changes: Sequence[Change], start: int, failed: set[Identity]) -> list[Outcome]:
    """The changes from `start` on, up to the next run, in one chunk until it is full; their outcomes are
    reported once it committed. A chunk that cannot commit (or begin) fails every change in it: none of
    its writes is in the backend."""
    done: list[Outcome] = []
    try:
        # no reference cycles among the entities written; the collector would only rescan them
        with cyclic_gc_paused(), session.chunk() as chunk:
            for change in itertools.islice(changes, start, None):
                if _executes(change):
                    break
                done.append(_settled(_one(session, change, failed), failed))
                if chunk.full():
                    break
    except LockHeldError:
        raise  # the lock is lost: stop writing at once
    except DhsyncError as exc:
        failed.update(outcome.change.identity for outcome in done)
        lost = [outcome.change for outcome in done] or [changes[start]]
        return [Outcome(change, Status.FAILED, str(exc)) for change in lost]
    return done


def _one(session: Session, change: Change, failed: set[Identity]) -> Outcome:
    missing = [r for r in change.requires if r in failed]
    if missing:
        return Outcome(change, Status.SKIPPED, f"skipped: {', '.join(address(r) for r in missing)} did not succeed")
    if _executes(change):
        return _guarded(change, lambda: triggers.trigger_run(session, change))
    step = steps.STEPS[(change.identity.type, change.action)]
    return _guarded(change, lambda: step(session, change))


def _guarded(change: Change, do: Callable[[], Outcome]) -> Outcome:
    try:
        outcome: Outcome = do()
    except LockHeldError:
        raise  # the lock is lost: stop writing at once
    except DhsyncError as exc:
        return Outcome(change, Status.FAILED, str(exc))
    return outcome
