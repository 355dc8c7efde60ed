"""Declared functions that exist in the backend but were made outside dhsync (by hand, by the SDK).

dhsync never takes such a function over silently: once it is marked managed, removing its declaration
would prune someone else's work. The plan shows it as `adopt` (with what would change in it), blocked
unless the user said to adopt (`--adopt`, policies.adopt, or `dhsync import NAME`).
"""

from __future__ import annotations

from dhsync.diff.normalise import desired_content
from dhsync.diff.secrets import mask
from dhsync.model.entities import DesiredEntity
from dhsync.model.plan import Action, Blocked, Change, Reason, SecretRules
from dhsync.model.state import Entity
from dhsync.plan.functions import actual_content


def plan_adopt(desired: DesiredEntity, latest: Entity, change: Change | None, allowed: bool,
               rules: SecretRules) -> Change:
    """The adopt change for `desired`, whose latest stored version `latest` carries no dhsync mark; `change`
    is what the plan would do to it were it dhsync's (None: its content already matches)."""
    blocked = None if allowed else Blocked.NOT_MANAGED
    if change is None:
        return Change(Action.ADOPT, desired.identity, desired.kind, Reason.MADE_OUTSIDE,
                      before=mask(actual_content(latest), rules=rules),
                      after=mask(desired_content(desired), rules=rules), blocked=blocked)
    return Change(Action.ADOPT, desired.identity, desired.kind, Reason.MADE_OUTSIDE, change.before, change.after,
                  change.fields, blocked=blocked)
