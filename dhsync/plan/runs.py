"""Declared runs: trigger or not.

A declared run fires once per (function version, declaration, task content): the run it creates
records the declaration and task hashes in its labels and points at the function version in its
spec, so re-planning after an apply — or after an interrupted one — finds the record and does not
fire again. `always` fires on every apply; `manual` never fires from apply.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dhsync.diff.hashing import content_hash
from dhsync.diff.marks import HASH_CHARS, TriggerRecord
from dhsync.diff.normalise import desired_content
from dhsync.diff.secrets import NO_RULES, mask
from dhsync.model.entities import DesiredEntity, Identity, TriggerPolicy, task_identity_name
from dhsync.model.kinds import EntityType
from dhsync.model.plan import Action, Change, Degraded, Reason, SecretRules
from dhsync.model.redact import redact_text
from dhsync.model.runstate import RunState, state_of
from dhsync.model.state import Entity
from dhsync.plan.actual import Fired, LastRun
from dhsync.plan.desired import Desired


def task_kind_of(run: DesiredEntity) -> str:
    return run.kind.removesuffix(":run")


def task_identity(run: DesiredEntity) -> Identity:
    return Identity(EntityType.TASK, run.project, task_identity_name(str(run.function), task_kind_of(run)))


def declaration_hash(run: DesiredEntity) -> str:
    return content_hash(desired_content(run))


def task_hash(desired: Desired, run: DesiredEntity) -> str:
    """The content hash of a declared run's task (a triggered run records it in its labels)."""
    task = desired.task(str(run.function), task_kind_of(run))
    return content_hash(desired_content(task)) if task is not None else ""


def trigger_record_for(desired: Desired, run: DesiredEntity, ran: DesiredEntity | None = None) -> TriggerRecord:
    """What a run of the declaration `run` records about itself: the declaration as it ran (`ran`, when its
    parameters were overridden) and the content of its task. apply, `dhsync run` and the tests make runs
    with the same record, so a plan recognises them all."""
    return TriggerRecord.of(run.name, declaration_hash(ran or run), task_hash(desired, run))


@dataclass(frozen=True)
class RunContext:
    """What the trigger decision needs to know about the run's function and task."""

    function_change: Change | None
    task_change: Change | None
    latest_function: Entity | None
    task_hash: str
    last: LastRun | None
    resumed: bool
    # every (function version, declaration, task) this declaration already ran with
    fired: frozenset[Fired] = frozenset()
    # policies.retry_failed_runs: a run that failed on this version is triggered again
    retry_failed: bool = False

    def latest_id(self) -> str | None:
        return None if self.latest_function is None else self.latest_function.get("id")

    def failed_on_latest(self) -> bool:
        """Whether the declaration's newest run ran on the current function version and ended in ERROR."""
        return (self.last is not None and self.last.function_id == self.latest_id()
                and state_of(self.last.run) == RunState.ERROR)


def _reason(run: DesiredEntity, ctx: RunContext) -> Reason | None:
    if ctx.last is None:
        return Reason.NEVER_RUN
    if ctx.function_change is not None and ctx.function_change.builds_version:
        return Reason.FUNCTION_VERSION_CHANGED
    latest_id = ctx.latest_id()
    ran_as_declared = (latest_id, declaration_hash(run)[:HASH_CHARS], ctx.task_hash[:HASH_CHARS]) in ctx.fired
    if ctx.task_change is None and ran_as_declared:
        # even if a later run (say `dhsync run NAME --param …`) ran with something else
        if run.trigger is TriggerPolicy.ALWAYS and not ctx.resumed:
            return Reason.ALWAYS
        return Reason.RETRY_FAILED if ctx.retry_failed and ctx.failed_on_latest() else None
    if ctx.last.function_id != latest_id:
        return Reason.FUNCTION_VERSION_CHANGED
    if ctx.task_change is not None or not ctx.last.record.same_task(ctx.task_hash):
        return Reason.TASK_CHANGED
    return Reason.DECLARATION_CHANGED


def last_run_summary(last: LastRun | None) -> dict[str, Any] | None:
    """The run the trigger follows. Not its state: a run finishing must not make a saved plan stale."""
    if last is None:
        return None
    return {"run": last.run.get("id"), "function_version": last.function_id}


def plan_run(run: DesiredEntity, ctx: RunContext, secrets: SecretRules = NO_RULES) -> Change | None:
    if run.trigger is TriggerPolicy.MANUAL:
        return None
    reason = _reason(run, ctx)
    if reason is None:
        return None
    needs: list[Identity] = []
    if ctx.function_change is not None and ctx.function_change.builds_version:
        needs.append(ctx.function_change.identity)
    if ctx.task_change is not None:
        needs.append(ctx.task_change.identity)
    return Change(Action.TRIGGER, run.identity, run.kind, reason, before=last_run_summary(ctx.last),
                  after=mask(desired_content(run), rules=secrets), requires=tuple(needs), function=run.function)


def degraded(run: DesiredEntity, ctx: RunContext, secrets: SecretRules = NO_RULES) -> Degraded | None:
    """The declaration's newest run, when it failed on the current function version and nothing will run it
    again: the repository and the backend agree, but what the repository declares did not succeed."""
    if not ctx.failed_on_latest() or ctx.last is None:
        return None
    status = ctx.last.run.get("status") or {}
    # a handler's exception text may quote what it was given: shown masked like everything else
    message = redact_text(str(status.get("message") or ""), secrets)
    return Degraded(run.name, str(ctx.last.run.get("id")), state_of(ctx.last.run), message)
