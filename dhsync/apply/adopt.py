"""`dhsync import NAME…`: take over functions that exist in the backend but were made outside dhsync, as
Terraform's `import` does: every stored version of each gets dhsync's mark and nothing else changes. The
next plan then compares them with their declarations like any function dhsync made."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from dhsync.apply.bodies import new_id
from dhsync.apply.journal import Journal, journal_folder
from dhsync.apply.lock import DEFAULT_TTL, holding, lock_owner
from dhsync.apply.session import Session
from dhsync.apply.steps import mark_managed
from dhsync.backends.base import Backend
from dhsync.diff.marks import is_managed
from dhsync.model.entities import DesiredState, Identity
from dhsync.model.errors import InvalidInputError, NotFoundError
from dhsync.model.kinds import EntityType
from dhsync.model.plan import Action, Change, Reason
from dhsync.model.state import Entity
from dhsync.plan.actual import ActualIndex
from dhsync.plan.desired import arrange


@dataclass(frozen=True)
class Imported:
    name: str
    # the versions that got the mark now; none when dhsync already managed the function
    marked: tuple[str, ...]
    versions: int


def _declared(desired: DesiredState, names: Sequence[str]) -> None:
    known = {e.name for e in desired.entities if e.identity.type is EntityType.FUNCTION}
    missing = [n for n in names if n not in known]
    if missing:
        listed = ", ".join(f"`{n}`" for n in missing)
        raise InvalidInputError(f"{listed} {'is' if len(missing) == 1 else 'are'} not declared in the repository; "
                                "`dhsync import` adopts functions the repository declares. Declare it first "
                                "(`Function.export()` writes a file to start from)")


def _versions(functions: Sequence[Entity], project: str, name: str) -> list[Entity]:
    found = [fn for fn in functions if fn.get("name") == name]
    if not found:
        raise NotFoundError("function", name, project, hint="there is nothing to import; `dhsync apply` creates it")
    return found


def import_functions(backend: Backend, desired: DesiredState, names: Sequence[str], *, ttl: float = DEFAULT_TTL,
                     lock_timeout: float = 0.0) -> list[Imported]:
    """Mark every version of each named function as dhsync's, under the apply lock and in its journal (so an
    interrupted apply's lines stay for the next apply to act on). All names are checked before anything is
    written; marking again what is marked already is nothing to do, so an interrupted import is run again."""
    _declared(desired, names)
    project = desired.project
    with holding(backend, project, lock_owner("dhsync import"), ttl, timeout=lock_timeout) as lock:
        actual = backend.read_state(project)
        found = {name: _versions(actual.functions, project, name) for name in dict.fromkeys(names)}
        journal = Journal(journal_folder(backend), project, new_id())
        session = Session(backend, project, arrange(desired), ActualIndex.build(actual), journal, lock)
        try:
            return [_mark(session, name, versions) for name, versions in found.items()]
        finally:
            journal.close()


def _mark(session: Session, name: str, versions: Sequence[Entity]) -> Imported:
    change = Change(Action.ADOPT, Identity(EntityType.FUNCTION, session.project, name), str(versions[0]["kind"]),
                    Reason.MADE_OUTSIDE)
    marked = [str(mark_managed(session, change, version)["id"]) for version in versions if not is_managed(version)]
    return Imported(name, tuple(marked), len(versions))
