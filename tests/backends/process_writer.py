"""A separate process that writes to one state file, driven by test_sqlite_processes.py.

    python process_writer.py create <db> <label> <count>   create <count> function versions, print their ids
    python process_writer.py churn <db> <seed>             write (create, update, cascade-delete) until killed

Both print `ready` once the file is open and the project exists; `create` then waits for `go` on stdin
so that two writers start at the same moment.
"""

from __future__ import annotations

import contextlib
import json
import random
import sys
from pathlib import Path

from dhsync.backends.sqlite import SqliteBackend
from dhsync.model.errors import ConflictError

PROJECT = "demo"


def _open(db: str) -> SqliteBackend:
    backend = SqliteBackend(Path(db))
    with contextlib.suppress(ConflictError):  # the other writer created it first
        backend.create_project({"name": PROJECT})
    print("ready", flush=True)
    return backend


def create(db: str, label: str, count: int) -> None:
    backend = _open(db)
    sys.stdin.readline()
    ids = [backend.create_function(PROJECT, {"name": f"{label}-{n % 20}", "kind": "python",
                                              "spec": {"n": n, "by": label}})["id"] for n in range(count)]
    print(json.dumps(ids), flush=True)


def churn(db: str, seed: int) -> None:
    backend = _open(db)
    rng = random.Random(seed)
    versions: list[dict[str, object]] = []
    for n in range(1_000_000):
        fn = backend.create_function(PROJECT, {"name": f"f{rng.randrange(8)}", "kind": "python",
                                               "spec": {"n": n, "seed": seed, "pad": "x" * rng.randrange(2000)}})
        ref = f"python://{PROJECT}/{fn['name']}:{fn['id']}"
        task = backend.create_task(PROJECT, {"kind": "python+job", "spec": {"function": ref}})
        run = backend.create_run(PROJECT, {"kind": "python+job:run",
                                           "spec": {"task": f"python+job://{PROJECT}/{task['id']}"}})
        backend.update_run(PROJECT, str(run["id"]), {"status": {"state": "RUNNING"}})
        versions.append(fn)
        if n % 3 == 2:
            gone = versions.pop(rng.randrange(len(versions)))
            backend.delete_function(PROJECT, str(gone["id"]), cascade=True)


if __name__ == "__main__":
    mode, db, *rest = sys.argv[1:]
    if mode == "create":
        create(db, rest[0], int(rest[1]))
    else:
        churn(db, int(rest[0]))
