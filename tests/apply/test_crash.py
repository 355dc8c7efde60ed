"""SIGKILL apply at many points, then `dhsync apply` as a real process: it converges, once.

The kill script (crash_apply.py) applies through a proxy that counts the backend writes and kills its
own process just before or just after the N-th one; the writes include the runtime's updates of a
triggered run (BUILT, READY, RUNNING, COMPLETED), so kills fall inside run executions too. For each
kill point: a fresh copy of the repository and its backend, the kill, the lock left behind expiring
(the kill script takes it with a short ttl), `python -m dhsync apply --auto-approve`, and the checks of
crash_repo.assert_converged. The sweep forks the kill script from this process (importing dhsync in a
fresh interpreter for each of ~40 kills would cost most of the time); the targeted tests below run it
as a script.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.apply.crash_repo import (
    PROJECT,
    SLEEPY,
    alive,
    assert_converged,
    assert_killed,
    census,
    dhsync,
    kill_apply,
    lock_expired,
    running_run,
    start_kill_script,
    stop_handlers,
    wait_for,
    write_repo,
)
from tests.apply.crash_sweep import (
    TTL,
    KillPoint,
    Scenario,
    assert_killed_status,
    chosen,
    first_apply,
    fork_kill,
    kill_points,
    new_version,
    pruned,
    sweep,
)


@pytest.fixture(scope="module")
def first(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    return first_apply(tmp_path_factory.mktemp("first"))


@pytest.fixture(scope="module")
def second(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    return new_version(tmp_path_factory.mktemp("second"))


@pytest.fixture(scope="module")
def prune(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    return pruned(tmp_path_factory.mktemp("prune"))


def test_the_kill_script_counts_every_write_of_an_apply(first: Scenario, second: Scenario, prune: Scenario) -> None:
    def runs(name: str) -> tuple[str, ...]:
        return (f"create_run {name}", "update_run BUILT", "update_run READY", "update_run RUNNING",
                "update_run COMPLETED")

    # functions and tasks commit in chunks (the first apply's of three writes at most), runs one write at a time
    assert first.calls == ("create_project crash", "create_function alpha", "create_function beta",
                           "create_task python+job", "commit", "create_task python+job", "commit",
                           *runs("alpha-run"), *runs("beta-always"))
    assert second.calls == ("create_function alpha", "create_task python+job", "commit", *runs("alpha-run"),
                            *runs("beta-always"))
    assert prune.calls == ("delete_function", "delete_function", "commit")


def test_sigkill_at_every_write_of_a_first_apply_then_apply_converges(first: Scenario, tmp_path: Path) -> None:
    # before and after every write and commit: inside each chunk (nothing of it committed), between its journal
    # lines and its commit, after its commit. The first `always` run has reason never-run-before, which a
    # resumed apply does fire
    sweep(first, tmp_path, kill_points(first.calls))


# What the first apply's sweep did not cover: the new version and its task, runs on the new version,
# and an `always` run that fired before (reason `always`, which a resumed apply must not repeat).
NEW_VERSION_POINTS = (
    "before create_function alpha", "after create_function alpha", "before create_task python+job",
    "after create_task python+job", "before commit", "after commit", "before create_run alpha-run",
    "after create_run alpha-run", "before alpha-run BUILT", "after alpha-run RUNNING",
    "after create_run beta-always", "before beta-always BUILT", "after beta-always BUILT",
    "after beta-always RUNNING", "after beta-always COMPLETED",
)


def test_sigkill_in_a_new_version_apply_then_apply_converges(second: Scenario, tmp_path: Path) -> None:
    sweep(second, tmp_path, chosen(second, NEW_VERSION_POINTS))


def test_sigkill_at_every_delete_of_a_prune_then_apply_converges(prune: Scenario, tmp_path: Path) -> None:
    sweep(prune, tmp_path, kill_points(prune.calls))


def test_an_always_run_killed_just_before_its_create_fires_on_the_next_apply(second: Scenario,
                                                                              tmp_path: Path) -> None:
    # Just before the create of `beta-always`'s run: the journal records the trigger as begun, but the run
    # never reached the backend, so it has not fired in this logical apply yet (planning.resumed_triggers).
    sweep(second, tmp_path, chosen(second, ["before create_run beta-always"]))


@pytest.fixture
def sleepy(tmp_path: Path) -> Iterator[Path]:
    root = write_repo(tmp_path / "repo", alpha=SLEEPY, parameters="{seconds: 60}")
    yield root
    stop_handlers(root)  # a handler left by a failing test must not outlive it


def test_sigkill_while_a_run_executes_then_apply_ends_it_reports_it_and_does_not_run_it_again(sleepy: Path) -> None:
    killer = start_kill_script(sleepy, "0", "count", TTL)
    run = wait_for("alpha-run to be RUNNING", lambda: running_run(sleepy, "alpha-run"))
    killer.kill()
    killer.communicate()
    assert killer.returncode == -signal.SIGKILL
    handler = int(run["status"]["executor"]["pid"])
    assert alive(handler), "the handler goes on after its supervisor is killed (until the next apply ends it)"
    wait_for("the lock to expire", lambda: lock_expired(sleepy))
    applied = dhsync(sleepy, "apply", "--auto-approve")
    assert applied.returncode == 0, applied.stderr
    assert (f"note: run {run['id']} of `alpha-run` was being executed by an apply that was interrupted; it is "
            "ERROR now") in applied.stderr
    assert not alive(handler)
    found = census(sleepy)
    assert found["runs"] == {"alpha-run": 1, "beta-always": 1}, found
    assert found["states"] == {"ERROR": 1, "COMPLETED": 1}, found
    assert not found["locked"]
    again = dhsync(sleepy, "plan", "--detailed-exitcode", "--exclude", "run/beta-always")
    assert again.returncode == 0, again.stdout


def test_the_kill_script_as_a_process_dies_by_sigkill_and_a_real_apply_takes_over_and_finishes(
        tmp_path: Path) -> None:
    root = write_repo(tmp_path / "repo")
    killed = kill_apply(root, "7", "after", TTL)  # the run of alpha-run created, not executed
    assert_killed(killed)
    assert (root / ".dhsync" / "journal" / f"{PROJECT}.jsonl").exists()
    wait_for("the lock to expire", lambda: lock_expired(root))
    applied = dhsync(root, "apply", "--auto-approve")
    assert applied.returncode == 0, applied.stderr
    assert "note: took over the expired lock of" in applied.stderr
    assert "run/alpha-run" in applied.stdout and "not executed yet" in applied.stdout
    assert_converged(root, versions={"alpha": 1, "beta": 1}, always_runs=1)


def test_a_journal_line_torn_by_an_os_crash_does_not_swallow_the_next_apply_s_first_line(tmp_path: Path) -> None:
    root = write_repo(tmp_path / "repo")
    journal = root / ".dhsync" / "journal" / f"{PROJECT}.jsonl"
    assert_killed_status(fork_kill(root, KillPoint(7, "before", "create_run alpha-run")))
    torn = b'{"event": "begin", "apply": "0a1b", "ca'
    with journal.open("ab") as handle:  # what an OS crash in the middle of a write can leave
        handle.write(torn)
    wait_for("the lock to expire", lambda: lock_expired(root))
    # the next apply's first write is the create of alpha-run's run; it dies before executing it
    assert_killed_status(fork_kill(root, KillPoint(1, "after", "create_run alpha-run")))
    *_, before, last, end = journal.read_bytes().split(b"\n")
    wait_for("the lock to expire", lambda: lock_expired(root))
    applied = dhsync(root, "apply", "--auto-approve")
    assert applied.returncode == 0, applied.stderr
    assert "run/alpha-run" in applied.stdout and "not executed yet" in applied.stdout
    found = assert_converged(root, versions={"alpha": 1, "beta": 1}, always_runs=1)
    assert found["states"] == {"COMPLETED": 2}, "alpha-run's run was executed, not left CREATED for good"
    assert (before, last.startswith(b'{"event":"begin"'), end) == (torn, True, b""), "the torn line was ended first"
