"""Did-you-mean suggestions for misspelt fields and kinds."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    options = sorted(set(choices))
    matches = difflib.get_close_matches(word, options, n=1, cutoff=0.7)
    if not matches:
        lowered = {c.lower(): c for c in options}
        if word.lower() in lowered:
            matches = [lowered[word.lower()]]
        else:  # `3.11` -> `PYTHON3_11`: the same digits and letters inside a longer option
            bare = _alnum(word)
            matches = [c for c in options if bare and bare in _alnum(c)][:1]
    return f"did you mean `{matches[0]}`?" if matches else None


def _alnum(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())
