"""`dhsync runs`, `dhsync logs` and `dhsync stop` as a user types them."""

from __future__ import annotations

import json
import os
import re
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dhsync.apply.bodies import new_id
from tests.cli.stored import (
    PROJECT,
    WAIT_SECONDS,
    await_run,
    open_state,
    runs_of,
)
from tests.conftest import RunCli, run_process


@pytest.fixture
def ran(repo: Path, run_cli: RunCli) -> Path:
    """The repository after three runs: count-words, then explode-daily (ERROR), then add ad hoc."""
    assert run_cli("run", "count-words", cwd=repo).exit_code == 0
    assert run_cli("run", "explode-daily", cwd=repo).exit_code == 1
    assert run_cli("run", "--function", "add", "--param", "a=1", cwd=repo).exit_code == 0
    return repo


ROW = r"(?P<id>[0-9a-f]{8})  (?P<rest>.*)"


def test_runs_lists_newest_first_with_state_duration_and_results(ran: Path, run_cli: RunCli) -> None:
    result = run_cli("runs", cwd=ran)
    assert result.exit_code == 0
    header, *rows = result.stdout.splitlines()
    assert header.split() == ["RUN", "NAME", "FUNCTION", "STATE", "STARTED", "DURATION", "RESULTS"]
    ids = [run["id"][:8] for run in runs_of(ran)]
    assert [row[:8] for row in rows] == ids
    cells = [re.split(r"\s{2,}", row) for row in rows]
    assert [c[1:4] for c in cells] == [["-", "add (job)", "COMPLETED"], ["explode-daily", "explode (job)", "ERROR"],
                                       ["count-words", "count (job)", "COMPLETED"]]
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", c[4]) and c[5].endswith(" s") for c in cells)
    assert [c[6] for c in cells] == ["output_0=3", "handler `explode` raised ValueError: no rows for today",
                                     'words=6, longest="seven", outputs: report']


def test_runs_filters_by_function_and_state_and_limits(ran: Path, run_cli: RunCli) -> None:
    assert [line[10:23] for line in run_cli("runs", "--function", "count", cwd=ran).stdout.splitlines()[1:]] == [
        "count-words  "]
    errors = run_cli("runs", "--state", "error", cwd=ran).stdout.splitlines()
    assert len(errors) == 2 and "explode-daily" in errors[1]
    limited = run_cli("runs", "--limit", "1", cwd=ran)
    assert len(limited.stdout.splitlines()) == 2
    assert limited.stderr == "(the newest 1; --limit shows more)\n"
    none = run_cli("runs", "--state", "RUNNING", cwd=ran)
    assert (none.exit_code, none.stdout) == (0, "")
    assert none.stderr.startswith("No runs in project `shop` (sqlite:///.dhsync/state.db) match.")
    unknown = run_cli("runs", "--function", "nope", cwd=ran)
    assert unknown.exit_code == 1 and "function `nope` not found in project `shop`" in unknown.stderr


def test_runs_as_json_for_scripts(ran: Path, run_cli: RunCli) -> None:
    listed = json.loads(run_cli("runs", "--format", "json", cwd=ran).stdout)
    assert [r["name"] for r in listed] == [None, "explode-daily", "count-words"]
    count = listed[2]
    assert count["results"] == {"words": 6, "longest": "seven"}
    assert count["outputs"] == {"report": f"store://{PROJECT}/artifact/artifact/report:{count['id']}"}
    assert count["state"] == "COMPLETED" and count["function"] == "count" and count["duration"] > 0
    assert listed[1]["message"] == "handler `explode` raised ValueError: no rows for today"


def test_logs_by_id_prefix_or_declared_name(ran: Path, run_cli: RunCli) -> None:
    count = runs_of(ran)[-1]  # the oldest: count-words
    by_id = run_cli("logs", count["id"], cwd=ran)
    assert by_id.exit_code == 0
    assert by_id.stdout.endswith("hello: 6 words\n")
    assert by_id.stdout.startswith("[dhsync] handler `count` from src/count.py, python ")
    assert run_cli("logs", count["id"][:6], cwd=ran).stdout == by_id.stdout
    assert run_cli("logs", "count-words", cwd=ran).stdout == by_id.stdout
    failed = run_cli("logs", "explode-daily", cwd=ran).stdout
    assert "about to fail" in failed and "ValueError: no rows for today" in failed


def test_logs_of_a_run_that_does_not_exist_says_how_to_find_one(repo: Path, run_cli: RunCli) -> None:
    result = run_cli("logs", "count-letters", cwd=repo)
    assert result.exit_code == 1
    assert result.stderr == ("error: run `count-letters` not found in project `shop`; give a run id, an id prefix "
                             "of at least 6 characters, or the name of a declared run that has run; `dhsync runs` "
                             "lists them\n")


