"""A `python+job` run on this machine: build its spec, prepare what it needs, start it.

CREATED -> BUILT (spec = function spec ∪ task spec ∪ run spec, the run's own fields winning, as the
SDK's local build does) -> READY (code on disk, inputs found, requirements met) -> the supervisor.
Anything missing before the start ends the run in ERROR with a message naming it.
"""

from __future__ import annotations

import json
import platform
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from dhsync.model.errors import DhsyncError, RuntimeExecutionError
from dhsync.model.refs import parse_function_ref, parse_task_ref
from dhsync.runtimes.base import ExecuteOptions, RunStore
from dhsync.runtimes.lifecycle import BUILT, ERROR, READY, STOPPED, record, require_created
from dhsync.runtimes.local.errors import PrepareError
from dhsync.runtimes.local.files import RunFiles
from dhsync.runtimes.local.inputs import merge_arguments, resolve_inputs
from dhsync.runtimes.local.job_file import Job, write_private
from dhsync.runtimes.local.logsink import append_note
from dhsync.runtimes.local.requirements import unsatisfied
from dhsync.runtimes.local.sources import materialise
from dhsync.runtimes.local.supervise import child_env, shielded, supervise

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
    try:
        return _execute(store, run, options)
    except KeyboardInterrupt:
        # Ctrl-C before the handler started (a slow clone, say): the run must not stay BUILT or READY
        # with nothing to execute it. Once the handler runs, the supervisor has recorded STOPPED already.
        with shielded():
            record(store, run, STOPPED, message="interrupted (SIGINT) before the handler started")
            shutil.rmtree(RunFiles(store.data_dir(), str(run["id"])).work, ignore_errors=True)
        raise


def _execute(store: RunStore, run: Mapping[str, Any], options: ExecuteOptions) -> dict[str, Any]:
    files = RunFiles(store.data_dir(), str(run["id"]))
    try:
        spec = built_spec(store, run)
    except DhsyncError as exc:
        return record(store, run, ERROR, message=f"cannot build the run: {exc}")
    run = record(store, run, BUILT, spec=spec)
    try:
        job = _prepare(run, spec, files, options)
    except PrepareError as exc:
        append_note(files.log, f"the run did not start: {exc}")
        shutil.rmtree(files.work, ignore_errors=True)
        return record(store, run, ERROR, message=str(exc))
    record(store, run, READY)
    return supervise(store, job) if options.wait else _detach(store, job, files)


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
               reopen=options.reopen)


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


def _detach(store: RunStore, job: Job, files: RunFiles) -> dict[str, Any]:
    job_path = job.save(files.work / "job.json")
    _detached[:] = [process for process in _detached if process.poll() is None]  # reap finished ones
    with files.log.open("ab") as log:
        # Its own session: the supervisor outlives the caller and no terminal signal reaches it.
        _detached.append(subprocess.Popen(
            [sys.executable, "-m", DETACHED_MODULE, str(job_path)], env=child_env({}), stdin=subprocess.DEVNULL,
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True, close_fds=True))
    return store.get_run(job.project, job.run_id)
