"""The labels dhsync writes on what it creates, so that it prunes only what it made.

Labels are the one user-visible field DHCore keeps on every function version and run (tasks have no
metadata in DHCore 0.15: a task is dhsync's when its function version is). They are plain strings
without commas (DHCore joins labels with commas for its search index). The diff never compares them.

- `dhsync/managed` on every function version and run dhsync creates;
- `dhsync/protect` on function versions declared `protect: true` (or matched by policies.protect),
  so a delete stays blocked after the declaration left the repository;
- `dhsync/run=<name>`, `dhsync/declaration=<hash>`, `dhsync/task=<hash>` on triggered runs: which
  declaration triggered the run, with the content of that declaration and of its task at the time.
  The function version is the run's own `spec.function`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

PREFIX = "dhsync/"
MANAGED = "dhsync/managed"
PROTECTED = "dhsync/protect"
_RUN = "dhsync/run="
_DECLARATION = "dhsync/declaration="
_TASK = "dhsync/task="
# Content hashes in labels are shortened: enough to tell two versions of one declaration apart.
HASH_CHARS = 16


def is_mark(label: object) -> bool:
    return isinstance(label, str) and label.startswith(PREFIX)


def labels_of(entity: Mapping[str, Any]) -> list[Any]:
    labels = (entity.get("metadata") or {}).get("labels") or []
    return list(labels) if isinstance(labels, list) else [labels]


def user_labels(labels: Iterable[Any]) -> list[Any]:
    return [label for label in labels if not is_mark(label)]


def is_managed(entity: Mapping[str, Any]) -> bool:
    return MANAGED in labels_of(entity)


def is_protected(entity: Mapping[str, Any]) -> bool:
    return PROTECTED in labels_of(entity)


def function_labels(user: Iterable[Any], *, managed: bool, protect: bool) -> list[Any]:
    marks = ([MANAGED] if managed else []) + ([PROTECTED] if protect else [])
    return [*user_labels(user), *marks]


@dataclass(frozen=True)
class TriggerRecord:
    """What a triggered run records about why it exists (hashes shortened to HASH_CHARS)."""

    declaration: str
    declaration_hash: str
    task_hash: str

    @classmethod
    def of(cls, declaration: str, declaration_hash: str, task_hash: str) -> TriggerRecord:
        return cls(declaration, declaration_hash[:HASH_CHARS], task_hash[:HASH_CHARS])

    def labels(self) -> list[str]:
        return [MANAGED, f"{_RUN}{self.declaration}", f"{_DECLARATION}{self.declaration_hash}",
                f"{_TASK}{self.task_hash}"]

    def same_declaration(self, declaration_hash: str) -> bool:
        return self.declaration_hash == declaration_hash[:HASH_CHARS]

    def same_task(self, task_hash: str) -> bool:
        return self.task_hash == task_hash[:HASH_CHARS]


def trigger_record(run: Mapping[str, Any]) -> TriggerRecord | None:
    """The record of a run dhsync triggered, or None for runs made by anyone else."""
    found: dict[str, str] = {}
    for label in labels_of(run):
        if not is_mark(label):
            continue
        for prefix in (_RUN, _DECLARATION, _TASK):
            if label.startswith(prefix):
                found[prefix] = label[len(prefix):]
    if _RUN not in found:
        return None
    return TriggerRecord(found[_RUN], found.get(_DECLARATION, ""), found.get(_TASK, ""))