def test_an_ambiguous_id_prefix_asks_for_more(repo: Path, run_cli: RunCli) -> None:
    backend = open_state(repo)
    task = backend.list_tasks(PROJECT).items[0]
    for tail in ("1", "2"):
        backend.create_run(PROJECT, {"kind": f"{task['kind']}:run", "id": "abcdef" + tail + new_id()[7:],
                                     "spec": {"task": f"{task['kind']}://{PROJECT}/{task['id']}"}})
    backend.close()
    result = run_cli("logs", "abcdef", cwd=repo)
    assert result.exit_code == 1
    assert re.fullmatch(r"error: `abcdef` is the beginning of 2 run ids \(abcdef\w{6}…, abcdef\w{6}…\); give more "
                        r"of the id\n", result.stderr)
    unstarted = run_cli("logs", "abcdef1", cwd=repo)
    assert unstarted.exit_code == 1
    assert unstarted.stderr.startswith("error: run `abcdef1") and "has no logs: it has not started" in unstarted.stderr


def test_stop_a_run_going_on_in_the_background(repo: Path, run_cli: RunCli) -> None:
    assert run_cli("run", "run-forever", "--no-wait", cwd=repo).exit_code == 0
    log = repo / ".dhsync" / "logs" / f"{runs_of(repo)[0]['id']}.log"
    await_run(repo, lambda runs: runs[0]["status"]["state"] == "RUNNING" and "started" in log.read_text(),
              "the handler to start")
    stopped = run_cli("stop", "run-forever", cwd=repo)
    assert stopped.exit_code == 0, stopped.output
    assert re.fullmatch(r"Run \w+ \(run-forever\) STOPPED after \d+\.\d s\n", stopped.stdout)
    assert runs_of(repo)[0]["status"]["state"] == "STOPPED"
    again = run_cli("stop", "run-forever", cwd=repo)
    assert (again.exit_code, again.stderr) == (0, "It had ended already (STOPPED); nothing was stopped.\n")


def test_stop_of_a_run_that_never_started_exits_1(repo: Path, run_cli: RunCli) -> None:
    from dhsync.backends import open_backend
    from dhsync.sdk.declared import create_declared_run
    from dhsync.specs.loader import load_repository

    loaded = load_repository(repo, use_cache=False)
    assert loaded.state is not None and loaded.config is not None
    backend = open_backend("sqlite:///.dhsync/state.db", repo)
    create_declared_run(backend, loaded.state, loaded.config, "web-once")  # stored CREATED, as apply would
    backend.close()
    result = run_cli("stop", "web-once", cwd=repo)
    assert result.exit_code == 1
    assert "is CREATED and not executing (nothing executes it); there is nothing to stop" in result.stderr


def test_runs_and_logs_as_real_processes(ran: Path) -> None:
    listed = run_process("runs", str(ran))
    assert listed.returncode == 0 and "explode-daily" in listed.stdout
    logs = run_process("logs", "count-words", str(ran))
    assert logs.returncode == 0 and logs.stdout.endswith("hello: 6 words\n")
    missing = run_process("logs", "nope", str(ran))
    assert missing.returncode == 1 and "Traceback" not in missing.stderr


def _read_until(process: subprocess.Popen[bytes], wanted: str) -> str:
    """What the process printed on stdout until `wanted` appeared (fails after WAIT_SECONDS)."""
    assert process.stdout is not None
    fd, seen = process.stdout.fileno(), b""
    deadline = time.monotonic() + WAIT_SECONDS
    while wanted.encode() not in seen:
        ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
        chunk = os.read(fd, 65536) if ready else b""
        if not chunk:
            process.kill()
            pytest.fail(f"never printed {wanted!r}; printed {seen!r}")
        seen += chunk
    return seen.decode()


def test_ctrl_c_while_following_leaves_the_run_going(repo: Path, run_cli: RunCli) -> None:
    assert run_cli("run", "run-forever", "--no-wait", cwd=repo).exit_code == 0
    follower = subprocess.Popen([sys.executable, "-m", "dhsync", "logs", "run-forever", "--follow"], cwd=repo,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, "NO_COLOR": "1"})
    assert "started\n" in _read_until(follower, "started")
    follower.send_signal(signal.SIGINT)
    _out, err = follower.communicate(timeout=WAIT_SECONDS)
    assert follower.returncode == 130
    run = runs_of(repo)[0]
    assert err.decode().endswith(f"stopped following; the run goes on (`dhsync stop {run['id'][:12]}` stops it)\n")
    assert run["status"]["state"] == "RUNNING"
    assert run_cli("stop", run["id"][:12], cwd=repo).exit_code == 0
