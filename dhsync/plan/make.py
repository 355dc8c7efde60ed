"""`make_plan(desired, actual, options) -> Plan`: pure, values in, a Plan out.

Changes come in the order apply makes them: functions (create, new version, update), then their
tasks, then deletes (tasks, then functions), then declared runs to trigger.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from dhsync.diff.marks import is_managed
from dhsync.model.entities import DesiredState, Identity
from dhsync.model.gcpause import cyclic_gc_paused
from dhsync.model.kinds import EntityType
from dhsync.model.plan import Action, Change, Degraded, Plan, PlanOptions
from dhsync.model.state import ActualState
from dhsync.plan.actual import ActualIndex, fingerprint
from dhsync.plan.adopt import plan_adopt
from dhsync.plan.desired import Desired, arrange, desired_hash
from dhsync.plan.functions import plan_function
from dhsync.plan.prune import plan_function_delete, undeclared_managed
from dhsync.plan.runs import RunContext, degraded, plan_run, task_hash, task_identity
from dhsync.plan.select import select
from dhsync.plan.tasks import plan_task, plan_task_deletes


@dataclass
class _Planned:
    functions: dict[str, Change] = field(default_factory=dict)
    tasks: dict[Identity, Change] = field(default_factory=dict)
    deletes: list[Change] = field(default_factory=list)
    runs: list[Change] = field(default_factory=list)
    not_pruned: list[Identity] = field(default_factory=list)
    degraded: list[Degraded] = field(default_factory=list)

    def ordered(self) -> list[Change]:
        task_deletes = [c for c in self.deletes if c.identity.type is EntityType.TASK]
        function_deletes = [c for c in self.deletes if c.identity.type is EntityType.FUNCTION]
        return [*self.functions.values(), *self.tasks.values(), *task_deletes, *function_deletes, *self.runs]


def _plan_declared(desired: Desired, index: ActualIndex, options: PlanOptions, out: _Planned) -> None:
    for fn in desired.functions:
        latest = index.latest(fn.name)
        change = plan_function(fn, latest, options.ignore_changes, options.secrets)
        if latest is not None and not index.managed_versions(fn.name):
            change = plan_adopt(fn, latest, change, options.adopt, options.secrets)
        if change is not None:
            out.functions[fn.name] = change
        current = index.tasks_of(latest)
        for task in desired.tasks.get(fn.name, ()):
            task_change = plan_task(task, change, current.get(task.kind), options.ignore_changes, options.secrets)
            if task_change is not None:
                out.tasks[task.identity] = task_change
        if latest is not None and is_managed(latest) and (change is None or change.action is Action.UPDATE):
            kinds = {t.kind for t in desired.tasks.get(fn.name, ())}
            _prune(plan_task_deletes(fn.name, fn.project, kinds, current, index, options.cascade,
                                     options.secrets), options, out)


def _prune(deletes: list[Change], options: PlanOptions, out: _Planned) -> None:
    if options.prune:
        out.deletes.extend(deletes)
    else:
        out.not_pruned.extend(c.identity for c in deletes)


def _plan_deletes(desired: Desired, project: str, index: ActualIndex, options: PlanOptions,
                  out: _Planned) -> None:
    declared = {fn.name for fn in desired.functions}
    empty = not declared and not options.allow_empty
    deletes = [plan_function_delete(name, project, index, options, desired_empty=empty)
               for name in undeclared_managed(declared, index)]
    _prune(deletes, options, out)


def _plan_runs(desired: Desired, index: ActualIndex, options: PlanOptions, out: _Planned) -> None:
    for run in desired.runs:
        ctx = RunContext(
            function_change=out.functions.get(str(run.function)),
            task_change=out.tasks.get(task_identity(run)),
            latest_function=index.latest(str(run.function)),
            task_hash=task_hash(desired, run),
            last=index.last_runs.get(run.name),
            fired=index.fired.get(run.name, frozenset()),
            resumed=run.name in options.resumed_triggers,
            retry_failed=options.retry_failed_runs,
        )
        change = plan_run(run, ctx, options.secrets)
        if change is not None:
            out.runs.append(change)
        elif (failed := degraded(run, ctx, options.secrets)) is not None:
            out.degraded.append(failed)


def make_plan(desired: DesiredState, actual: ActualState, options: PlanOptions | None = None) -> Plan:
    # The actual state holds ~10^6 containers without cycles; the cyclic collector would rescan them on
    # every few thousand allocations the plan makes, and could free nothing.
    with cyclic_gc_paused():
        return _make_plan(desired, actual, options or PlanOptions())


def _make_plan(desired: DesiredState, actual: ActualState, options: PlanOptions) -> Plan:
    arranged = arrange(desired)
    index = ActualIndex.build(actual)
    out = _Planned()
    _plan_declared(arranged, index, options, out)
    _plan_deletes(arranged, desired.project, index, options, out)
    _plan_runs(arranged, index, options, out)
    changes = select(out.ordered(), options.select, options.exclude)
    return Plan(desired.project, changes, fingerprint(actual), desired_hash(desired), options,
                tuple(sorted(out.not_pruned)), degraded=tuple(out.degraded))

