"""`dhsync plan` with nothing to change, as a ratio to parsing the repository with PyYAML's CSafeLoader.

    python -m benchmarks.bench_plan [--n 10000] [--repeat 3]

A repository of N python functions with a task each (benchmarks/generate_repo.py) is written to a sqlite
backend the way apply writes it (apply's bodies through backend.create_*), then timed in one process:
- the floor: CSafeLoader parse of every spec file;
- loading the repository cold (no .dhsync cache) and warm;
- read_state (and how many SQL queries it sends, at N/10 and N: it must not grow with N);
- make_plan with nothing to change: the fast path (stored specs equal the declared ones), and the slow
  path (every stored version spelled differently, e.g. by DHCore, so each one is normalised and hashed).
Targets from the reconciler issue: plan cold <= 2.5, warm <= 0.5 (ratio to the floor). Not a timed test.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.bench_backend import count_queries
from benchmarks.bench_validate import best_of, floor
from benchmarks.generate_repo import generate
from dhsync.apply.bodies import function_body, new_id, task_body
from dhsync.backends.sqlite import SqliteBackend
from dhsync.model.entities import DesiredState
from dhsync.model.state import ActualState
from dhsync.plan import make_plan
from dhsync.plan.desired import arrange
from dhsync.specs.cache import RACY_NS
from dhsync.specs.loader import load_repository


def load(root: Path, use_cache: bool = True) -> DesiredState:
    loaded = load_repository(root, use_cache=use_cache)
    assert loaded.ok and loaded.state is not None, loaded.diagnostics[:3]
    return loaded.state


def write_all(backend: SqliteBackend, desired: DesiredState) -> float:
    """Every function and task as apply writes them, one create (one transaction) each."""
    backend.create_project({"name": desired.project})
    arranged = arrange(desired)
    start = time.perf_counter()
    for fn in arranged.functions:
        stored = backend.create_function(desired.project, function_body(fn, new_id()))
        for declared in arranged.tasks.get(fn.name, ()):
            backend.create_task(desired.project, task_body(declared, stored, new_id()))
    return time.perf_counter() - start


def respelled(actual: ActualState) -> ActualState:
    """The same state as another backend might spell it: labels reordered, `embedded: false`, explicit
    `lang`. Nothing changes, but the fast path (plain equality) misses on every function."""
    def function(fn: dict[str, Any]) -> dict[str, Any]:
        meta = {**fn["metadata"], "labels": list(reversed(fn["metadata"]["labels"])), "embedded": False}
        spec = {**fn["spec"], "source": {**fn["spec"]["source"], "lang": "python"}}
        return {**fn, "metadata": meta, "spec": spec}
    return ActualState(actual.project, tuple(function(dict(f)) for f in actual.functions), actual.tasks, actual.runs)


def timed(label: str, seconds: float, base: float, target: str = "") -> None:
    print(f"{label:<44} {seconds:8.3f} s  ratio {seconds / base:5.2f}{f'  (target <= {target})' if target else ''}")


def measure(root: Path, repeat: int) -> int:
    """Prints the timings; returns how many queries read_state sent."""
    cache = root / ".dhsync" / "cache"
    time.sleep(RACY_NS / 1e9)  # like git, the cache distrusts stamps of files changed in the last 2 s
    desired = load(root, use_cache=False)
    backend = SqliteBackend(root / "state.db", user="bench")
    written = write_all(backend, desired)
    actual = backend.read_state(desired.project)
    plan = make_plan(desired, actual)
    assert plan.empty, [str(c.identity) for c in plan.changes[:5]]
    assert make_plan(desired, respelled(actual)).empty

    def cold() -> None:
        shutil.rmtree(cache, ignore_errors=True)

    floor_s = best_of(repeat, lambda: floor(root))
    load_cold = best_of(repeat, lambda: load(root), before=cold)
    load(root)
    load_warm = best_of(repeat, lambda: load(root))
    warm = load(root)  # as `dhsync plan` has it on an unchanged repository (its digest known)
    read_s = best_of(repeat, lambda: backend.read_state(desired.project))
    fast_s = best_of(repeat, lambda: make_plan(warm, actual))
    slow_actual = respelled(actual)
    slow_s = best_of(repeat, lambda: make_plan(warm, slow_actual))
    queries = count_queries(backend, desired.project)
    backend.close()

    n = len(desired.entities) // 2
    print(f"{n:,} functions with a task each; written through apply's bodies in {written:.1f} s "
          f"({2 * n / written:,.0f} creates/s)")
    timed("floor (CSafeLoader parse)", floor_s, floor_s)
    timed("load repository, cold", load_cold, floor_s)
    timed("load repository, warm", load_warm, floor_s)
    timed(f"read_state ({queries} SELECT queries)", read_s, floor_s)
    timed("make_plan, nothing to change (fast path)", fast_s, floor_s)
    timed("make_plan, nothing to change (respelled)", slow_s, floor_s)
    timed("plan, cold: load + read_state + make_plan", load_cold + read_s + fast_s, floor_s, "2.5")
    timed("plan, warm: load + read_state + make_plan", load_warm + read_s + fast_s, floor_s, "0.5")
    return queries


def queries_at(folder: Path, n: int) -> int:
    root = generate(folder / f"q{n}", n)
    desired = load(root, use_cache=False)
    backend = SqliteBackend(root / "state.db", user="bench")
    write_all(backend, desired)
    counted = count_queries(backend, desired.project)
    backend.close()
    return counted


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        queries = measure(generate(folder / "repo", args.n), args.repeat)
        small = max(1, args.n // 10)
        print(f"read_state SELECT queries: {queries_at(folder, small)} at N={small:,}, {queries} at N={args.n:,}")


if __name__ == "__main__":
    main()
