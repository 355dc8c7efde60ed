"""The in-process side of the whole-process benchmarks: backend set-up, the raw writer, and the figures
measured inside one Python process after a warm-up call (what the README's table showed before),
kept beside the whole-process ones. The floor here is `floor.parse_all`, in the same process.
"""

from __future__ import annotations

import gc
import shutil
import time
from collections.abc import Callable
from pathlib import Path

from benchmarks.bench_plan import load, write_all
from benchmarks.floor import parse_all
from benchmarks.series import RATIO, Series, median
from dhsync.apply.bodies import function_body, new_id, task_body
from dhsync.backends.sqlite import SqliteBackend
from dhsync.plan import make_plan
from dhsync.plan.desired import arrange


def fill_backend(root: Path) -> float:
    """The repository written to its default backend (`.dhsync/state.db`) the way apply writes it (apply's
    bodies, one create each), without going through `dhsync apply`; returns the seconds it took."""
    backend = SqliteBackend(root / ".dhsync" / "state.db")
    try:
        return write_all(backend, load(root, use_cache=False))
    finally:
        backend.close()


class RawWriter:
    """The creates `dhsync apply` makes from empty (project aside), straight through a fresh sqlite backend
    in this process: bodies built before the clock, one create (one transaction) each, GC frozen for what
    this process held before, so only the creates are timed."""

    def __init__(self, root: Path, folder: Path) -> None:
        self.desired = load(root)
        self.folder = folder
        self.rounds = 0

    def __call__(self) -> float:
        """Creates per second of one round."""
        self.rounds += 1
        path = self.folder / f"raw-{self.rounds}" / "state.db"
        path.parent.mkdir(parents=True)
        backend = SqliteBackend(path)
        project = self.desired.project
        backend.create_project({"name": project})
        arranged = arrange(self.desired)
        bodies = [function_body(fn, new_id()) for fn in arranged.functions]
        creates = 0
        gc.collect()
        gc.freeze()
        try:
            start = time.perf_counter()
            for fn, body in zip(arranged.functions, bodies, strict=True):
                stored = backend.create_function(project, body)
                for declared in arranged.tasks.get(fn.name, ()):
                    backend.create_task(project, task_body(declared, stored, new_id()))
                    creates += 1
            elapsed = time.perf_counter() - start
        finally:
            gc.unfreeze()
            backend.close()
            shutil.rmtree(path.parent)
        return (creates + len(bodies)) / elapsed


def _paired(root: Path, repeat: int, action: Callable[[], object],
            before: Callable[[], object] = lambda: None) -> tuple[list[float], list[float]]:
    bases, times = [], []
    for _ in range(repeat):
        start = time.perf_counter()
        parse_all(root)
        bases.append(time.perf_counter() - start)
        before()
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return bases, times


def _series(label: str, bases: list[float], times: list[float]) -> Series:
    return Series(tuple(t / b for b, t in zip(bases, times, strict=True)), RATIO,
                  f"{label} (in-process): {median(times):.3f} s vs floor {median(bases):.3f} s in-process")


def validate(root: Path, repeat: int) -> dict[str, Series]:
    def drop() -> None:
        shutil.rmtree(root / ".dhsync" / "cache", ignore_errors=True)
    def loaded() -> None:
        load(root)
    loaded()  # imports, schema builds and the page cache are not what is measured
    cold = _paired(root, repeat, loaded, before=drop)
    loaded()
    warm = _paired(root, repeat, loaded)
    return {"inproc_validate_cold": _series("validate, cold", *cold),
            "inproc_validate_warm": _series("validate, warm", *warm)}


def plan(root: Path, repeat: int) -> dict[str, Series]:
    """load + read_state + make_plan with nothing to change, the backend already filled."""
    backend = SqliteBackend(root / ".dhsync" / "state.db", create=False)

    def planned() -> None:
        desired = load(root)
        result = make_plan(desired, backend.read_state(desired.project))
        assert result.empty, [str(c.identity) for c in result.changes[:5]]

    def drop() -> None:
        shutil.rmtree(root / ".dhsync" / "cache", ignore_errors=True)
    try:
        planned()
        cold = _paired(root, repeat, planned, before=drop)
        planned()
        warm = _paired(root, repeat, planned)
    finally:
        backend.close()
    return {"inproc_plan_cold": _series("plan, cold", *cold), "inproc_plan_warm": _series("plan, warm", *warm)}
