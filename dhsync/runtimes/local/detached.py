"""The supervisor of a run started without waiting: `python -m dhsync.runtimes.local.detached JOB.json`.

It waits for `go` on its stdin, which the caller sends once READY naming this process is recorded (so
that no handler starts for a run the backend does not know to be handed over); EOF instead means the
caller failed, and nothing starts. Then it opens the run's backend the way the caller said
(`Job.reopen`) and supervises the child like a waiting caller would. Its own stdout/stderr go to the
run's log, so a failure here is visible there.
"""

from __future__ import annotations

import importlib
import shutil
import sys
import traceback
from pathlib import Path
from typing import Any

from dhsync.model.runstate import RunState
from dhsync.runtimes.base import BackendLocator, RunStore
from dhsync.runtimes.lifecycle import record_after_failure
from dhsync.runtimes.local.job_file import GO, Job
from dhsync.runtimes.local.supervise import supervise


def open_store(locator: BackendLocator) -> RunStore:
    module_name, _, attribute = locator.factory.partition(":")
    factory: Any = getattr(importlib.import_module(module_name), attribute)
    store: RunStore = factory(locator.url, Path(locator.base_dir))
    return store


def main(argv: list[str]) -> int:
    if sys.stdin.buffer.readline() != GO:
        # The caller could not record the hand-over (READY naming this process) and is gone or ends the
        # run itself; without `go` nothing starts.
        print("[dhsync] the run was not handed over to its supervisor; it did not start", file=sys.stderr)
        shutil.rmtree(Path(argv[1]).parent, ignore_errors=True)
        return 2
    job = Job.load(Path(argv[1]))
    if job.reopen is None:
        print(f"[dhsync] job {argv[1]} says no way to open its backend", file=sys.stderr)
        return 2
    store = open_store(job.reopen)
    try:
        supervise(store, job)
    except Exception as exc:
        traceback.print_exc()
        record_after_failure(store, {"project": job.project, "id": job.run_id}, RunState.ERROR,
                             f"the run's supervisor failed: {type(exc).__name__}: {exc}")
        return 1
    finally:
        close = getattr(store, "close", None)
        if callable(close):
            close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
