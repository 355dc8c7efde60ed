"""Which files of a spec repository hold specs: the globs of dhsync.yaml, minus hidden folders,
`.dhsync/` and the `ignore` globs; in a stable (sorted) order."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from functools import cache
from pathlib import Path

from dhsync.specs.models.config import CONFIG_FILE, STATE_DIR


@cache
def glob_regex(pattern: str) -> re.Pattern[str]:
    """`**/` is any number of folders, `*` and `?` stay inside one path segment."""
    out, i = "", 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out, i = out + "(?:.*/)?", i + 3
        elif pattern.startswith("**", i):
            out, i = out + ".*", i + 2
        elif pattern[i] == "*":
            out, i = out + "[^/]*", i + 1
        elif pattern[i] == "?":
            out, i = out + "[^/]", i + 1
        else:
            out, i = out + re.escape(pattern[i]), i + 1
    return re.compile(f"^{out}$")


def matches(relative: str, patterns: Iterable[str]) -> bool:
    return _any_of(tuple(patterns)).match(relative) is not None


@cache
def _any_of(patterns: tuple[str, ...]) -> re.Pattern[str]:
    """One regex for a set of globs: one match per file instead of one per glob (20,000 files)."""
    if not patterns:
        return re.compile(r"(?!)")  # matches nothing
    return re.compile("|".join(f"(?:{glob_regex(p).pattern})" for p in patterns))


def discover(root: Path, patterns: Sequence[str], ignore: Sequence[str]) -> list[str]:
    """Spec files under `root` as POSIX paths relative to it, sorted."""
    found: list[str] = []
    wanted, unwanted = _any_of(tuple(patterns)).match, _any_of(tuple(ignore)).match
    for folder, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d != STATE_DIR)
        base = Path(folder).relative_to(root).as_posix()
        for name in filenames:
            relative = name if base == "." else f"{base}/{name}"
            if name.startswith(".") or relative == CONFIG_FILE:
                continue
            if wanted(relative) and not unwanted(relative):
                found.append(relative)
    return sorted(found)
