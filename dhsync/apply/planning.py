"""Making the plan a command shows or applies: the repository's policies and the command's flags
become PlanOptions, the actual state is read in bulk, and an interrupted apply's journal is honoured."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from dhsync.apply.journal import CREATE_RUN, Journal, journal_folder
from dhsync.apply.leftover import pending, unfinished
from dhsync.backends import holder
from dhsync.backends.base import Backend
from dhsync.model.entities import DesiredState, Identity
from dhsync.model.kinds import EntityType
from dhsync.model.plan import Change, Plan, PlanOptions, SecretRules
from dhsync.model.state import ActualState, LockInfo
from dhsync.plan import make_plan
from dhsync.plan.codec import to_dict
from dhsync.plan.select import matches, select

if TYPE_CHECKING:  # the model of dhsync.yaml (pydantic) is needed for its type only
    from dhsync.specs.models.config import Config

@dataclass(frozen=True)
class Flags:
    """What the user asked on the command line; None means "as dhsync.yaml says"."""

    prune: bool | None = None
    allow_empty: bool = False
    select: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    cascade: bool = False
    ignore_protect: bool = False
    adopt: bool = False


def plan_options(config: Config, flags: Flags, resumed: frozenset[str] = frozenset()) -> PlanOptions:
    policies = config.policies
    return PlanOptions(
        prune=policies.prune if flags.prune is None else flags.prune,
        allow_empty=flags.allow_empty or policies.allow_empty,
        select=flags.select, exclude=flags.exclude,
        ignore_changes=tuple(config.ignore_changes), protect=tuple(policies.protect),
        secrets=SecretRules(tuple(config.secrets.mask), tuple(config.secrets.show)),
        cascade=flags.cascade, ignore_protect=flags.ignore_protect, resumed_triggers=resumed,
        adopt=flags.adopt or policies.adopt, retry_failed_runs=policies.retry_failed_runs,
    )


def resumed_triggers(journal: Journal, actual: ActualState) -> frozenset[str]:
    """Declared runs an interrupted apply already created: an `always` run does not fire twice in one
    logical apply. A create the backend never got does not count (the run fires now)."""
    stored = {str(run.get("id")) for run in actual.runs}
    return frozenset(entry.address.partition("/")[2] for entry in journal.begun(CREATE_RUN) if entry.id in stored)


def with_source(plan: Plan, root: Path, backend_url: str, base_dir: Path) -> Plan:
    source: Mapping[str, str] = {"root": str(root.resolve()), "backend": backend_url,
                                 "base_dir": str(base_dir.resolve())}
    return replace(plan, source=source)


@dataclass(frozen=True)
class Planned:
    plan: Plan
    actual: ActualState
    # what the reader should know about how the plan was read (an apply holding the lock)
    notes: tuple[str, ...] = ()


def live_holder(backend: Backend, project: str) -> LockInfo | None:
    """The apply holding the project's lock now, if any (neither expired nor known to have ended)."""
    held = backend.lock_info(project)
    if held is None or held.expired(datetime.now(UTC)) or holder.ended(held):
        return None
    return held


def lock_note(held: LockInfo, project: str) -> str:
    """Said when an apply holds the lock: the plan is read while that apply may be writing."""
    since = held.acquired_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    return (f"{held.owner} on {held.host} (pid {held.pid}) holds the apply lock of project `{project}` since "
            f"{since}: the backend may be changing while this is read; check again when it is done")


def with_unfinished(plan: Plan, backend: Backend, journal: Journal) -> Plan:
    """The plan with the runs an interrupted apply left executing, as degraded (read from its journal)."""
    known = {d.name for d in plan.degraded}
    stuck = [d for d in unfinished(backend, plan.project, journal) if d.name not in known]
    return replace(plan, degraded=(*plan.degraded, *stuck)) if stuck else plan


def with_pending(plan: Plan, found: Sequence[Change]) -> Plan:
    """The plan with the runs an interrupted apply left to execute (`found`, see leftover.pending), narrowed
    by --select/--exclude like the rest (`--exclude 'run/*'` leaves them for later too)."""
    return replace(plan, pending=select(found, plan.options.select, plan.options.exclude))


def plan_now(backend: Backend, desired: DesiredState, config: Config, flags: Flags,
             journal: Journal | None = None) -> Planned:
    """The plan for `desired` against what `backend` holds now."""
    if journal is None:
        journal = Journal(journal_folder(backend), desired.project, "")
    held = live_holder(backend, desired.project)
    actual = backend.read_state(desired.project)
    if held is not None:
        # the journal is that apply's own, as it goes: what it created and is executing is not left behind
        plan = make_plan(desired, actual, plan_options(config, flags))
        return Planned(plan, actual, (lock_note(held, desired.project),))
    options = plan_options(config, flags, resumed_triggers(journal, actual))
    plan = with_pending(make_plan(desired, actual, options), pending(backend, desired.project, journal))
    return Planned(with_unfinished(plan, backend, journal), actual)


def same_changes(a: Plan, b: Plan, keys: Sequence[str] = ("changes", "not_pruned", "pending")) -> bool:
    """Whether two plans would do the same, compared in their serialised form (the plan file's)."""
    first, second = to_dict(a), to_dict(b)
    return all(first[key] == second[key] for key in keys)


def unmatched_patterns(desired: DesiredState, actual: ActualState | Plan, patterns: Sequence[str]) -> list[str]:
    """The --select/--exclude patterns that name nothing the repository declares or the backend holds (a
    typo there would hide every change). The backend side is its functions, or what a plan changes in it."""
    known = [entity.identity for entity in desired.entities]
    if isinstance(actual, Plan):
        known += [change.identity for change in (*actual.changes, *actual.pending)]
    else:
        known += [Identity(EntityType.FUNCTION, actual.project, str(fn["name"])) for fn in actual.functions]
    return [p for p in patterns if not any(matches(identity, [p]) for identity in known)]
