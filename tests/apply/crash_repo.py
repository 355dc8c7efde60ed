"""Shared by the crash and signal tests: a small spec repository, dhsync as a real process, and the
checks that say a backend converged (no duplicates, no orphans, lock free, database intact)."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, TypeVar

import orjson
from click.testing import CliRunner

from dhsync.backends import open_backend
from dhsync.backends.base import Backend
from dhsync.cli.main import cli
from dhsync.diff.marks import trigger_record
from dhsync.model.refs import parse_function_ref, parse_task_ref

PROJECT = "crash"
URL = "sqlite:///.dhsync/state.db"
HERE = Path(__file__).resolve().parent
KILL_SCRIPT = HERE / "crash_apply.py"
CHECKOUT = HERE.parent.parent
FAST = "def main(x=1):\n    return x * 2\n"
SLEEPY = "import time\n\ndef main(seconds=60):\n    time.sleep(seconds)\n    return seconds\n"
T = TypeVar("T")


def _function(name: str, code: str) -> str:
    body = "".join(f"      {line}\n" for line in code.splitlines())
    return (f"kind: python\nname: {name}\nmetadata: {{description: function {name}}}\nspec:\n"
            f"  python_version: PYTHON3_11\n  source:\n    handler: main\n    code: |\n{body}")


def _task(function: str) -> str:
    return f"kind: python+job\nspec:\n  function: {function}\n"


def _run(name: str, function: str, trigger: str, parameters: str) -> str:
    return (f"kind: python+job:run\nname: {name}\ntrigger: {trigger}\nspec:\n  function: {function}\n"
            f"  local_execution: true\n  parameters: {parameters}\n")


def write_repo(root: Path, *, alpha: str = FAST, beta: str | None = FAST, parameters: str = "{x: 21}",
               prune: bool = False) -> Path:
    """Two python functions with inline code, a task each; `alpha-run` (with `parameters`) fires on
    change, `beta-always` on every apply. `beta=None` leaves beta out of the repository."""
    (root / "functions").mkdir(parents=True, exist_ok=True)
    policies = "policies: {prune: true}\n" if prune else ""
    (root / "dhsync.yaml").write_text(f"project: {PROJECT}\nbackend: {URL}\n{policies}")
    (root / "functions" / "alpha.yaml").write_text(
        "---\n".join((_function("alpha", alpha), _task("alpha"), _run("alpha-run", "alpha", "on-change", parameters))))
    beta_file = root / "functions" / "beta.yaml"
    if beta is None:
        beta_file.unlink(missing_ok=True)
    else:
        beta_file.write_text(
            "---\n".join((_function("beta", beta), _task("beta"), _run("beta-always", "beta", "always", "{x: 21}"))))
    return root


def env() -> dict[str, str]:
    path = os.pathsep.join(p for p in (str(CHECKOUT), os.environ.get("PYTHONPATH")) if p)
    return {**os.environ, "NO_COLOR": "1", "PYTHONPATH": path}


def dhsync(root: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """`dhsync ARGS…` as a real process in `root`."""
    return subprocess.run([sys.executable, "-m", "dhsync", *args], cwd=root, env=env(), text=True,
                          capture_output=True, timeout=timeout, check=False)


def start_dhsync(root: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "dhsync", *args], cwd=root, env=env(), text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def kill_apply(root: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """The kill script (crash_apply.py) on `root`."""
    return subprocess.run([sys.executable, str(KILL_SCRIPT), str(root), *args], cwd=root, env=env(), text=True,
                          capture_output=True, timeout=timeout, check=False)


def start_kill_script(root: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, str(KILL_SCRIPT), str(root), *args], cwd=root, env=env(), text=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def alive(pid: int) -> bool:
    """Whether process `pid` exists and has not ended (a zombie has)."""
    try:
        os.kill(pid, 0)
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (ProcessLookupError, FileNotFoundError):
        return False
    return stat.rpartition(")")[2].split()[0] != "Z"


def stop_handlers(root: Path) -> None:
    """SIGKILL the process groups of the run handlers recorded in `root`'s backend."""
    for run in runs(root):
        pid = ((run.get("status") or {}).get("executor") or {}).get("pid")
        if isinstance(pid, int) and pid > 0:
            with suppress(ProcessLookupError, PermissionError):
                os.killpg(pid, signal.SIGKILL)


@contextmanager
def backend_of(root: Path) -> Iterator[Backend]:
    opened = open_backend(URL, root)
    try:
        yield opened
    finally:
        opened.close()


def wait_for(what: str, probe: Callable[[], T | None], limit: float = 60.0) -> T:
    """Poll until `probe` returns something; the limit only stops a hung test."""
    deadline = time.monotonic() + limit
    while True:
        found = probe()
        if found is not None and found is not False:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.02)


def runs(root: Path) -> list[Mapping[str, Any]]:
    with backend_of(root) as backend:
        return list(backend.list_runs(PROJECT, size=1000).items)


