"""Plan after apply is empty, with apply itself doing the writes (reconcile), for every function kind and
every task kind, on both embedded backends. tests/plan/test_after_apply.py proves the same of the planner
with a stand-in writer; this one proves apply writes exactly what the planner expects."""

from __future__ import annotations

from pathlib import Path

import pytest

from dhsync.apply import Flags, Request, RunSettings, SilentReporter, plan_now
from dhsync.apply.reconcile import reconcile
from dhsync.backends import open_backend
from dhsync.specs.models.config import Config
from tests.apply.helpers import RecordingReview
from tests.plan.test_after_apply import ACTIONS, BACKENDS, kind_state


@pytest.mark.parametrize("backend_name", sorted(BACKENDS))
@pytest.mark.parametrize("fn_kind", sorted(ACTIONS))
def test_plan_after_reconcile_is_empty_for_every_kind(fn_kind: str, backend_name: str, tmp_path: Path) -> None:
    desired = kind_state(fn_kind)
    config = Config(project=desired.project)
    backend = open_backend(BACKENDS[backend_name](tmp_path))
    request = Request(desired, config, tmp_path, backend.url, tmp_path, runs=RunSettings(tmp_path, timeout=30))
    result = reconcile(backend, request, RecordingReview(), SilentReporter())
    written = {str(o.change.identity) for o in result.outcomes}
    assert written == {str(e.identity) for e in desired.entities}  # every declared entity was acted on
    after = plan_now(backend, desired, config, Flags()).plan
    assert [str(c.identity) for c in after.changes] == []
    backend.close()
