"""Apply benchmark: new versions applied per second, against the backend's raw create rate.

    python -m benchmarks.bench_apply [--n 1000]

A repository of N python functions with a task each (benchmarks/generate_repo.py) is applied to a sqlite
backend; then every code file changes, so the next apply makes N new versions and recreates N tasks.
That apply (lock, bulk read, plan, journal, 2N writes) is timed and compared with the same 2N writes
made straight through the backend (create_function + create_task, one transaction each) into a copy
of the database the apply started from. Target: apply at least half the raw rate. One run, ratios
measured in the same run.
"""

from __future__ import annotations

import argparse
import sqlite3
import tempfile
import time
from pathlib import Path

from benchmarks.generate_repo import generate
from dhsync.apply import Flags, Request, RunSettings, SilentReporter
from dhsync.apply.bodies import function_body, new_id, task_body
from dhsync.apply.reconcile import reconcile
from dhsync.backends import open_backend
from dhsync.model.entities import DesiredState
from dhsync.model.kinds import EntityType
from dhsync.model.plan import Plan
from dhsync.specs.loader import load_repository
from dhsync.specs.models.config import Config


class Approve:
    def show(self, plan: Plan) -> None:
        pass

    def confirm(self, plan: Plan) -> bool:
        return True


def load(root: Path) -> tuple[DesiredState, Config]:
    loaded = load_repository(root, use_cache=False)
    assert loaded.ok and loaded.state is not None and loaded.config is not None
    return loaded.state, loaded.config


def timed_apply(root: Path) -> tuple[float, int]:
    desired, config = load(root)
    backend = open_backend("sqlite:///.dhsync/state.db", root)
    request = Request(desired, config, root, "sqlite:///.dhsync/state.db", root, Flags(),
                      RunSettings(root))
    start = time.perf_counter()
    result = reconcile(backend, request, Approve(), SilentReporter())
    elapsed = time.perf_counter() - start
    backend.close()
    assert result.ok
    return elapsed, len(result.outcomes)


def raw_writes(database: Path, desired: DesiredState) -> float:
    """The same writes straight through the backend, into a copy of the database apply starts from."""
    backend = open_backend(f"sqlite:///{database}")
    functions = desired.by_type(EntityType.FUNCTION)
    tasks = {str(t.function): t for t in desired.by_type(EntityType.TASK)}
    bodies = [function_body(fn, new_id()) for fn in functions]  # built before the clock, like a raw client
    start = time.perf_counter()
    for fn, body in zip(functions, bodies, strict=True):
        stored = backend.create_function(desired.project, body)
        backend.create_task(desired.project, task_body(tasks[fn.name], stored, new_id()))
    elapsed = time.perf_counter() - start
    backend.close()
    return elapsed


def copy_database(root: Path, dest: Path) -> Path:
    """A consistent copy of the state database (SQLite's backup API: WAL contents included)."""
    source = sqlite3.connect(root / ".dhsync" / "state.db")
    target = sqlite3.connect(dest)
    with target:
        source.backup(target)
    source.close()
    target.close()
    return dest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3, help="best of this many, apply and raw interleaved")
    args = parser.parse_args()
    applied, raw = [], []
    with tempfile.TemporaryDirectory() as folder:
        root = generate(Path(folder) / "repo", args.n)
        first, _ = timed_apply(root)
        for round_ in range(args.rounds):
            for code in (root / "src").iterdir():
                code.write_text(code.read_text() + f"# change {round_}\n")
            copy = copy_database(root, Path(folder) / f"raw-{round_}.db")
            elapsed, writes = timed_apply(root)
            applied.append(elapsed)
            raw.append(raw_writes(copy, load(root)[0]))
    best_apply, best_raw = min(applied), min(raw)
    print(f"first apply of {args.n} functions with a task each: {first:.2f} s")
    print(f"apply of {args.n} new versions ({writes} writes), best of {args.rounds}: {best_apply:.2f} s = "
          f"{args.n / best_apply:,.0f} versions/s")
    print(f"raw backend, the same {writes} writes, best of {args.rounds}: {best_raw:.2f} s = "
          f"{args.n / best_raw:,.0f} versions/s")
    print(f"apply rate / raw rate: {best_raw / best_apply:.2f} (target: at least 0.5)")


if __name__ == "__main__":
    main()
