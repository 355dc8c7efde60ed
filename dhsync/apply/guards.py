"""Protection rules checked before apply writes anything: a refused change refuses the whole apply
(exit 5), so a plan is applied entirely or not at all when it would destroy what it must not."""

from __future__ import annotations

from dataclasses import dataclass

from dhsync.model.errors import ProtectedError
from dhsync.model.plan import Action, Blocked, Change, Plan


@dataclass(frozen=True)
class Overrides:
    cascade: bool = False
    ignore_protect: bool = False


def _what(change: Change) -> str:
    return f"{change.identity.type} `{change.identity.name}`"


def _refusal(change: Change, overrides: Overrides) -> str | None:
    if change.blocked is Blocked.PROTECTED and not overrides.ignore_protect:
        return (f"{_what(change)} is protected (`protect: true` or policies.protect); remove the protection or "
                "pass --ignore-protect")
    if change.blocked is Blocked.EMPTY_DESIRED:
        return (f"{_what(change)} would be deleted because the repository declares no function at all; if that "
                "is what you want, pass --allow-empty (or set policies.allow_empty)")
    runs = change.dependents.runs if change.dependents is not None else 0
    if change.action is Action.DELETE and runs and not overrides.cascade:
        return (f"deleting {_what(change)} takes {runs} run{'s' if runs != 1 else ''} of history with it; pass "
                "--cascade to delete them too")
    return None


def refusals(plan: Plan, overrides: Overrides) -> list[str]:
    return [why for change in plan.changes if (why := _refusal(change, overrides)) is not None]


def check(plan: Plan, overrides: Overrides) -> None:
    """Raise ProtectedError (exit 5) naming every refused change and the way out."""
    found = refusals(plan, overrides)
    if found:
        listed = "\n".join(f"  - {why}" for why in found)
        raise ProtectedError(f"apply refused, nothing was changed:\n{listed}\n"
                             "Or leave these changes out with --exclude.")
