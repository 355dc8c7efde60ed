"""An execution request on this machine: record it BUILT, prepare what it needs, start it.

CREATED -> BUILT (the request's spec, which the runtime built) -> READY (code on disk, inputs found,
requirements met) -> the supervisor.
Anything missing before the start ends the run in ERROR with a message naming it; so does a failure
of dhsync itself (a backend refusing a write), which is then raised to the caller as well.
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from dhsync.model.errors import RuntimeExecutionError
from dhsync.model.redact import redact_url
from dhsync.model.runstate import RunState
from dhsync.runtimes.base import ExecuteOptions, RunStore
from dhsync.runtimes.lifecycle import record, record_after_failure
from dhsync.runtimes.local.errors import PrepareError
from dhsync.runtimes.local.files import RunFiles
from dhsync.runtimes.local.inputs import merge_arguments, resolve_inputs
from dhsync.runtimes.local.job_file import GO, Job, write_private
from dhsync.runtimes.local.logsink import append_note
from dhsync.runtimes.local.requirements import unsatisfied
from dhsync.runtimes.local.sources import materialise
from dhsync.runtimes.local.supervise import child_env, executor_info, shielded, supervise
from dhsync.runtimes.request import ExecutionRequest, PythonCode

DETACHED_MODULE = "dhsync.runtimes.local.detached"
# Task settings that only mean something on Kubernetes; the local executor says it leaves them out.
_NOT_APPLIED = ("resources", "volumes", "secrets", "profile", "node_selector", "tolerations", "affinity")
_detached: list[subprocess.Popen[bytes]] = []


def execute_job(store: RunStore, run: Mapping[str, Any], request: ExecutionRequest,
                options: ExecuteOptions) -> dict[str, Any]:
    if not options.wait and options.reopen is None:
        raise RuntimeExecutionError(
            f"run `{run.get('key', run['id'])}` cannot go on without waiting: its backend `{store.url}` cannot be "
            "opened by another process (an in-memory backend); wait for it instead")
    files = RunFiles(store.data_dir(), str(run["id"]))
    # Ctrl-C before the handler started (a slow clone, say) is recorded here; once it runs, the
    # supervisor records it.
    with _ended_on_failure(store, run, files, interrupted="interrupted (SIGINT) before the handler started"):
        prepared = _prepare_run(store, run, request, options, files)
        if not isinstance(prepared, Job):
            return prepared
        if not options.wait:
            _hand_over(store, run, prepared, files)
        else:
            record(store, run, RunState.READY)
    if not options.wait:  # the detached supervisor has the run now: nothing here may end it
        return store.get_run(prepared.project, prepared.run_id)
    with _ended_on_failure(store, run, files, interrupted=None):
        return supervise(store, prepared)


@contextlib.contextmanager
def _ended_on_failure(store: RunStore, run: Mapping[str, Any], files: RunFiles,
                      interrupted: str | None) -> Iterator[None]:
    """A run this process took out of CREATED is not left BUILT, READY or RUNNING with nobody to end
    it: a failure (the backend refusing a write, say) ends it in ERROR, an interrupt in STOPPED, and
    the failure goes on to the caller, who reports it."""
    try:
        yield
    except KeyboardInterrupt:
        if interrupted is not None:
            with shielded():
                shutil.rmtree(files.work, ignore_errors=True)
                record_after_failure(store, run, RunState.STOPPED, interrupted)
        raise
    except Exception as exc:
        why = redact_url(f"dhsync failed while executing the run ({type(exc).__name__}: {exc}) and ended it; no "
                         "process of it is left running. Start a new run once that is fixed")
        with shielded():
            shutil.rmtree(files.work, ignore_errors=True)
            with contextlib.suppress(OSError):
                append_note(files.log, why)
            record_after_failure(store, run, RunState.ERROR, why)
        raise


def _prepare_run(store: RunStore, run: Mapping[str, Any], request: ExecutionRequest, options: ExecuteOptions,
                 files: RunFiles) -> Job | dict[str, Any]:
    """The job to start, with the run BUILT; or the run as recorded when it cannot start (ERROR)."""
    if request.code is None:
        why = f"the local executor runs python code, and the `{request.run_kind}` request has none"
        return record(store, run, RunState.ERROR, message=why)
    # Until a supervisor takes over, this process answers for the run: `control.refresh` ends it
    # when this process is gone and the run is still BUILT or READY.
    run = record(store, run, RunState.BUILT, spec=request.spec, executor=executor_info(os.getpid()))
    try:
        return _prepare(run, request, request.code, files, options)
    except PrepareError as exc:
        append_note(files.log, f"the run did not start: {exc}")
        shutil.rmtree(files.work, ignore_errors=True)
        return record(store, run, RunState.ERROR, message=str(exc))


def _prepare(run: Mapping[str, Any], request: ExecutionRequest, code_of: PythonCode, files: RunFiles,
             options: ExecuteOptions) -> Job:
    shutil.rmtree(files.work, ignore_errors=True)
    files.work.mkdir(mode=0o700, parents=True)  # the request, the job and the result are the user's only
    (files.work / "cwd").mkdir()

    def log(text: str) -> None:
        append_note(files.log, text)

    base = (options.repo_root or Path.cwd()).resolve()
    _check_requirements(code_of.requirements)
    code = materialise(code_of.source, repo_root=base, work=files.work, log=log)
    kwargs = merge_arguments(request.parameters, resolve_inputs(request.inputs, base=base, data=files.data))
    _notes(request, code_of, code.origin, log)
    result = str(files.work / "result.json")
    child = {"code": str(code.folder), "module": code.module, "function": code.function,
             "init_function": code.init_function, "init_parameters": dict(request.init_parameters),
             "origin": code.origin, "kwargs": kwargs, "outputs": dict(request.outputs),
             "values": list(request.values), "artifacts": str(files.artifacts), "result": result}
    request_path = write_private(files.work / "request.json", json.dumps(child))  # the run's parameters
    return Job(project=str(run["project"]), run_id=str(run["id"]), request=str(request_path),
               result=result, cwd=str(files.work / "cwd"), work=str(files.work), log=str(files.log),
               env=dict(request.env), timeout=options.timeout, log_limit=options.log_limit,
               reopen=options.reopen, secrets=request.secrets)


def _check_requirements(requirements: tuple[str, ...]) -> None:
    if not requirements:
        return
    missing = unsatisfied(list(requirements))
    if missing:
        raise PrepareError(f"requirements not satisfied by {sys.executable}: {'; '.join(missing)}. Install them "
                           "into that environment (the local executor does not install packages)")


def _notes(request: ExecutionRequest, code: PythonCode, origin: str, log: Callable[[str], None]) -> None:
    here = f"{platform.python_version()} ({sys.executable})"
    log(f"handler `{code.source.get('handler')}` from {origin}, python {here}")
    wanted = code.python_version or ""
    if wanted and wanted != f"PYTHON{sys.version_info.major}_{sys.version_info.minor}":
        log(f"the function asks for {wanted}; the local executor runs python {platform.python_version()}")
    ignored = [name for name in _NOT_APPLIED if request.spec.get(name)]
    if ignored:
        log(f"not applied by the local executor: {', '.join(ignored)} (Kubernetes settings)")


def _hand_over(store: RunStore, run: Mapping[str, Any], job: Job, files: RunFiles) -> None:
    """Start the detached supervisor and record READY naming it. It starts the child only once it reads
    `go` on its stdin, after READY is recorded, so a failed write leaves no process going."""
    job_path = job.save(files.work / "job.json")
    _detached[:] = [process for process in _detached if process.poll() is None]  # reap finished ones
    with files.log.open("ab") as log:
        # Its own session: the supervisor outlives the caller and no terminal signal reaches it.
        process = subprocess.Popen(
            [sys.executable, "-m", DETACHED_MODULE, str(job_path)], env=child_env({}), stdin=subprocess.PIPE,
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True, close_fds=True, bufsize=0)
    _detached.append(process)
    assert process.stdin is not None
    try:
        record(store, run, RunState.READY, executor=executor_info(process.pid))
        process.stdin.write(GO)
    except BaseException:
        with shielded():
            process.kill()
            process.wait()
        raise
    finally:
        process.stdin.close()
