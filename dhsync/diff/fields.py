"""Field-level differences between two normalised documents (deepdiff), as FieldChanges.

Paths read like `spec.envs[MODE].value`: a list of mappings that all carry a distinct `name` (or
`key`) is compared element by element under that name; any other list is compared as a whole, so a
label added shows as `metadata.labels: [a] -> [a, b]`, not as an index shuffle. Values come from
the masked documents: a secret that changed is reported without its value.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping, Sequence
from functools import cache, partial
from typing import Any

from dhsync.diff.secrets import MASK, contains_mask
from dhsync.model.plan import FieldChange, FieldChangeKind

PathPart = str | int
_ABSENT = object()


def _element_name(item: Any) -> str | None:
    if isinstance(item, Mapping):
        for field in ("name", "key"):
            if isinstance(item.get(field), str):
                return str(item[field])
    return None


def _view(value: Any) -> Any:
    """Named lists become mappings keyed `[name]`, so deepdiff pairs elements by name, not index."""
    if isinstance(value, Mapping):
        return {k: _view(v) for k, v in value.items()}
    if isinstance(value, list) and value:
        names = [_element_name(item) for item in value]
        if all(n is not None for n in names) and len(set(names)) == len(names):
            return {f"[{n}]": _view(item) for n, item in zip(names, value, strict=True)}
    return value


@cache
def _deepdiff() -> Callable[..., Any]:
    from deepdiff import DeepDiff  # imported on use: it costs ~0.2 s and most plans need no field diff

    # Threshold 0: always name the fields, even when two mappings share no key; deepdiff 8 would report
    # the whole mapping (`spec` for a function whose kind changed). deepdiff 7 has no such threshold.
    if "threshold_to_diff_deeper" in inspect.signature(DeepDiff.__init__).parameters:
        return partial(DeepDiff, view="tree", threshold_to_diff_deeper=0)
    return partial(DeepDiff, view="tree")


def _narrow(before: Any, after: Any) -> tuple[Any, Any, tuple[PathPart, ...]]:
    """Descend while exactly one key differs and both sides of it are mappings: deepdiff then walks
    only the part that changed (a new version usually changes one field of `spec`)."""
    prefix: tuple[PathPart, ...] = ()
    while isinstance(before, Mapping) and isinstance(after, Mapping):
        differing = [k for k in before.keys() | after.keys() if before.get(k, _ABSENT) != after.get(k, _ABSENT)]
        if len(differing) != 1:
            break
        key = differing[0]
        if not (isinstance(before.get(key), Mapping) and isinstance(after.get(key), Mapping)):
            break
        before, after, prefix = before[key], after[key], (*prefix, key)
    return before, after, prefix


def _leaf_keys(before: Any, after: Any) -> list[str] | None:
    """The differing keys of two mappings when none of them holds a mapping on both sides (each is then
    one changed field and no deeper diff is needed); None otherwise."""
    if not (isinstance(before, Mapping) and isinstance(after, Mapping)):
        return None
    keys = [k for k in before.keys() | after.keys() if before.get(k, _ABSENT) != after.get(k, _ABSENT)]
    if any(isinstance(before.get(k), Mapping) and isinstance(after.get(k), Mapping) for k in keys):
        return None
    return keys


def _changed_paths(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[tuple[PathPart, ...]]:
    old, new, prefix = _narrow(_view(before), _view(after))
    leaves = _leaf_keys(old, new)
    if leaves is not None:  # the common case, one or a few fields of one mapping
        return sorted(((*prefix, key) for key in leaves), key=lambda p: [str(x) for x in p])
    tree = _deepdiff()(old, new)
    seen: dict[tuple[PathPart, ...], None] = {}
    for levels in tree.values():
        for level in levels:
            parts = level.path(output_format="list")
            cut = next((i for i, p in enumerate(parts) if isinstance(p, int)), len(parts))
            seen.setdefault((*prefix, *parts[:cut]), None)
    return sorted(seen, key=lambda p: [str(x) for x in p])


def lookup(doc: Any, path: Sequence[PathPart]) -> Any:
    """The value at `path` (with `[name]` parts), or _ABSENT; MASK for anything inside a masked value."""
    current = doc
    for part in path:
        if current == MASK:
            return MASK  # the secret's inner structure is its value too
        if isinstance(part, str) and part.startswith("[") and isinstance(current, list):
            current = next((item for item in current if f"[{_element_name(item)}]" == part), _ABSENT)
        elif isinstance(current, Mapping) and part in current:
            current = current[part]
        else:
            return _ABSENT
        if current is _ABSENT:
            return _ABSENT
    return current


def format_path(path: Sequence[PathPart]) -> str:
    text = ""
    for part in path:
        part = str(part)
        text += part if part.startswith("[") or not text else f".{part}"
    return text


def _up_to_mask(path: tuple[PathPart, ...], shown_before: Any, shown_after: Any) -> tuple[PathPart, ...]:
    """`path` cut where a masked value begins: the keys inside a credential are part of the secret."""
    for end in range(1, len(path)):
        if lookup(shown_before, path[:end]) == MASK or lookup(shown_after, path[:end]) == MASK:
            return path[:end]
    return path


def field_changes(before: Mapping[str, Any], after: Mapping[str, Any], shown_before: Mapping[str, Any],
                  shown_after: Mapping[str, Any]) -> tuple[FieldChange, ...]:
    """What differs between `before` and `after`; values are taken from the masked `shown_*` copies."""
    changes = []
    paths = dict.fromkeys(_up_to_mask(p, shown_before, shown_after) for p in _changed_paths(before, after))
    for path in paths:
        old, new = lookup(shown_before, path), lookup(shown_after, path)
        kind = (FieldChangeKind.ADDED if old is _ABSENT else
                FieldChangeKind.REMOVED if new is _ABSENT else FieldChangeKind.CHANGED)
        old = None if old is _ABSENT else old
        new = None if new is _ABSENT else new
        secret = contains_mask(old) or contains_mask(new)
        changes.append(FieldChange(format_path(path), kind, old, new, secret))
    return tuple(changes)
