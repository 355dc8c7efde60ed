"""A separate process that executes one run and waits for it, driven by test_processes.py.

    python run_in_process.py <sqlite-url> <repo-root> [<mark-file>]

In project `demo` (which exists already) it stores a function whose handler prints `started` and
loops forever, prints the run id, then executes the run waiting for it. Interrupted (SIGINT,
SIGTERM), it exits 130 like `dhsync run`. With a mark file, the handler ignores SIGTERM, creating
that file when one arrives, and the supervisor waits 1 s before it kills it.
"""

from __future__ import annotations

import sys
from pathlib import Path

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


def main(url: str, root: str, mark: str | None) -> int:
    backend = open_backend(url)
    code, parameters = (FOREVER, {}) if mark is None else (STUBBORN, {"mark": mark})
    supervise.KILL_GRACE_SECONDS = 1.0
    fn = backend.create_function("demo", {"kind": "python", "name": "forever", "spec": {
        "python_version": "PYTHON3_11", "source": {"code": code, "handler": "main"}}})
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
    sys.exit(main(sys.argv[1], sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else None))
