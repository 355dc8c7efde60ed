"""Backend benchmark: versions created per second, and the bulk read of a large project.

    python benchmarks/bench_backend.py [--n 10000] [--versions 10] [--creates 2000]

Reports (one run, ratios measured in the same run, not a timed test):
- function versions created per second through `create_function` (one transaction each), sqlite and memory;
- `read_state` of a project with N functions x V versions, each version with one task: the number of
  SQL queries at N/10 and at N (it must not grow with N), and its time as a ratio to decoding the same
  rows' JSON alone (target: at most 1.5).
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import orjson

from dhsync.backends.base import Backend
from dhsync.backends.entities import Stamp
from dhsync.backends.memory import MemoryBackend
from dhsync.backends.sqlite import SqliteBackend, functions, tasks

PROJECT = "bench"
SPEC = {"handler": "main", "python_version": "PYTHON3_11", "requirements": ["pandas==2.2.3"],
        "source": {"lang": "python", "base64": "ZGVmIG1haW4oKToKICAgIHJldHVybiA0Mgo=" * 4}}


def best_of(runs: int, work: Callable[[], Any]) -> float:
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        timings.append(time.perf_counter() - start)
    return min(timings)


def creates_per_second(backend: Backend, count: int) -> float:
    backend.create_project({"name": PROJECT})
    start = time.perf_counter()
    for n in range(count):
        backend.create_function(PROJECT, {"name": f"f{n % 100}", "kind": "python", "spec": {**SPEC, "n": n}})
    return count / (time.perf_counter() - start)


def fill(backend: SqliteBackend, n_functions: int, versions: int) -> None:
    """Bulk fill through the backend's own insert code, in one transaction (fast set-up, same rows)."""
    def insert_all(conn: Any) -> None:
        stamp = Stamp.take(backend._clock, "bench")
        for v in range(versions):
            for n in range(n_functions):
                body = {"name": f"fn-{n:06d}", "kind": "python", "spec": {**SPEC, "v": v},
                        "metadata": {"description": "benchmark function", "labels": ["bench", f"v{v}"]}}
                fn = functions.insert(conn, PROJECT, body, stamp)
                ref = f"python://{PROJECT}/{fn['name']}:{fn['id']}"
                tasks.insert(conn, PROJECT, {"kind": "python+job", "spec": {
                    "function": ref, "resources": {"cpu": "1", "mem": "256Mi"}, "profile": "small"}}, stamp)
    backend.create_project({"name": PROJECT})
    backend.db.write(insert_all)


def count_queries(backend: SqliteBackend, project: str = PROJECT) -> int:
    """How many SELECT statements one read_state of `project` sends."""
    statements: list[str] = []
    backend.db.conn.set_trace_callback(statements.append)
    try:
        backend.read_state(project)
    finally:
        backend.db.conn.set_trace_callback(None)
    return sum(1 for s in statements if s.lstrip().upper().startswith("SELECT"))


@contextlib.contextmanager
def collector(enabled: bool) -> Iterator[None]:
    was = gc.isenabled()
    (gc.enable if enabled else gc.disable)()
    try:
        yield
    finally:
        (gc.enable if was else gc.disable)()


def read_ratio(backend: SqliteBackend) -> dict[str, float]:
    """read_state against decoding the same bodies alone, twice: with the cyclic GC off (the backend's
    own overhead: SQL and fetching) and on (what a program sees; read_state pauses the GC itself)."""
    bodies = [body for table in ("functions", "tasks", "runs") for (body,) in
              backend.db.conn.execute(f"SELECT body FROM {table} WHERE project = ?", (PROJECT,))]
    loads = orjson.loads
    result: dict[str, float] = {"rows": len(bodies)}
    for label, enabled in (("", False), ("_gc", True)):
        with collector(enabled):
            result[f"read{label}_s"] = best_of(5, lambda: backend.read_state(PROJECT))
            result[f"decode{label}_s"] = best_of(5, lambda: [loads(body) for body in bodies])
    return result


def bulk_read(folder: Path, n_functions: int, versions: int) -> dict[str, Any]:
    backend = SqliteBackend(folder / f"bulk-{n_functions}.db", user="bench")
    started = time.perf_counter()
    fill(backend, n_functions, versions)
    filled = time.perf_counter() - started
    result: dict[str, Any] = {"n": n_functions, "fill_s": filled, "queries": count_queries(backend)}
    result.update(read_ratio(backend))
    backend.close()
    result["ratio"] = result["read_s"] / result["decode_s"]
    result["ratio_gc"] = result["read_gc_s"] / result["decode_gc_s"]
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--n", type=int, default=10_000, help="functions in the bulk-read project")
    parser.add_argument("--versions", type=int, default=10, help="versions per function (one task each)")
    parser.add_argument("--creates", type=int, default=2_000, help="versions to create for the rate")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        sqlite_rate = creates_per_second(SqliteBackend(folder / "rate.db", user="bench"), args.creates)
        memory_rate = creates_per_second(MemoryBackend(user="bench"), args.creates)
        print(f"versions created per second: sqlite {sqlite_rate:,.0f}/s, memory {memory_rate:,.0f}/s "
              f"({args.creates} creates, one transaction each)")
        for n in sorted({max(1, args.n // 10), args.n}):
            r = bulk_read(folder, n, args.versions)
            print(f"read_state N={r['n']:,} functions x {args.versions} versions + 1 task each "
                  f"({r['rows']:,} rows): {r['queries']} SELECT queries (fill {r['fill_s']:.1f} s)")
            print(f"  GC off: {r['read_s']:.3f} s vs {r['decode_s']:.3f} s decoding the JSON alone "
                  f"-> ratio {r['ratio']:.2f} (target <= 1.5)")
            print(f"  GC on:  {r['read_gc_s']:.3f} s vs {r['decode_gc_s']:.3f} s decoding the JSON alone "
                  f"-> ratio {r['ratio_gc']:.2f}")


if __name__ == "__main__":
    main()
