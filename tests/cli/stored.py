"""A small spec repository for the run commands, and storing its functions and tasks in its backend the
way `dhsync apply` would (through `dhsync.apply.bodies`), without going through apply."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from dhsync.apply.bodies import function_body, new_id, task_body
from dhsync.backends import open_backend
from dhsync.backends.base import Backend
from dhsync.model.errors import ConflictError
from dhsync.plan.desired import arrange
from dhsync.runtimes.local.control import stop_run
from dhsync.specs.loader import load_repository

PROJECT = "shop"
WAIT_SECONDS = 20.0

FILES = {
    "dhsync.yaml": f"project: {PROJECT}\n",
    "data/words.txt": "a tiny tale of seven words\n",
    "src/count.py": """
from pathlib import Path

def count(text, minimum=1, greeting="hello"):
    words = [w for w in Path(text).read_text().split() if len(w) >= minimum]
    print(f"{greeting}: {len(words)} words")
    Path("report.txt").write_text("\\n".join(sorted(words)) + "\\n")
    return "report.txt", len(words), max(words, key=len)
""",
    "src/tools.py": """
import time

def add(a, b=2):
    return a + b

def explode():
    print("about to fail")
    raise ValueError("no rows for today")

def forever():
    print("started", flush=True)
    while True:
        time.sleep(0.05)
""",
    "functions/count.yaml": """
kind: python
name: count
spec:
  python_version: PYTHON3_11
  source: {source: src/count.py, handler: count}
---
kind: python+job:run
name: count-words
spec:
  function: count
  local_execution: true
  inputs: {text: data/words.txt}
  parameters: {minimum: 1}
  outputs: [report]
  values: [words, longest]
""",
    "functions/tools.yaml": """
kind: python
name: add
spec: {python_version: PYTHON3_11, source: {source: src/tools.py, handler: "tools:add"}}
---
kind: python
name: explode
spec: {python_version: PYTHON3_11, source: {source: src/tools.py, handler: "tools:explode"}}
---
kind: python+job:run
name: explode-daily
spec: {function: explode, local_execution: true}
---
kind: python
name: forever
spec: {python_version: PYTHON3_11, source: {source: src/tools.py, handler: "tools:forever"}}
---
kind: python+job:run
name: run-forever
trigger: manual
spec: {function: forever, local_execution: true}
---
kind: container
name: web
spec: {image: "nginx:1.27"}
---
kind: container+job:run
name: web-once
trigger: manual
spec: {function: web}
""",
}


def write_repo(root: Path, files: Mapping[str, str] = FILES) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text.lstrip("\n"))
    return root


def open_state(root: Path) -> Backend:
    """The repository's own backend (the default sqlite file under .dhsync/)."""
    return open_backend(f"sqlite:///{root / '.dhsync' / 'state.db'}")


def store_functions(root: Path, only: tuple[str, ...] = ()) -> None:
    """Every function of the repository (or those named) and its tasks, as apply stores them, in the
    repository's default backend."""
    loaded = load_repository(root, use_cache=False)
    assert loaded.ok and loaded.state is not None, loaded.diagnostics
    project, desired = loaded.state.project, arrange(loaded.state)
    backend = open_state(root)
    try:
        with contextlib.suppress(ConflictError):
            backend.create_project({"name": project})
        for fn in desired.functions:
            if only and fn.name not in only:
                continue
            stored = backend.create_function(project, function_body(fn, new_id()))
            for task in desired.tasks.get(fn.name, ()):
                backend.create_task(project, task_body(task, stored, new_id()))
    finally:
        backend.close()


def await_run(root: Path, condition: Callable[[list[dict[str, Any]]], bool], what: str) -> list[dict[str, Any]]:
    """Poll the repository's backend until its runs (newest first) meet `condition`."""
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        backend = open_state(root)
        try:
            runs = [dict(r) for r in backend.list_runs(PROJECT).items]
        finally:
            backend.close()
        if condition(runs):
            return runs
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {WAIT_SECONDS} s in vain for {what}: {[r.get('status') for r in runs]}")
        time.sleep(0.05)


def runs_of(root: Path) -> list[dict[str, Any]]:
    backend = open_state(root)
    try:
        return [dict(r) for r in backend.list_runs(PROJECT).items]
    finally:
        backend.close()


def stop_leftovers(root: Path) -> None:
    """Stop what a failed test left running, so that no handler outlives the test session."""
    if not (root / ".dhsync" / "state.db").exists():
        return
    backend = open_state(root)
    try:
        for run in backend.list_runs(PROJECT, size=1000).items:
            if (run.get("status") or {}).get("state") in ("BUILT", "READY", "RUNNING", "STOP"):
                with contextlib.suppress(Exception):
                    stop_run(backend, run, grace=1.0)
    finally:
        backend.close()
