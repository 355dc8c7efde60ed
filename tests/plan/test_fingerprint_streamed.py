"""The fingerprint is hashed one document at a time (memory, issue 9): it must stay the hash of the whole
state's canonical JSON, as plan files saved before carry it."""

from __future__ import annotations

from typing import Any

import pytest

from dhsync.diff.hashing import content_hash
from dhsync.model.state import ActualState
from dhsync.plan.actual import fingerprint


def _whole(actual: ActualState) -> str:
    runs = [(r.get("id"), r.get("kind"), (r.get("spec") or {}).get("task"), (r.get("spec") or {}).get("function"),
             (r.get("metadata") or {}).get("labels")) for r in actual.runs]
    return "sha256:" + content_hash((actual.project, actual.functions, actual.tasks, runs))


FN: dict[str, Any] = {"kind": "python", "project": "p", "name": "f", "id": "1",
                      "metadata": {"labels": ["b", "a"], "version": "x", "created": "2024"},
                      "spec": {"source": {"code": "é\n", "lang": "python"}, "z": 1.5, "a": [None, True, {}]}}
TASK: dict[str, Any] = {"kind": "python+job", "id": "t", "spec": {"function": "python://p/f:1", "envs": []}}
RUN: dict[str, Any] = {"kind": "python+job:run", "id": "r", "status": {"state": "COMPLETED"},
                       "spec": {"task": "python+job://p/t", "function": "python://p/f:1"},
                       "metadata": {"labels": ["dhsync/run=x"], "created": "2024"}}


@pytest.mark.parametrize("actual", [
    ActualState("p"),
    ActualState("p", functions=(FN,)),
    ActualState("p", tasks=(TASK,)),
    ActualState("p", runs=(RUN, {"id": "bare"})),
    ActualState("ü", functions=(FN, {**FN, "id": "2", "spec": {1: "int key"}}), tasks=(TASK, TASK),
                runs=(RUN, RUN, {"kind": "k", "spec": None, "metadata": None})),
])
def test_the_streamed_fingerprint_is_the_whole_state_hash(actual: ActualState) -> None:
    assert fingerprint(actual) == _whole(actual)
