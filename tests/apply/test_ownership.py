"""Ownership: apply never takes over what dhsync did not make without being told, and a declared run that
failed is reported as degraded, not as in sync."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dhsync.apply import Flags, Status
from dhsync.backends.base import Backend
from dhsync.diff.marks import MANAGED
from dhsync.model.errors import ProtectedError
from dhsync.model.plan import Action, Blocked
from tests.apply.helpers import apply_repo, plan_of, sqlite_backend, summary
from tests.specrepo import declared_run, documents, python_function, task, write_repo

HAND_SPEC = {"python_version": "PYTHON3_11", "source": {"code": "def f(x):\n    return x\n", "handler": "f"}}


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return write_repo(tmp_path / "repo", {
        "functions/beta.yaml": documents(python_function("beta"), task("beta")),
    })


@pytest.fixture
def backend(repo: Path) -> Iterator[Backend]:
    opened = sqlite_backend(repo)
    opened.create_project({"kind": "project", "name": "demo"})
    yield opened
    opened.close()


def _versions(backend: Backend, name: str) -> list[dict[str, Any]]:
    return list(backend.list_functions("demo", name=name, versions="all", size=100).items)


def _made_with_the_sdk(backend: Backend, name: str, versions: int = 1) -> None:
    for n in range(versions):
        backend.create_function("demo", {"kind": "python", "name": name, "metadata": {"labels": ["theirs"]},
                                         "spec": {**HAND_SPEC, "requirements": [f"pkg=={n}"]}})


def test_a_declared_name_made_outside_dhsync_is_planned_as_adopt_and_apply_refuses_it(repo: Path,
                                                                                   backend: Backend) -> None:
    _made_with_the_sdk(backend, "beta")
    plan = plan_of(repo, backend)
    (adopt,) = [c for c in plan.changes if c.identity.name == "beta" and c.action is Action.ADOPT]
    assert adopt.blocked is Blocked.NOT_MANAGED and adopt.builds_version  # its spec differs from the declaration
    with pytest.raises(ProtectedError, match=r"function `beta` exists in the backend but was not made by dhsync.*"
                                             r"--adopt.*dhsync import beta") as refused:
        apply_repo(repo, backend)
    assert refused.value.exit_code == 5
    assert [MANAGED in (v["metadata"].get("labels") or []) for v in _versions(backend, "beta")] == [False]


def test_with_adopt_every_version_is_marked_and_a_later_removal_is_dhsyncs_to_prune(repo: Path,
                                                                                  backend: Backend) -> None:
    _made_with_the_sdk(backend, "beta", versions=2)
    result = apply_repo(repo, backend, flags=Flags(adopt=True))
    assert result.ok
    assert summary(result.plan) == [("adopt", "function/beta"), ("create", "task/beta/python+job")]
    adopted = next(o for o in result.outcomes if o.change.action is Action.ADOPT)
    assert adopted.status is Status.DONE and adopted.message.startswith("adopted: new version")
    versions = _versions(backend, "beta")
    assert len(versions) == 3 and all(MANAGED in v["metadata"]["labels"] for v in versions)
    assert "theirs" in versions[-1]["metadata"]["labels"]  # the older versions keep their own labels
    assert plan_of(repo, backend).empty
    (repo / "functions/beta.yaml").unlink()
    assert [str(i) for i in plan_of(repo, backend).not_pruned] == ["function/beta"]


def test_adopting_a_function_whose_spec_matches_marks_it_in_place(repo: Path, backend: Backend) -> None:
    apply_repo(repo, backend)
    (stored,) = _versions(backend, "beta")
    # as if someone had made it by hand: the same content, without dhsync's mark
    backend.update_function("demo", stored["id"], {"kind": "python", "metadata": {"labels": []}})
    plan = plan_of(repo, backend, Flags(adopt=True))
    (adopt,) = plan.changes
    assert adopt.action is Action.ADOPT and not adopt.builds_version and adopt.blocked is None
    result = apply_repo(repo, backend, flags=Flags(adopt=True))
    assert result.ok and [v["id"] for v in _versions(backend, "beta")] == [stored["id"]]  # no new version
    assert MANAGED in _versions(backend, "beta")[0]["metadata"]["labels"]


def test_policies_adopt_in_dhsync_yaml_allows_it_too(repo: Path, backend: Backend) -> None:
    _made_with_the_sdk(backend, "beta")
    config = repo / "dhsync.yaml"
    config.write_text(config.read_text() + "policies: {adopt: true}\n")
    assert apply_repo(repo, backend).ok
    assert all(MANAGED in v["metadata"]["labels"] for v in _versions(backend, "beta"))


@pytest.fixture
def failing_repo(tmp_path: Path) -> Path:
    failing = python_function("boom", code="def main(x):\n    raise ValueError('no good: ' + str(x))\n")
    return write_repo(tmp_path / "failing", {
        "functions/boom.yaml": documents(failing, task("boom"),
                                         declared_run("boom-daily", "boom", spec="parameters: {x: 1}")),
    })


def test_a_declared_run_that_failed_is_degraded_not_in_sync(failing_repo: Path) -> None:
    backend = sqlite_backend(failing_repo)
    try:
        first = apply_repo(failing_repo, backend)
        assert not first.ok
        plan = plan_of(failing_repo, backend)
        assert plan.changes == ()  # nothing to apply: not triggered again for the same version
        (degraded,) = plan.degraded
        assert (degraded.name, degraded.state) == ("boom-daily", "ERROR")
        assert "no good: 1" in degraded.message
        again = apply_repo(failing_repo, backend)
        assert again.plan.degraded == plan.degraded and again.outcomes == ()
    finally:
        backend.close()


def test_policies_retry_failed_runs_triggers_it_again(failing_repo: Path) -> None:
    backend = sqlite_backend(failing_repo)
    try:
        apply_repo(failing_repo, backend)
        config = failing_repo / "dhsync.yaml"
        config.write_text(config.read_text() + "policies: {retry_failed_runs: true}\n")
        plan = plan_of(failing_repo, backend)
        assert [(str(c.action), str(c.reason)) for c in plan.changes] == [("trigger", "retry-failed-run")]
        assert plan.degraded == ()
    finally:
        backend.close()


class _CreateFails:
    """The backend, except that making a function version fails (as an apply killed right then would)."""

    def __init__(self, backend: Backend) -> None:
        self._backend = backend

    def create_function(self, project: str, function: Any) -> Any:
        from dhsync.model.errors import BackendError

        raise BackendError("the backend went away")

    def __getattr__(self, name: str) -> Any:
        return getattr(self._backend, name)


def test_an_adopt_cut_short_leaves_every_stored_version_marked(repo: Path, backend: Backend) -> None:
    _made_with_the_sdk(backend, "beta", versions=2)
    result = apply_repo(repo, _CreateFails(backend), flags=Flags(adopt=True))  # type: ignore[arg-type]
    assert not result.ok
    # the next plan takes the function for dhsync's: every version it holds must already say so, or a later
    # prune would leave the unmarked ones behind
    assert all(MANAGED in v["metadata"]["labels"] for v in _versions(backend, "beta"))
    assert [str(c.action) for c in plan_of(repo, backend).changes][:1] == ["new-version"]


def test_dhsync_import_writes_its_marks_in_the_journal(repo: Path, backend: Backend) -> None:
    from dhsync.apply.adopt import import_functions
    from dhsync.apply.journal import journal_folder
    from tests.apply.helpers import request_for

    _made_with_the_sdk(backend, "beta")
    done = import_functions(backend, request_for(repo).desired, ["beta"])
    assert [(i.name, len(i.marked), i.versions) for i in done] == [("beta", 1, 1)]
    lines = (journal_folder(backend) / "demo.jsonl").read_text().splitlines()
    assert [line.count('"update-function"') for line in lines] == [1, 1]  # begin and end
