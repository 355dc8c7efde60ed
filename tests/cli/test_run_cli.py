"""`dhsync run` as a user types it: declared runs, ad-hoc runs, parameters, and every way a run can end."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from dhsync.model.plan import Action
from dhsync.plan import make_plan
from dhsync.specs.loader import load_repository
from tests.cli.stored import (
    PROJECT,
    WAIT_SECONDS,
    await_run,
    open_state,
    runs_of,
    store_functions,
    write_repo,
)
from tests.conftest import RunCli, run_process


def _triggers(root: Path) -> dict[str, str]:
    """The declared runs `dhsync apply` would trigger now, with the reason."""
    loaded = load_repository(root, use_cache=False)
    assert loaded.state is not None
    backend = open_state(root)
    try:
        plan = make_plan(loaded.state, backend.read_state(PROJECT))
    finally:
        backend.close()
    return {c.identity.name: str(c.reason) for c in plan.changes if c.action is Action.TRIGGER}


def test_a_declared_run_completes_with_its_results_and_output_file(repo: Path, run_cli: RunCli) -> None:
    result = run_cli("run", "count-words", cwd=repo)
    assert result.exit_code == 0, result.output
    run = runs_of(repo)[0]
    id_ = run["id"]
    lines = result.stdout.splitlines()
    assert re.fullmatch(rf"Run {id_} \(count-words\) COMPLETED in \d+\.\d s", lines[0])
    assert lines[1:] == ["Results:", "  words: 6", "  longest: \"seven\"", "Outputs:",
                         f"  report: store://{PROJECT}/artifact/artifact/report:{id_}",
                         f"    file: .dhsync/artifacts/{id_}/report/report.txt", f"Logs: dhsync logs {id_[:12]}"]
    assert result.stderr == f"Running count-words as run {id_} (Ctrl-C stops it)\n"
    assert (repo / ".dhsync" / "artifacts" / id_ / "report" / "report.txt").read_text().startswith("a\nof\n")
    assert "count-words" not in _triggers(repo)  # apply will not run the declaration again for this version


def test_params_override_the_declared_ones_as_yaml_values(repo: Path, run_cli: RunCli) -> None:
    result = run_cli("run", "count-words", str(repo), "--param", "minimum=5", "--param", "greeting=hi: all")
    assert result.exit_code == 0, result.output
    run = runs_of(repo)[0]
    assert run["spec"]["parameters"] == {"minimum": 5, "greeting": "hi: all"}
    assert run["status"]["results"] == {"words": 2, "longest": "seven"}
    assert "hi: all: 2 words" in run_cli("logs", "count-words", str(repo)).stdout
    # what ran is not the declaration as written, so apply still runs that one
    assert _triggers(repo)["count-words"] == "declaration-changed"


def test_a_handler_that_raises_exits_1_with_the_cause_and_the_end_of_its_log(repo: Path, run_cli: RunCli) -> None:
    result = run_cli("run", "explode-daily", cwd=repo)
    assert result.exit_code == 1
    assert re.match(r"Run \w+ \(explode-daily\) ERROR after \d+\.\d s$", result.stdout.splitlines()[0])
    assert "  about to fail" in result.stderr and "ValueError: no rows for today" in result.stderr
    assert result.stderr.rstrip().endswith("error: handler `explode` raised ValueError: no rows for today")
    assert runs_of(repo)[0]["status"]["state"] == "ERROR"


def test_a_run_that_takes_too_long_is_stopped_at_the_timeout(repo: Path, run_cli: RunCli) -> None:
    result = run_cli("run", "run-forever", "--timeout", "1.5", cwd=repo)
    assert result.exit_code == 1
    assert "error: the run did not finish within 1.5 s (timeout); its process was stopped" in result.stderr
    assert "  started" in result.stderr  # the end of its log


def test_a_function_that_differs_from_the_backend_is_refused_before_any_run(repo: Path, run_cli: RunCli) -> None:
    (repo / "src" / "count.py").write_text((repo / "src" / "count.py").read_text() + "\n# edited\n")
    result = run_cli("run", "count-words", cwd=repo)
    assert result.exit_code == 1
    assert result.stderr == ("error: function `count` in the repository differs from the backend (2 changes); run "
                             "`dhsync apply` first (`dhsync plan --select count` shows them)\n")
    assert runs_of(repo) == []


def test_a_function_not_in_the_backend_is_refused(tmp_path: Path, run_cli: RunCli) -> None:
    root = write_repo(tmp_path / "shop")
    store_functions(root, only=("add",))
    result = run_cli("run", "count-words", cwd=root)
    assert result.exit_code == 1
    assert result.stderr == "error: function `count` is not in the backend yet; run `dhsync apply` first\n"


def test_an_unknown_declared_run_names_the_declared_ones(repo: Path, run_cli: RunCli) -> None:
    result = run_cli("run", "count-letters", cwd=repo)
    assert result.exit_code == 1
    assert result.stderr == ("error: the repository declares no run `count-letters` (declared runs: count-words, "
                             "explode-daily, run-forever, web-once); for a run of a stored function use `dhsync run "
                             "--function NAME --action ACTION`\n")


def test_a_repository_that_does_not_validate_is_refused_with_located_problems(repo: Path, run_cli: RunCli) -> None:
    (repo / "functions" / "bad.yaml").write_text("kind: python\nname: bad\nspec:\n  sorce: {}\n")
    result = run_cli("run", "count-words", cwd=repo)
    assert result.exit_code == 1
    assert "functions/bad.yaml:4:3: error: unknown field `sorce`" in result.stderr
    assert "error: the repository at `.` does not validate (3 error(s) above)" in result.stderr
    assert runs_of(repo) == []


def test_a_container_run_is_refused_before_anything_is_stored(repo: Path, run_cli: RunCli) -> None:
    result = run_cli("run", "web-once", cwd=repo)
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr == ("error: run `web-once` cannot execute on this machine: the local executor does not run "
                             "`container+job` runs yet; they come with the kubernetes executor (and run on DHCore "
                             "when the backend is dhcore). Nothing was stored\n")
    assert runs_of(repo) == []


def test_an_adhoc_run_of_a_stored_function(repo: Path, run_cli: RunCli) -> None:
    result = run_cli("run", "--function", "add", "--param", "a=40", str(repo))
    assert result.exit_code == 0, result.output
    assert re.match(r"Run \w+ \(function add, action job\) COMPLETED in", result.stdout)
    assert "Results:\n  output_0: 42\n" in result.stdout
    unknown = run_cli("run", "--function", "subtract", cwd=repo)
    assert unknown.exit_code == 1
    assert unknown.stderr.startswith("error: function `subtract` not found in project `shop`; `dhsync apply` stores")


@pytest.mark.parametrize(("args", "message"), [
    (["run"], "give the name of a declared run, and optionally the repository PATH"),
    (["run", "a", "b", "c"], "give the name of a declared run, and optionally the repository PATH"),
    (["run", "count-words", "--action", "job"], "--action goes with --function"),
    (["run", "--function", "add", "x", "y"], "with --function, give at most the repository PATH (got x y)"),
    (["run", "count-words", "--param", "minimum"], "--param `minimum` is not NAME=VALUE (e.g. --param horizon=7)"),
    (["run", "count-words", "--param", "a=1", "--param", "a=2"], "--param `a` is given twice"),
    (["run", "count-words", "--backend", "memory://", "--no-wait"], "--no-wait needs a backend another process"),
])
def test_usage_mistakes_exit_1_with_the_way_out(repo: Path, run_cli: RunCli, args: list[str], message: str) -> None:
    result = run_cli(*args, cwd=repo)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: {message}")
    assert runs_of(repo) == []


def test_no_wait_returns_at_once_and_the_run_completes_in_the_background(repo: Path, run_cli: RunCli) -> None:
    result = run_cli("run", "count-words", "--no-wait", cwd=repo)
    assert result.exit_code == 0, result.output
    id_ = runs_of(repo)[0]["id"]
    assert f"`dhsync logs {id_[:12]} --follow` shows its output" in result.stdout
    followed = run_cli("logs", id_[:12], "--follow", cwd=repo)  # returns when the run has ended
    assert followed.exit_code == 0
    assert "hello: 6 words\n" in followed.stdout
    assert runs_of(repo)[0]["status"]["state"] == "COMPLETED"


def test_ctrl_c_stops_the_run_and_exits_130_as_a_real_process(repo: Path) -> None:
    process = subprocess.Popen([sys.executable, "-m", "dhsync", "run", "run-forever"], cwd=repo, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, "NO_COLOR": "1"})
    await_run(repo, lambda runs: bool(runs) and runs[0]["status"]["state"] == "RUNNING", "a RUNNING run")
    log = repo / ".dhsync" / "logs" / f"{runs_of(repo)[0]['id']}.log"
    await_run(repo, lambda _: log.is_file() and "started" in log.read_text(), "the handler to start")
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=WAIT_SECONDS)
    assert process.returncode == 130, err
    assert re.match(r"Run \w+ \(run-forever\) STOPPED after \d+\.\d s$", out.splitlines()[0])
    assert err.endswith("interrupted: the run was stopped\n") and "Traceback" not in err
    stopped = runs_of(repo)[0]["status"]
    assert (stopped["state"], stopped["message"]) == (
        "STOPPED", "interrupted (SIGINT) while waiting; the handler's process was stopped")


def test_the_examples_declared_runs_compute_a_result_and_a_file(examples: Path, run_cli: RunCli) -> None:
    store_functions(examples)
    prepare = run_cli("run", "prepare-sales-daily", cwd=examples)
    assert prepare.exit_code == 0, prepare.output
    assert "  rows_kept: 4\n  rows_dropped: 3\n" in prepare.stdout
    clean = Path(re.search(r"file: (\S+clean_sales\.csv)", prepare.stdout)[1])  # type: ignore[index]
    assert clean.read_text().splitlines()[0] == "date,region,amount,currency"
    train = run_process("run", "train-forecast-nightly", cwd=examples)  # as a real process, too
    assert train.returncode == 0, train.stderr
    assert "  slope: 6.7917\n  intercept: 120.2917\n" in train.stdout
    model = Path(examples / re.search(r"file: (\S+model\.json)", train.stdout)[1])  # type: ignore[index]
    assert '"forecast": [' in model.read_text()


_TAKE_LOCK = """
import os, signal, sys, time
from dhsync.backends import open_backend
backend = open_backend(sys.argv[1])
held = backend.acquire_lock(sys.argv[2], "nightly apply", 600)
print("held", flush=True)
if sys.argv[3] == "kill":
    os.kill(os.getpid(), signal.SIGKILL)
