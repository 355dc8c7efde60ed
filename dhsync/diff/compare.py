"""Compare two normalised documents: hashes first, the field-level diff only when they differ."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from dhsync.diff.fields import field_changes
from dhsync.diff.hashing import content_hash
from dhsync.diff.normalise import without_paths
from dhsync.diff.secrets import NO_RULES, mask_pair
from dhsync.model.plan import FieldChange, SecretRules


@dataclass(frozen=True)
class Comparison:
    same: bool
    fields: tuple[FieldChange, ...]
    # the two documents as compared, masked alike (None when they are the same)
    shown_before: dict[str, Any] | None = None
    shown_after: dict[str, Any] | None = None


def compare(before: Mapping[str, Any], after: Mapping[str, Any], ignore: Sequence[str] = (), *,
            known_different: bool = False, rules: SecretRules = NO_RULES) -> Comparison:
    """Whether `before` and `after` hold the same content once the `ignore` paths are set aside, and
    if not, which fields differ (secrets masked, by the repository's `rules` too). `known_different`
    skips the hashes when the caller has compared them already."""
    old, new = (without_paths(before, ignore), without_paths(after, ignore)) if ignore else (before, after)
    if not known_different and content_hash(old) == content_hash(new):
        return Comparison(True, ())
    shown_old, shown_new = mask_pair(old, new, rules)
    assert shown_old is not None and shown_new is not None
    return Comparison(False, field_changes(old, new, shown_old, shown_new), shown_old, shown_new)


def same(before: Mapping[str, Any], after: Mapping[str, Any], ignore: Sequence[str] = ()) -> bool:
    """`compare(...).same` without the field-level diff: hashes only."""
    return content_hash(without_paths(before, ignore)) == content_hash(without_paths(after, ignore))


def part(doc: Mapping[str, Any], keys: Sequence[str]) -> dict[str, Any]:
    return {k: doc[k] for k in keys if k in doc}
