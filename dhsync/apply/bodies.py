"""The bodies apply sends: DigitalHub-shaped, user-owned fields only, marked as dhsync's.

Server-owned fields are never sent (no stale `created`, `version`, `status`); ids are chosen by the
caller before the call, so a journal line can name them.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from dhsync.diff.marks import TriggerRecord, function_labels, is_managed, is_protected, labels_of
from dhsync.model.entities import USER_METADATA, DesiredEntity
from dhsync.model.refs import TaskRef
from dhsync.plan.actual import function_ref


def new_id() -> str:
    return uuid.uuid4().hex


def _user_metadata(entity: DesiredEntity) -> dict[str, Any]:
    return {k: entity.metadata[k] for k in USER_METADATA if k in entity.metadata}


def function_body(fn: DesiredEntity, id_: str) -> dict[str, Any]:
    metadata = _user_metadata(fn)
    metadata["labels"] = function_labels(fn.metadata.get("labels") or [], managed=True, protect=fn.protect)
    return {"kind": fn.kind, "project": fn.project, "name": fn.name, "id": id_, "metadata": metadata,
            "spec": dict(fn.spec)}


def function_update_body(fn: DesiredEntity, stored: Mapping[str, Any], *, managed: bool = False) -> dict[str, Any]:
    """Metadata in place (DHCore's PUT keeps the spec); dhsync's mark stays, or comes back with `managed`."""
    metadata = {k: v for k, v in (stored.get("metadata") or {}).items() if k not in USER_METADATA}
    metadata.update(_user_metadata(fn))
    metadata["labels"] = function_labels(fn.metadata.get("labels") or [], managed=managed or is_managed(stored),
                                         protect=fn.protect)
    return {"kind": stored["kind"], "project": stored["project"], "name": stored["name"], "metadata": metadata}


def managed_mark_body(stored: Mapping[str, Any]) -> dict[str, Any]:
    """A stored version as it is, with dhsync's mark added: taking a function over changes nothing else."""
    metadata = dict(stored.get("metadata") or {})
    metadata["labels"] = function_labels(labels_of(stored), managed=True, protect=is_protected(stored))
    return {"kind": stored["kind"], "project": stored["project"], "name": stored["name"], "metadata": metadata}


def task_body(task: DesiredEntity, function: Mapping[str, Any], id_: str) -> dict[str, Any]:
    return {"kind": task.kind, "project": task.project, "id": id_,
            "spec": {**task.spec, "function": function_ref(function)}}


def task_update_body(task: DesiredEntity, stored: Mapping[str, Any]) -> dict[str, Any]:
    return {"kind": stored["kind"], "project": stored["project"],
            "spec": {**task.spec, "function": stored["spec"]["function"]}}


def run_body(run: DesiredEntity, task: Mapping[str, Any], function: Mapping[str, Any], record: TriggerRecord,
             id_: str) -> dict[str, Any]:
    spec = {k: v for k, v in run.spec.items() if k not in ("function", "task")}
    spec["task"] = str(TaskRef(str(task["kind"]), run.project, str(task["id"])))
    spec["function"] = function_ref(function)
    metadata = {**_user_metadata(run), "labels": [*(run.metadata.get("labels") or []), *record.labels()]}
    return {"kind": run.kind, "project": run.project, "id": id_, "metadata": metadata, "spec": spec}
