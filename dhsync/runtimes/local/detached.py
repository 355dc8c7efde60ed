"""The supervisor of a run started without waiting: `python -m dhsync.runtimes.local.detached JOB.json`.

It opens the run's backend the way the caller said (`Job.reopen`), then supervises the child like a
waiting caller would. Its own stdout/stderr go to the run's log, so a failure here is visible there.
"""

from __future__ import annotations

import importlib
import sys
import traceback
from pathlib import Path
from typing import Any

from dhsync.runtimes.base import BackendLocator, RunStore
from dhsync.runtimes.lifecycle import ERROR, FINAL_STATES, record, state_of
from dhsync.runtimes.local.job_file import Job
from dhsync.runtimes.local.supervise import supervise


def open_store(locator: BackendLocator) -> RunStore:
    module_name, _, attribute = locator.factory.partition(":")
    factory: Any = getattr(importlib.import_module(module_name), attribute)
    store: RunStore = factory(locator.url, Path(locator.base_dir))
    return store


def main(argv: list[str]) -> int:
    job = Job.load(Path(argv[1]))
    if job.reopen is None:
        print(f"[dhsync] job {argv[1]} says no way to open its backend", file=sys.stderr)
        return 2
    store = open_store(job.reopen)
    try:
        supervise(store, job)
    except Exception as exc:
        traceback.print_exc()
        run = store.get_run(job.project, job.run_id)
        if state_of(run) not in FINAL_STATES:
            record(store, run, ERROR, message=f"the run's supervisor failed: {type(exc).__name__}: {exc}")
        return 1
    finally:
        close = getattr(store, "close", None)
        if callable(close):
            close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
