"""Finding runs the way people name them: a run id, a unique id prefix, or the declared run that made it.

Runs come newest first (the order the backends list them in). Declared runs are found through the
labels dhsync writes on the runs it triggers (`dhsync/run=<name>`, see `dhsync.diff.marks`), so a
name finds the runs of `dhsync apply` and of `dhsync run NAME` alike.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from dhsync.backends.base import Backend
from dhsync.diff.marks import trigger_record
from dhsync.model.errors import InvalidInputError, NotFoundError
from dhsync.model.refs import parse_function_ref

MIN_PREFIX = 6
_PAGE_SIZE = 500
_HINT = ("give a run id, an id prefix of at least {n} characters, or the name of a declared run that has run; "
         "`dhsync runs` lists them")


def iter_runs(backend: Backend, project: str, *, function: str | None = None,
              state: str | None = None) -> Iterator[dict[str, Any]]:
    """Every run of `project` (of one function reference, in one state), newest first, page by page."""
    page = 0
    while True:
        found = backend.list_runs(project, function=function, state=state, page=page, size=_PAGE_SIZE)
        yield from (dict(run) for run in found.items)
        if found.last or not found.items:
            return
        page += 1


def declared_name(run: Mapping[str, Any]) -> str | None:
    """The declared run that made `run` (by `dhsync apply` or `dhsync run NAME`), else None."""
    record = trigger_record(run)
    return record.declaration if record is not None else None


def function_name(run: Mapping[str, Any]) -> str | None:
    ref = parse_function_ref(str((run.get("spec") or {}).get("function", "")))
    return ref.name if ref is not None else None


def find_run(backend: Backend, project: str, wanted: str) -> dict[str, Any]:
    """The run `wanted` names: its id, a unique prefix of it, or a declared run (its newest run)."""
    wanted = wanted.strip()
    if not wanted:
        raise InvalidInputError("the run to look for is empty; " + _HINT.format(n=MIN_PREFIX))
    try:
        return backend.get_run(project, wanted)
    except NotFoundError:
        pass
    if len(wanted) >= MIN_PREFIX:
        by_prefix = [run for run in iter_runs(backend, project) if str(run["id"]).startswith(wanted.lower())]
        if len(by_prefix) == 1:
            return by_prefix[0]
        if by_prefix:
            shown = ", ".join(str(run["id"])[:12] + "…" for run in by_prefix[:5])
            raise InvalidInputError(f"`{wanted}` is the beginning of {len(by_prefix)} run ids ({shown}); give more "
                                    "of the id")
    named = next((run for run in iter_runs(backend, project) if declared_name(run) == wanted), None)
    if named is not None:
        return named
    raise NotFoundError("run", wanted, project, hint=_HINT.format(n=MIN_PREFIX))
