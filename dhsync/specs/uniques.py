"""Lists whose items have a natural key: two envs of one name, two volumes of one name or mount path, two
service ports of one port. Kubernetes would keep one of them silently (or refuse the pod at run time)."""

from __future__ import annotations

from typing import Any

from dhsync.specs.issue import Issue

# spec field -> (the key field of its items, the word for one item)
_KEYED = {
    "envs": (("name", "env"),),
    "volumes": (("name", "volume"), ("mount_path", "mount path")),
    "service_ports": (("port", "service port"),),
    "node_selector": (("key", "node selector"),),
}


def duplicate_items(spec: Any, doc: int) -> list[Issue]:
    """An issue at each repeated item, naming where the first one is (its field path; the loader adds lines)."""
    if not isinstance(spec, dict):
        return []
    issues: list[Issue] = []
    for field, keys in _KEYED.items():
        items = spec.get(field)
        if isinstance(items, list):
            for key, word in keys:
                issues.extend(_repeats(items, field, key, word, doc))
    secrets = spec.get("secrets")
    if isinstance(secrets, list):
        issues.extend(_repeats([{"": s} for s in secrets], "secrets", "", "secret", doc))
    return issues


def _repeats(items: list[Any], field: str, key: str, word: str, doc: int) -> list[Issue]:
    first: dict[Any, int] = {}
    out: list[Issue] = []
    for index, item in enumerate(items):
        value = item.get(key) if isinstance(item, dict) else None
        if value is None or not isinstance(value, (str, int)) or isinstance(value, bool):
            continue
        if value not in first:
            first[value] = index
            continue
        path = ("spec", field, index) + ((key,) if key else ())
        first_path = ("spec", field, first[value]) + ((key,) if key else ())
        out.append(Issue("duplicate-item", f"{word} `{value}` is declared twice in `{field}`", doc, path,
                         f"give each {word} its own {'value' if not key else key.replace('_', ' ')}",
                         first=first_path))
    return out
