"""A `python+job` run on this machine: build its spec, prepare what it needs, start it.

CREATED -> BUILT (spec = function spec ∪ task spec ∪ run spec, the run's own fields winning, as the
SDK's local build does) -> READY (code on disk, inputs found, requirements met) -> the supervisor.
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

from dhsync.model.errors import DhsyncError, RuntimeExecutionError
from dhsync.model.redact import redact_url
from dhsync.model.refs import parse_function_ref, parse_task_ref
from dhsync.model.secret_values import secret_strings
from dhsync.runtimes.base import ExecuteOptions, RunStore
from dhsync.runtimes.lifecycle import BUILT, ERROR, READY, STOPPED, record, record_after_failure, require_created
from dhsync.runtimes.local.errors import PrepareError
from dhsync.runtimes.local.files import RunFiles
from dhsync.runtimes.local.inputs import merge_arguments, resolve_inputs
from dhsync.runtimes.local.job_file import GO, Job, write_private
from dhsync.runtimes.local.logsink import append_note
from dhsync.runtimes.local.requirements import unsatisfied
from dhsync.runtimes.local.sources import materialise
from dhsync.runtimes.local.supervise import child_env, executor_info, shielded, supervise

DETACHED_MODULE = "dhsync.runtimes.local.detached"
# Task settings that only mean something on Kubernetes; the local executor says it leaves them out.
_NOT_APPLIED = ("resources", "volumes", "secrets", "profile", "node_selector", "tolerations", "affinity")
_detached: list[subprocess.Popen[bytes]] = []


def execute_job(store: RunStore, run: Mapping[str, Any], options: ExecuteOptions) -> dict[str, Any]:
    require_created(run)
    if not options.wait and options.reopen is None:
        raise RuntimeExecutionError(
            f"run `{run.get('key', run['id'])}` cannot go on without waiting: its backend `{store.url}` cannot be "
            "opened by another process (an in-memory backend); wait for it instead")
    files = RunFiles(store.data_dir(), str(run["id"]))
    # Ctrl-C before the handler started (a slow clone, say) is recorded here; once it runs, the
    # supervisor records it.
    with _ended_on_failure(store, run, files, interrupted="interrupted (SIGINT) before the handler started"):
        prepared = _prepare_run(store, run, options, files)
        if not isinstance(prepared, Job):
            return prepared
        if not options.wait:
            _hand_over(store, run, prepared, files)
        else:
            record(store, run, READY)
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
                record_after_failure(store, run, STOPPED, interrupted)
        raise
    except Exception as exc:
        why = redact_url(f"dhsync failed while executing the run ({type(exc).__name__}: {exc}) and ended it; no "
                         "process of it is left running. Start a new run once that is fixed")
        with shielded():
            shutil.rmtree(files.work, ignore_errors=True)
            with contextlib.suppress(OSError):
                append_note(files.log, why)
            record_after_failure(store, run, ERROR, why)
        raise


def _prepare_run(store: RunStore, run: Mapping[str, Any], options: ExecuteOptions,
                 files: RunFiles) -> Job | dict[str, Any]:
    """The job to start, with the run BUILT; or the run as recorded when it cannot start (ERROR)."""
    try:
        spec = built_spec(store, run)
    except DhsyncError as exc:
        return record(store, run, ERROR, message=f"cannot build the run: {exc}")
    # Until a supervisor takes over, this process answers for the run: `control.refresh` ends it
    # when this process is gone and the run is still BUILT or READY.
    run = record(store, run, BUILT, spec=spec, executor=executor_info(os.getpid()))
    try:
        return _prepare(run, spec, files, options)
    except PrepareError as exc:
        append_note(files.log, f"the run did not start: {exc}")
        shutil.rmtree(files.work, ignore_errors=True)
        return record(store, run, ERROR, message=str(exc))


def built_spec(store: RunStore, run: Mapping[str, Any]) -> dict[str, Any]:
    spec = dict(run.get("spec") or {})
    project = str(run["project"])
    function_ref = parse_function_ref(str(spec.get("function", "")))
    task_ref = parse_task_ref(str(spec.get("task", "")))
    if task_ref is None:
        raise RuntimeExecutionError(f"spec.task {spec.get('task')!r} is not a task reference")
    task = store.get_task(project, task_ref.id)
    if function_ref is None or function_ref.id is None:
        function_ref = parse_function_ref(str(task["spec"].get("function", "")))
    if function_ref is None or function_ref.id is None:
        raise RuntimeExecutionError(f"the run names no function version (spec.function {spec.get('function')!r})")
    function = store.get_function(project, function_ref.id)
    return {**dict(function.get("spec") or {}), **dict(task.get("spec") or {}), **spec}


def _prepare(run: Mapping[str, Any], spec: Mapping[str, Any], files: RunFiles, options: ExecuteOptions) -> Job:
    shutil.rmtree(files.work, ignore_errors=True)
    files.work.mkdir(mode=0o700, parents=True)  # the request, the job and the result are the user's only
    (files.work / "cwd").mkdir()

    def log(text: str) -> None:
        append_note(files.log, text)

    base = (options.repo_root or Path.cwd()).resolve()
    _check_requirements(spec.get("requirements"))
    code = materialise(spec.get("source") or {}, repo_root=base, work=files.work, log=log)
    kwargs = merge_arguments(spec.get("parameters"), resolve_inputs(spec.get("inputs"), base=base, data=files.data))
    outputs, values = output_names(spec.get("outputs")), value_names(spec.get("values"))
    _notes(spec, code.origin, log)
    result = str(files.work / "result.json")
    request = {"code": str(code.folder), "module": code.module, "function": code.function,
               "init_function": code.init_function, "init_parameters": spec.get("init_parameters") or {},
               "origin": code.origin, "kwargs": kwargs, "outputs": outputs, "values": values,
               "artifacts": str(files.artifacts), "result": result}
    request_path = write_private(files.work / "request.json", json.dumps(request))  # the run's parameters
    return Job(project=str(run["project"]), run_id=str(run["id"]), request=str(request_path),
               result=result, cwd=str(files.work / "cwd"), work=str(files.work), log=str(files.log),
               env=task_env(spec.get("envs")), timeout=options.timeout, log_limit=options.log_limit,
               reopen=options.reopen, secrets=tuple(sorted(secret_strings(spec))))


def _check_requirements(requirements: Any) -> None:
    if not requirements:
        return
    missing = unsatisfied([str(r) for r in requirements])
    if missing:
        raise PrepareError(f"requirements not satisfied by {sys.executable}: {'; '.join(missing)}. Install them "
                           "into that environment (the local executor does not install packages)")


def output_names(outputs: Any) -> dict[str, str]:
    """Returned name -> artifact name (`[a, b]` or `{a: name-of-a}`)."""
    if outputs is None:
        return {}
    if isinstance(outputs, Mapping):
        return {str(k): str(v) for k, v in outputs.items()}
    if isinstance(outputs, list):
        return {str(name): str(name) for name in outputs}
    raise PrepareError(f"outputs must be a list of names or a mapping of names, got {type(outputs).__name__}")


def value_names(values: Any) -> list[str]:
    if values is None:
        return []
    if not isinstance(values, list):
        raise PrepareError(f"values must be a list of names, got {type(values).__name__}")
    return [str(name) for name in values]


def task_env(envs: Any) -> dict[str, str]:
    if not envs:
        return {}
    if not isinstance(envs, list) or not all(isinstance(e, Mapping) and "name" in e for e in envs):
        raise PrepareError("envs must be a list of {name, value}")
    return {str(e["name"]): str(e.get("value", "")) for e in envs}


def _notes(spec: Mapping[str, Any], origin: str, log: Callable[[str], None]) -> None:
    here = f"{platform.python_version()} ({sys.executable})"
    log(f"handler `{spec.get('source', {}).get('handler')}` from {origin}, python {here}")
    wanted = str(spec.get("python_version") or "")
    if wanted and wanted != f"PYTHON{sys.version_info.major}_{sys.version_info.minor}":
        log(f"the function asks for {wanted}; the local executor runs python {platform.python_version()}")
    ignored = [name for name in _NOT_APPLIED if spec.get(name)]
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
        record(store, run, READY, executor=executor_info(process.pid))
        process.stdin.write(GO)
    except BaseException:
        with shielded():
            process.kill()
            process.wait()
        raise
    finally:
        process.stdin.close()
