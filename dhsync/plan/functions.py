"""Functions: create, new version (the spec or code changed), update in place (description, labels,
protection), or nothing."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from dhsync.diff.compare import compare, part, same
from dhsync.diff.marks import PROTECTED, is_protected, labels_of, user_labels
from dhsync.diff.normalise import desired_content, function_content
from dhsync.diff.secrets import NO_RULES, mask, mask_pair
from dhsync.model.entities import USER_METADATA, DesiredEntity
from dhsync.model.plan import Action, Change, Reason, SecretRules
from dhsync.model.state import Entity

_SPEC_PART = ("kind", "spec")
_METADATA_PART = ("metadata", "protect")
_PLAIN_METADATA = tuple(key for key in USER_METADATA if key != "labels")


def actual_content(function: Mapping[str, Any]) -> dict[str, Any]:
    return function_content(str(function["kind"]), function.get("metadata") or {}, function.get("spec") or {},
                            is_protected(function))


def _same_as_stored(desired: DesiredEntity, actual: Mapping[str, Any]) -> bool:
    """The fast path: what dhsync stored from this very declaration compares equal as plain values,
    so the common "nothing changed" case costs no normalisation at all."""
    if desired.kind != actual.get("kind") or desired.spec != actual.get("spec"):
        return False
    meta, wanted = actual.get("metadata") or {}, desired.metadata
    if any(wanted.get(key) != meta.get(key) for key in _PLAIN_METADATA):
        return False
    labels = labels_of(actual)
    return user_labels(labels) == list(wanted.get("labels") or []) and desired.protect == (PROTECTED in labels)


def plan_function(desired: DesiredEntity, actual: Entity | None, ignore: Sequence[str],
                  secrets: SecretRules = NO_RULES) -> Change | None:
    """`secrets`: the repository's own secret rules (dhsync.yaml `secrets:`), for what the change shows."""
    if actual is None:
        after = desired_content(desired)
        return Change(Action.CREATE, desired.identity, desired.kind, Reason.NOT_IN_BACKEND,
                      after=mask(after, rules=secrets))
    if _same_as_stored(desired, actual):
        return None  # before any normalisation: this is the common case and must stay cheap
    before, after = actual_content(actual), desired_content(desired)
    if not same(part(before, _SPEC_PART), part(after, _SPEC_PART), ignore):
        diff = compare(before, after, ignore, known_different=True, rules=secrets)  # the one field-level diff
        shown = (diff.shown_before, diff.shown_after) if not ignore else mask_pair(before, after, secrets)
        return Change(Action.NEW_VERSION, desired.identity, desired.kind, Reason.SPEC_CHANGED, *shown, diff.fields)
    metadata = compare(part(before, _METADATA_PART), part(after, _METADATA_PART), ignore, rules=secrets)
    if metadata.same:
        return None
    return Change(Action.UPDATE, desired.identity, desired.kind, Reason.METADATA_CHANGED,
                  *mask_pair(before, after, secrets), metadata.fields)
