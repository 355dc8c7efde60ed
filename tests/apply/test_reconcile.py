"""apply through the library: what it writes, in which order, what it refuses, and how it recovers."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dhsync.apply import Flags, Status
from dhsync.apply.reconcile import Cancelled
from dhsync.backends import open_backend
from dhsync.backends.base import Backend
from dhsync.diff.marks import MANAGED
from dhsync.model.errors import BackendError, LockHeldError, ProtectedError, StalePlanError
from dhsync.model.plan import Action
from tests.apply.helpers import RecordingReview, apply_repo, plan_of, sqlite_backend, summary
from tests.specrepo import declared_run, documents, python_function, task, write_repo


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return write_repo(tmp_path / "repo", {
        "functions/alpha.yaml": documents(
            python_function("alpha"), task("alpha", spec="resources: {cpu: '1'}"),
            declared_run("alpha-run", "alpha", spec="parameters: {x: 21}\nvalues: [answer]")),
        "functions/beta.yaml": documents(python_function("beta"), task("beta")),
    })


@pytest.fixture
def backend(repo: Path) -> Iterator[Backend]:
    opened = sqlite_backend(repo)
    yield opened
    opened.close()


def _versions(backend: Backend, name: str) -> list[dict[str, Any]]:
    return list(backend.list_functions("demo", name=name, versions="all", size=100).items)


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def test_first_apply_creates_everything_in_order_and_runs_the_declared_run(repo: Path, backend: Backend) -> None:
    result = apply_repo(repo, backend)
    assert result.ok
    assert [(str(o.change.action), str(o.change.identity)) for o in result.outcomes] == [
        ("create", "function/alpha"), ("create", "function/beta"), ("create", "task/alpha/python+job"),
        ("create", "task/beta/python+job"), ("trigger", "run/alpha-run")]
    run = result.outcomes[-1]
    assert run.details["state"] == "COMPLETED" and run.details["results"] == {"answer": 42}
    assert MANAGED in _versions(backend, "alpha")[0]["metadata"]["labels"]
    assert plan_of(repo, backend).empty


def test_a_code_change_makes_a_new_version_recreates_the_task_and_triggers_the_run(repo: Path,
                                                                                   backend: Backend) -> None:
    apply_repo(repo, backend)
    _edit(repo / "functions/alpha.yaml", "return x * 2", "return x * 3")
    result = apply_repo(repo, backend)
    assert [(str(o.change.action), str(o.change.identity)) for o in result.outcomes] == [
        ("new-version", "function/alpha"), ("recreate", "task/alpha/python+job"), ("trigger", "run/alpha-run")]
    assert result.outcomes[-1].details["results"] == {"answer": 63}
    versions = _versions(backend, "alpha")
    assert len(versions) == 2
    tasks = backend.list_tasks("demo", size=100).items
    assert {t["spec"]["function"].rsplit(":", 1)[1] for t in tasks if t["kind"] == "python+job"} >= {
        v["id"] for v in versions}
    assert plan_of(repo, backend).empty


def test_a_description_change_updates_in_place_and_triggers_nothing(repo: Path, backend: Backend) -> None:
    apply_repo(repo, backend)
    before = _versions(backend, "beta")
    _edit(repo / "functions/beta.yaml", 'description: "a function"', 'description: "the second one"')
    result = apply_repo(repo, backend)
    assert summary(result.plan) == [("update", "function/beta")]
    after = _versions(backend, "beta")
    assert [v["id"] for v in after] == [v["id"] for v in before]
    assert after[0]["metadata"]["description"] == "the second one"
    assert MANAGED in after[0]["metadata"]["labels"]  # the mark survives an update in place


def test_a_task_change_updates_it_in_place_and_triggers_the_run_again(repo: Path, backend: Backend) -> None:
    apply_repo(repo, backend)
    _edit(repo / "functions/alpha.yaml", "cpu: '1'", "cpu: '2'")
    result = apply_repo(repo, backend)
    assert summary(result.plan) == [("update", "task/alpha/python+job"), ("trigger", "run/alpha-run")]
    assert result.plan.changes[-1].reason == "task-changed"
    assert result.ok


class FailingTasks:
    """A backend whose task creation fails for one function: the rest of the apply must go on."""

    def __init__(self, inner: Backend, function: str) -> None:
        self.inner, self.function = inner, function

    def create_task(self, project: str, body: Any) -> dict[str, Any]:
        if f"/{self.function}:" in body["spec"]["function"]:
            raise BackendError("the backend answered 503 Service Unavailable")
        return self.inner.create_task(project, body)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def test_a_failed_change_skips_what_depends_on_it_and_the_next_apply_finishes(repo: Path, backend: Backend) -> None:
    result = apply_repo(repo, FailingTasks(backend, "alpha"))  # type: ignore[arg-type]
    outcomes = {str(o.change.identity): o for o in result.outcomes}
    assert not result.ok
    assert outcomes["task/alpha/python+job"].status is Status.FAILED
    assert "503" in outcomes["task/alpha/python+job"].message
    assert outcomes["run/alpha-run"].status is Status.SKIPPED
    assert "task/alpha/python+job did not succeed" in outcomes["run/alpha-run"].message
    assert outcomes["task/beta/python+job"].status is Status.DONE
    again = apply_repo(repo, backend)
    assert summary(again.plan) == [("create", "task/alpha/python+job"), ("trigger", "run/alpha-run")]
    assert again.ok and plan_of(repo, backend).empty


def _count(backend: Backend) -> tuple[int, int, int]:
    state = backend.read_state("demo")
    return len(state.functions), len(state.tasks), len(state.runs)


def test_a_protected_function_refuses_the_whole_apply_before_anything_is_written(repo: Path,
                                                                                 backend: Backend) -> None:
    _edit(repo / "functions/beta.yaml", "kind: python\n", "kind: python\nprotect: true\n")
    apply_repo(repo, backend)
    (repo / "functions/beta.yaml").unlink()
    _edit(repo / "functions/alpha.yaml", "return x * 2", "return x * 5")
    before = _count(backend)
    with pytest.raises(ProtectedError, match=r"function `beta` is protected.*--ignore-protect") as caught:
        apply_repo(repo, backend, flags=Flags(prune=True))
    assert caught.value.exit_code == 5
    assert _count(backend) == before  # not even alpha's new version
    result = apply_repo(repo, backend, flags=Flags(prune=True, ignore_protect=True))
    assert ("delete", "function/beta") in summary(result.plan) and result.ok
    assert _versions(backend, "beta") == []


def test_deleting_run_history_needs_cascade(repo: Path, backend: Backend) -> None:
    apply_repo(repo, backend)
    shutil.move(repo / "functions/alpha.yaml", repo.parent / "alpha.yaml")
    with pytest.raises(ProtectedError, match="takes 1 run of history with it; pass --cascade"):
        apply_repo(repo, backend, flags=Flags(prune=True))
    result = apply_repo(repo, backend, flags=Flags(prune=True, cascade=True))
    assert result.outcomes[0].message == "deleted with 1 version, 1 task, 1 run"
    assert _count(backend) == (1, 1, 0)


def test_an_emptied_repository_is_not_pruned_without_allow_empty(repo: Path, backend: Backend) -> None:
    apply_repo(repo, backend, flags=Flags(exclude=("run/*",)))
    for path in (repo / "functions").iterdir():
        path.unlink()
    with pytest.raises(ProtectedError, match="declares no function at all; if that is what you want, pass "
                                              "--allow-empty"):
        apply_repo(repo, backend, flags=Flags(prune=True))
    apply_repo(repo, backend, flags=Flags(prune=True, allow_empty=True))
    assert _count(backend) == (0, 0, 0)


def test_only_what_dhsync_created_is_pruned(repo: Path, backend: Backend) -> None:
    apply_repo(repo, backend)
    backend.create_function("demo", {"kind": "python", "name": "hand-made", "spec": {}})
    plan = plan_of(repo, backend, Flags(prune=True))
    assert plan.empty and plan.not_pruned == ()


def test_without_prune_an_undeclared_function_is_only_mentioned(repo: Path, backend: Backend) -> None:
    apply_repo(repo, backend)
    (repo / "functions/beta.yaml").unlink()
    plan = plan_of(repo, backend)
    assert plan.empty
    assert [str(i) for i in plan.not_pruned] == ["function/beta"]


def test_a_refused_confirmation_changes_nothing(repo: Path, backend: Backend) -> None:
    with pytest.raises(Cancelled, match="nothing was changed"):
        apply_repo(repo, backend, RecordingReview(answer=False))
    assert _count(backend) == (0, 0, 0)


def test_a_saved_plan_is_applied_exactly_or_refused_when_stale(repo: Path, backend: Backend) -> None:
    saved = plan_of(repo, backend)
    result = apply_repo(repo, backend, saved=saved)
    assert summary(result.plan) == summary(saved)
    _edit(repo / "functions/alpha.yaml", "return x * 2", "return x * 4")
    stale = plan_of(repo, backend)
    apply_repo(repo, backend)  # someone else applies first
    with pytest.raises(StalePlanError, match="the backend changed since the plan was made") as caught:
        apply_repo(repo, backend, saved=stale)
    assert caught.value.exit_code == 3
    _edit(repo / "functions/alpha.yaml", "return x * 4", "return x * 7")
    newer = plan_of(repo, backend)
    _edit(repo / "functions/alpha.yaml", "return x * 7", "return x * 8")
    with pytest.raises(StalePlanError, match="the repository changed since the plan was made"):
        apply_repo(repo, backend, saved=newer)


def test_a_lock_held_by_someone_else_stops_apply_before_it_reads(repo: Path, backend: Backend) -> None:
    backend.acquire_lock("demo", "ci-job-7", 300)
    review = RecordingReview()
    with pytest.raises(LockHeldError, match=r"locked by ci-job-7 on .* since .*lock release --force") as caught:
        apply_repo(repo, backend, review)
    assert caught.value.exit_code == 4
    assert review.shown == [] and _count(backend) == (0, 0, 0)


def test_an_expired_lock_is_taken_over_and_said(repo: Path, backend: Backend) -> None:
    backend.acquire_lock("demo", "a crashed apply", 0.01)
    time.sleep(0.05)  # the lock's holder is gone; its expiry passes
    result = apply_repo(repo, backend)
    assert result.ok
    assert any("took over the expired lock of a crashed apply" in note for note in result.notes)
    assert backend.lock_info("demo") is None


@pytest.mark.parametrize(("trigger", "fires_again"), [("on-change", False), ("always", True), ("manual", None)])
def test_trigger_policies(tmp_path: Path, trigger: str, fires_again: bool | None) -> None:
    repo = write_repo(tmp_path / "repo", {"f.yaml": documents(
        python_function("gamma"), declared_run("gamma-run", "gamma", trigger=trigger))})
    backend = open_backend("memory://")
    first = apply_repo(repo, backend)
    triggered = [o for o in first.outcomes if o.change.action is Action.TRIGGER]
    assert len(triggered) == (0 if fires_again is None else 1)
    second = plan_of(repo, backend)
    assert [str(c.reason) for c in second.changes] == (["always"] if fires_again else [])


def test_a_run_this_machine_cannot_execute_is_stored_and_said(tmp_path: Path) -> None:
    repo = write_repo(tmp_path / "repo", {"c.yaml": documents(
        "kind: container\nname: web\nspec: {image: 'nginx:1.27'}\n",
        declared_run("web-once", "web", kind="container+job:run"))})
    backend = open_backend("memory://")
    result = apply_repo(repo, backend)
    run = result.outcomes[-1]
    assert run.status is Status.DONE and run.details["state"] == "CREATED"
    assert "stored, not executed: the local executor does not run `container+job` runs yet" in run.message
    assert plan_of(repo, backend).empty  # stored counts as triggered: it is not created again


def test_the_declared_runs_can_be_left_out(repo: Path, backend: Backend) -> None:
    result = apply_repo(repo, backend, flags=Flags(exclude=("run/*",)))
    assert all(o.change.action is not Action.TRIGGER for o in result.outcomes)
    assert summary(plan_of(repo, backend)) == [("trigger", "run/alpha-run")]


def test_a_failing_run_fails_the_apply_and_names_its_log(tmp_path: Path) -> None:
    repo = write_repo(tmp_path / "repo", {"f.yaml": documents(
        python_function("broken", "def main():\n    raise ValueError('no data for 2026-12-01')\n"),
        declared_run("broken-run", "broken"))})
    backend = open_backend("memory://")
    result = apply_repo(repo, backend)
    run = result.outcomes[-1]
    assert not result.ok and run.status is Status.FAILED
    assert "ended ERROR: handler `main` raised ValueError: no data for 2026-12-01" in run.message
    assert f"dhsync logs {run.entity_id}" in run.message
    assert plan_of(repo, backend).empty  # not triggered again for the same version: `dhsync run` re-runs it


def test_a_run_with_other_parameters_does_not_make_apply_trigger_the_declared_one_again(repo: Path,
                                                                                        backend: Backend) -> None:
    from dhsync.sdk.declared import create_declared_run
    from dhsync.specs.loader import load_repository

    apply_repo(repo, backend)
    loaded = load_repository(repo, use_cache=False)
    assert loaded.state is not None and loaded.config is not None
    create_declared_run(backend, loaded.state, loaded.config, "alpha-run", {"x": 5})  # `dhsync run --param x=5`
    assert plan_of(repo, backend).empty  # as declared, it ran on this version already


def test_a_saved_plan_still_applies_after_a_run_moved_on(tmp_path: Path) -> None:
    repo = write_repo(tmp_path / "repo", {"c.yaml": documents(
        "kind: container\nname: web\nspec: {image: 'nginx:1.27'}\n",
        declared_run("web-once", "web", kind="container+job:run"))})
    backend = sqlite_backend(repo)
    apply_repo(repo, backend)  # the container run is stored CREATED: nothing executes it here
    _edit(repo / "c.yaml", "nginx:1.27", "nginx:1.28")
    saved = plan_of(repo, backend)
    (run,) = backend.read_state("demo").runs
    backend.update_run("demo", run["id"], {"kind": run["kind"], "status": {"state": "BUILT"}})
    result = apply_repo(repo, backend, saved=saved)  # progress of a run does not make the plan stale
    assert summary(result.plan) == summary(saved) and result.ok
    backend.close()


def test_removing_protect_lifts_the_protection_of_a_later_prune(repo: Path, backend: Backend) -> None:
    _edit(repo / "functions/beta.yaml", "kind: python\n", "kind: python\nprotect: true\n")
    apply_repo(repo, backend)
    _edit(repo / "functions/beta.yaml", 'description: "a function"', 'description: "v2"')
    _edit(repo / "functions/beta.yaml", "return x * 2", "return x * 9")
    apply_repo(repo, backend)  # a second, still protected, version
    _edit(repo / "functions/beta.yaml", "kind: python\nprotect: true\n", "kind: python\n")
    assert summary(apply_repo(repo, backend).plan) == [("update", "function/beta")]
    (repo / "functions/beta.yaml").unlink()
    plan = plan_of(repo, backend, Flags(prune=True))
    assert [(str(c.identity), c.blocked) for c in plan.changes] == [("function/beta", None)]


def test_a_version_whose_labels_were_edited_by_hand_gets_the_mark_back(repo: Path, backend: Backend) -> None:
    apply_repo(repo, backend)
    _edit(repo / "functions/beta.yaml", "return x * 2", "return x * 9")
    apply_repo(repo, backend)
    latest, _older = _versions(backend, "beta")  # the older version still carries the mark
    # the SDK's update_function replaces the labels, dropping dhsync's mark
    backend.update_function("demo", latest["id"], {"kind": "python", "metadata": {"labels": ["hand-edited"]}})
    assert summary(apply_repo(repo, backend).plan) == [("update", "function/beta")]
    assert MANAGED in _versions(backend, "beta")[0]["metadata"]["labels"]
    (repo / "functions/beta.yaml").unlink()
    assert [str(i) for i in plan_of(repo, backend).not_pruned] == ["function/beta"]  # still dhsync's to prune


def test_runs_an_interrupted_apply_left_follow_the_selection(repo: Path, backend: Backend) -> None:
    from dhsync.apply.journal import CREATE_RUN, Journal, journal_folder

    apply_repo(repo, backend, flags=Flags(exclude=("run/*",)))
    state = backend.read_state("demo")
    task_ = next(t for t in state.tasks if "/alpha:" in t["spec"]["function"])
    run = backend.create_run("demo", {"kind": "python+job:run", "metadata": {"labels": [
        MANAGED, "dhsync/run=alpha-run"]}, "spec": {"task": f"python+job://demo/{task_['id']}",
                                                   "function": task_["spec"]["function"], "local_execution": True,
                                                   "parameters": {"x": 1}, "values": ["answer"]}})
    journal = Journal(journal_folder(backend), "demo", "killed-apply")
    journal.begin(CREATE_RUN, "run/alpha-run", run["id"])  # as an apply killed right after creating it
    journal.end(CREATE_RUN, "run/alpha-run", run["id"])
    journal.close()
    left_out = apply_repo(repo, backend, flags=Flags(exclude=("run/*",)))
    assert left_out.plan.pending == () and backend.get_run("demo", run["id"])["status"]["state"] == "CREATED"
    resumed = apply_repo(repo, backend)
    assert [(str(c.identity), str(c.reason)) for c in resumed.plan.pending] == [
        ("run/alpha-run", "resumed-interrupted-apply")]
    assert backend.get_run("demo", run["id"])["status"]["state"] == "COMPLETED"