time.sleep(float(sys.argv[3]))
"""


def _lock_holder(repo: Path, how: str) -> subprocess.Popen[str]:
    url = f"sqlite:///{repo / '.dhsync' / 'state.db'}"
    process = subprocess.Popen([sys.executable, "-c", _TAKE_LOCK, url, PROJECT, how], text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout is not None and process.stdout.readline() == "held\n", process.stderr
    return process


def test_a_run_takes_over_the_lock_of_a_killed_apply_with_a_note(repo: Path, run_cli: RunCli) -> None:
    killed = _lock_holder(repo, "kill")
    assert killed.wait(timeout=30) == -signal.SIGKILL
    result = run_cli("run", "count-words", cwd=repo)
    assert result.exit_code == 0, result.output
    assert f"(pid {killed.pid}), which ended without releasing it (that process no longer runs on this host)" \
        in result.stderr
    assert "note: took over the lock of nightly apply on" in result.stderr


def test_a_run_waits_for_a_live_apply_only_as_long_as_lock_timeout_says(repo: Path, run_cli: RunCli) -> None:
    holding = _lock_holder(repo, "60")
    try:
        result = run_cli("run", "count-words", "--lock-timeout", "0.5s", cwd=repo)
    finally:
        holding.kill()
        holding.wait()
    assert result.exit_code == 4
    assert "is locked by nightly apply on" in result.stderr and "(waited 0.5 s for it)" in result.stderr
    assert runs_of(repo) == [], "nothing stored"
