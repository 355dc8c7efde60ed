"""Does this interpreter satisfy a function's `requirements`? Checked before the run starts.

The local executor runs handlers with the interpreter dhsync runs in; it does not install packages.
Requirements are PEP 508 strings: a name, optional extras, version specifiers (==, !=, <, <=, >, >=,
~=, ===, `.*` wildcards), an optional `; marker` (evaluated when the `packaging` library is present).
Versions are compared by their release numbers (1.26.4); pre-release tags are not ordered.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from importlib import metadata
from itertools import zip_longest

_REQ_RE = re.compile(r"^\s*(?P<name>[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(?:\[[^\]]*\])?\s*"
                     r"(?P<spec>[^;@]*?)\s*(?:@[^;]*)?(?:;(?P<marker>.*))?$")
_SPEC_RE = re.compile(r"^\s*(?P<op>~=|===|==|!=|<=|>=|<|>)\s*(?P<version>[A-Za-z0-9.*+!_-]+)\s*$")
_RELEASE_RE = re.compile(r"^\s*v?(?:\d+!)?(?P<release>\d+(?:\.\d+)*)")


@lru_cache(maxsize=4096)  # validate checks every function; a repository repeats the same few requirements
def requirement_problem(text: str) -> str | None:
    """Why `text` is not a requirement this module understands, or None."""
    match = _REQ_RE.match(text)
    if match is None:
        return f"requirement `{text}` is not `name[extras] <op> version` (PEP 508)"
    for spec in _specs(match["spec"]):
        if _SPEC_RE.match(spec) is None:
            return f"requirement `{text}`: `{spec}` is not `<op> version` (==, !=, <, <=, >, >=, ~=)"
    return None


def unsatisfied(requirements: Iterable[str]) -> list[str]:
    """One line per requirement this interpreter does not meet, e.g. `pandas>=2 (not installed)`."""
    missing = []
    for text in requirements:
        problem = requirement_problem(text)
        if problem is not None:
            missing.append(f"{text} ({problem})")
            continue
        match = _REQ_RE.match(text)
        assert match is not None
        if match["marker"] and not _marker_applies(match["marker"]):
            continue
        installed = _installed(match["name"])
        if installed is None:
            missing.append(f"{text.strip()} (not installed)")
        elif not all(_meets(installed, spec) for spec in _specs(match["spec"])):
            missing.append(f"{text.strip()} (installed: {installed})")
    return missing


def _specs(text: str | None) -> list[str]:
    return [part for part in (text or "").split(",") if part.strip()]


def _installed(name: str) -> str | None:
    for candidate in dict.fromkeys((name, name.replace("-", "_"), name.replace("_", "-"))):
        try:
            return metadata.version(candidate)
        except metadata.PackageNotFoundError:
            continue
    return None


def _meets(installed: str, spec: str) -> bool:
    match = _SPEC_RE.match(spec)
    assert match is not None
    op, wanted = match["op"], match["version"]
    if op == "===":
        return installed == wanted
    if wanted.endswith(".*"):
        prefix = _release(wanted[:-2])
        same = _release(installed)[:len(prefix)] == prefix
        return same if op == "==" else not same if op == "!=" else False
    order = _compare(_release(installed), _release(wanted))
    if op == "~=":
        prefix = _release(wanted)[:-1] or _release(wanted)
        return order >= 0 and _release(installed)[:len(prefix)] == prefix
    return {"==": order == 0, "!=": order != 0, "<": order < 0, "<=": order <= 0,
            ">": order > 0, ">=": order >= 0}[op]


def _release(version: str) -> tuple[int, ...]:
    match = _RELEASE_RE.match(version)
    return tuple(int(part) for part in match["release"].split(".")) if match else (0,)


def _compare(left: tuple[int, ...], right: tuple[int, ...]) -> int:
    for a, b in zip_longest(left, right, fillvalue=0):
        if a != b:
            return -1 if a < b else 1
    return 0


def _marker_applies(marker: str) -> bool:
    try:
        from packaging.markers import InvalidMarker, Marker
    except ImportError:  # without packaging, a requirement with a marker is checked as if it applied
        return True
    try:
        return Marker(marker).evaluate()
    except InvalidMarker:
        return True
