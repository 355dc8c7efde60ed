"""Protection rules checked before apply writes anything: a blocked change refuses the whole apply (exit 5),
so a plan is applied entirely or not at all when it would destroy what it must not. The plan itself marks
what is blocked (with the overrides given to it), so `plan` shows the same refusals apply would make."""

from __future__ import annotations

from dhsync.model.errors import ProtectedError
from dhsync.model.plan import Blocked, Change, Plan


def _what(change: Change) -> str:
    return f"{change.identity.type} `{change.identity.name}`"


def _refusal(change: Change) -> str | None:
    if change.blocked is Blocked.PROTECTED:
        return (f"{_what(change)} is protected (`protect: true` or policies.protect); remove the protection or "
                "pass --ignore-protect")
    if change.blocked is Blocked.EMPTY_DESIRED:
        return (f"{_what(change)} would be deleted because the repository declares no function at all; if that "
                "is what you want, pass --allow-empty (or set policies.allow_empty)")
    if change.blocked is Blocked.RUN_HISTORY:
        runs = change.dependents.runs if change.dependents is not None else 0
        return (f"deleting {_what(change)} takes {runs} run{'s' if runs != 1 else ''} of history with it; pass "
                "--cascade to delete them too")
    if change.blocked is Blocked.NOT_MANAGED:
        return (f"{_what(change)} exists in the backend but was not made by dhsync (by hand or by the SDK); "
                "taking it over means a later prune may delete it. Pass --adopt (or set policies.adopt), run "
                f"`dhsync import {change.identity.name}`, or rename the declaration")
    if change.blocked is not None:
        return f"{_what(change)} is blocked ({change.blocked})"
    return None


def refusals(plan: Plan) -> list[str]:
    return [why for change in plan.changes if (why := _refusal(change)) is not None]


def check(plan: Plan, *, saved: bool = False) -> None:
    """Raise ProtectedError (exit 5) naming every blocked change and the way out (for a saved plan: making
    it again, since a saved plan is applied as it was made)."""
    found = refusals(plan)
    if found:
        listed = "\n".join(f"  - {why}" for why in found)
        way_out = ("This is a saved plan, applied as it was made: give the flag to `dhsync plan … --out FILE` "
                   "(or leave these changes out with --exclude there) and apply the new file." if saved
                   else "Or leave these changes out with --exclude.")
        raise ProtectedError(f"apply refused, nothing was changed:\n{listed}\n{way_out}")