def running_run(root: Path, declaration: str) -> Mapping[str, Any] | None:
    for run in runs(root):
        record = trigger_record(run)
        if record is not None and record.declaration == declaration and (run.get("status") or {}).get(
                "state") == "RUNNING":
            return run
    return None


def lock_expired(root: Path) -> bool:
    from datetime import UTC, datetime

    with backend_of(root) as backend:
        lock = backend.lock_info(PROJECT)
    return lock is None or lock.expired(datetime.now(UTC))


def died_by(process: subprocess.CompletedProcess[str] | subprocess.Popen[str], signum: int) -> bool:
    return process.returncode == -signum


def assert_killed(process: subprocess.CompletedProcess[str]) -> None:
    assert died_by(process, signal.SIGKILL), (process.returncode, process.stdout[-2000:], process.stderr[-2000:])


def integrity(root: Path) -> str:
    with sqlite3.connect(root / ".dhsync" / "state.db") as conn:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])


def census(root: Path) -> dict[str, Any]:
    """What the backend holds, counted the ways a duplicate or an orphan would show."""
    with backend_of(root) as backend:
        functions = list(backend.list_functions(PROJECT, versions="all", size=1000).items)
        tasks = list(backend.list_tasks(PROJECT, size=1000).items)
        all_runs = list(backend.list_runs(PROJECT, size=1000).items)
        lock = backend.lock_info(PROJECT)
    version_ids = {str(f["id"]) for f in functions}
    task_ids = {str(t["id"]) for t in tasks}
    task_refs = [parse_function_ref(str(t["spec"]["function"])) for t in tasks]
    run_tasks = [parse_task_ref(str(r["spec"]["task"])) for r in all_runs]
    records = [trigger_record(r) for r in all_runs]
    return {
        "versions": Counter(str(f["name"]) for f in functions),
        "tasks per version and kind": Counter((ref.id if ref else None, str(t["kind"])) for ref, t in
                                              zip(task_refs, tasks, strict=True)),
        "tasks on missing versions": [t["id"] for t, ref in zip(tasks, task_refs, strict=True)
                                      if ref is None or ref.id not in version_ids],
        "runs on missing tasks": [r["id"] for r, ref in zip(all_runs, run_tasks, strict=True)
                                  if ref is None or ref.id not in task_ids],
        "runs": Counter(rec.declaration if rec else "?" for rec in records),
        "runs per version": Counter((rec.declaration if rec else "?", str(r["spec"].get("function")))
                                    for rec, r in zip(records, all_runs, strict=True)),
        "states": Counter(str((r.get("status") or {}).get("state")) for r in all_runs),
        "locked": lock is not None,
    }


def assert_converged(root: Path, *, versions: dict[str, int], always_runs: int, context: str = "",
                     real_plan: bool = True) -> dict[str, Any]:
    """The backend holds exactly what the repository declares, once: `versions` versions of each function,
    one task per (version, kind), one `alpha-run` per version of alpha, `always_runs` runs of
    `beta-always`; nothing bound to something missing; no lock; an intact database; and `plan` finds
    nothing to do but the `always` run (when beta is declared)."""
    found = census(root)
    where = f" [{context}]" if context else ""
    assert found["versions"] == versions, f"{found}{where}"
    assert set(found["tasks per version and kind"].values()) == {1}, f"{found}{where}"
    assert len(found["tasks per version and kind"]) == sum(versions.values()), f"{found}{where}"
    assert found["tasks on missing versions"] == [] and found["runs on missing tasks"] == [], f"{found}{where}"
    runs = {"alpha-run": versions["alpha"], **({"beta-always": always_runs} if always_runs else {})}
    assert found["runs"] == runs, f"{found}{where}"
    alpha_per_version = [n for (name, _), n in found["runs per version"].items() if name == "alpha-run"]
    assert alpha_per_version == [1] * versions["alpha"], f"{found}{where}"
    assert not found["locked"], f"{found}{where}"
    assert integrity(root) == "ok"
    code, out = plan_process(root) if real_plan else plan_in_process(root)
    # an `always` run is in every plan; nothing else may be
    changes = [(c["address"], c["action"], c["reason"]) for c in orjson.loads(out)["changes"]]
    expected = (2, [("run/beta-always", "trigger", "always")]) if "beta" in versions else (0, [])
    assert (code, changes) == expected, f"{out}{where}"
    return found


PLAN = ("plan", "--detailed-exitcode", "--format", "json")


def plan_process(root: Path) -> tuple[int, str]:
    done = dhsync(root, *PLAN)
    return done.returncode, done.stdout + done.stderr


def plan_in_process(root: Path) -> tuple[int, str]:
    """`dhsync plan` through click's runner: the same command, without a second interpreter's start-up."""
    result = CliRunner().invoke(cli, [*PLAN, str(root)], env={"NO_COLOR": "1"})
    return result.exit_code, result.output
