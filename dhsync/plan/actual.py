"""The actual state indexed once for the questions the planner asks (one pass over each listing)."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from dhsync.diff.hashing import canonical_json
from dhsync.diff.marks import TriggerRecord, is_managed, trigger_record
from dhsync.model.refs import FunctionRef, parse_function_ref, parse_task_ref
from dhsync.model.state import ActualState, Entity


def function_ref(function: Mapping[str, Any]) -> str:
    return str(FunctionRef(function["kind"], function["project"], function["name"], function["id"]))


@dataclass(frozen=True)
class LastRun:
    """The newest run a declaration triggered, and what it recorded."""

    run: Entity
    record: TriggerRecord
    function_id: str | None


# (function version id, declaration hash, task hash), both hashes shortened as the labels keep them
Fired = tuple[str | None, str, str]


@dataclass(frozen=True)
class ActualIndex:
    versions: Mapping[str, list[Entity]]  # function name -> versions, newest first
    tasks_by_function: Mapping[str, list[Entity]]  # function version reference -> tasks
    runs_by_task: Mapping[str, int]  # task id -> how many runs
    last_runs: Mapping[str, LastRun]  # declared run name -> its newest triggered run
    fired: Mapping[str, frozenset[Fired]]  # declared run name -> every combination it ran with

    @classmethod
    def build(cls, actual: ActualState) -> ActualIndex:
        versions: dict[str, list[Entity]] = defaultdict(list)
        for fn in actual.functions:
            versions[str(fn["name"])].append(fn)
        tasks: dict[str, list[Entity]] = defaultdict(list)
        for task in actual.tasks:
            tasks[str(task["spec"].get("function"))].append(task)
        return cls(versions, tasks, *_runs(actual.runs))

    def latest(self, name: str) -> Entity | None:
        found = self.versions.get(name)
        return found[0] if found else None

    def tasks_of(self, function: Mapping[str, Any] | None) -> dict[str, Entity]:
        """The tasks of one function version by kind (the first one of a kind, like the SDK)."""
        if function is None:
            return {}
        out: dict[str, Entity] = {}
        for task in self.tasks_by_function.get(function_ref(function), ()):
            out.setdefault(str(task["kind"]), task)
        return out

    def tasks_of_version(self, function: Mapping[str, Any]) -> list[Entity]:
        return list(self.tasks_by_function.get(function_ref(function), ()))

    def managed_versions(self, name: str) -> list[Entity]:
        return [fn for fn in self.versions.get(name, ()) if is_managed(fn)]


def _runs(runs: tuple[Entity, ...]) -> tuple[dict[str, int], dict[str, LastRun], dict[str, frozenset[Fired]]]:
    per_task: dict[str, int] = defaultdict(int)
    last: dict[str, tuple[tuple[str, int], LastRun]] = {}
    fired: dict[str, set[Fired]] = defaultdict(set)
    for position, run in enumerate(runs):
        spec = run.get("spec") or {}
        task_ref = parse_task_ref(str(spec.get("task", "")))
        if task_ref is not None:
            per_task[task_ref.id] += 1
        record = trigger_record(run)
        if record is None:
            continue
        order = (str((run.get("metadata") or {}).get("created", "")), position)
        fn_ref = parse_function_ref(str(spec.get("function", "")))
        function_id = fn_ref.id if fn_ref else None
        fired[record.declaration].add((function_id, record.declaration_hash, record.task_hash))
        current = last.get(record.declaration)
        if current is None or order >= current[0]:
            last[record.declaration] = (order, LastRun(run, record, function_id))
    return (per_task, {name: entry for name, (_order, entry) in last.items()},
            {name: frozenset(keys) for name, keys in fired.items()})


def fingerprint(actual: ActualState) -> str:
    """A hash of everything a plan depends on. Run progress (status, results, timestamps) is left out: a
    run finishing does not make a saved plan stale; a run created does."""
    # content_hash((project, functions, tasks, runs)) fed one document at a time: the same bytes, so the same
    # hash, without holding the canonical JSON of the whole state at once (~27 MB at 30,000 functions)
    digest = hashlib.sha256(b"[" + canonical_json(actual.project) + b",")
    for position, documents in enumerate((actual.functions, actual.tasks, _run_keys(actual.runs))):
        digest.update(b",[" if position else b"[")
        for index, document in enumerate(documents):
            if index:
                digest.update(b",")
            digest.update(canonical_json(document))
        digest.update(b"]")
    digest.update(b"]")
    return "sha256:" + digest.hexdigest()


def _run_keys(runs: tuple[Entity, ...]) -> Iterator[tuple[Any, ...]]:
    for r in runs:
        spec = r.get("spec") or {}
        labels = (r.get("metadata") or {}).get("labels")
        yield r.get("id"), r.get("kind"), spec.get("task"), spec.get("function"), labels
