"""A separate process that executes one run and waits for it, driven by test_processes.py.

    python run_in_process.py <sqlite-url> <repo-root> forever
    python run_in_process.py <sqlite-url> <repo-root> stubborn <mark-file>
    python run_in_process.py <sqlite-url> <repo-root> git <git-url>

In project `demo` (which exists already) it stores a function, prints the id of a new run of it, then
executes the run waiting for it; interrupted (SIGINT, SIGTERM), it exits 130 like `dhsync run`.
`forever`: the handler prints `started` and loops. `stubborn`: the same, ignoring SIGTERM but creating
the mark file when one arrives (the supervisor waits 1 s before it kills it). `git`: the code comes
from the git URL (the test holds the clone's lock, so the run waits in its preparation).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from dhsync.backends import open_backend
from dhsync.runtimes import execute_run
from dhsync.runtimes.local import supervise
from dhsync.sdk.execution import create_run

FOREVER = "import time\ndef main():\n    print('started', flush=True)\n    while True:\n        time.sleep(0.05)\n"
STUBBORN = """
import signal, sys, time
from pathlib import Path

def main(mark):
    signal.signal(signal.SIGTERM, lambda *_: Path(mark).touch())
    print('started', flush=True)
    while True:
        time.sleep(0.05)
"""


def _source(mode: str, extra: list[str]) -> tuple[dict[str, Any], dict[str, Any]]:
    if mode == "stubborn":
        return {"code": STUBBORN, "handler": "main"}, {"mark": extra[0]}
    if mode == "git":
        return {"source": extra[0], "handler": "main:main"}, {}
    return {"code": FOREVER, "handler": "main"}, {}


def main(url: str, root: str, mode: str, extra: list[str]) -> int:
    backend = open_backend(url)
    source, parameters = _source(mode, extra)
    supervise.KILL_GRACE_SECONDS = 1.0
    fn = backend.create_function("demo", {"kind": "python", "name": "forever", "spec": {
        "python_version": "PYTHON3_11", "source": source}})
    run = create_run(backend, fn, "job", {"local_execution": True, "parameters": parameters})
    print(run["id"], flush=True)
    try:
        execute_run(backend, run, repo_root=Path(root))
    except KeyboardInterrupt:
        return 130
    finally:
        backend.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]))
