"""Small pieces every view shares: values on one line, plurals, and colours."""

from __future__ import annotations

from typing import Any

import orjson

MAX_VALUE = 72
ESC = "\x1b["
COLORS = {"green": "32", "yellow": "33", "red": "31", "cyan": "36", "magenta": "35", "bold": "1", "dim": "2"}


DIGEST_SHOWN = 12


def _short_digests(value: Any) -> Any:
    # code is compared as `sha256:<64 hex>`; a dozen hex digits tell two versions apart on screen
    if isinstance(value, str) and value.startswith("sha256:") and len(value) == 71:
        return value[: 7 + DIGEST_SHOWN] + "…"
    return value


def one_line(value: Any, limit: int = MAX_VALUE) -> str:
    """A value as compact JSON on one line, cut with `…` past `limit` characters."""
    text = orjson.dumps(_short_digests(value), option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS).decode()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def plural(count: int, word: str, words: str | None = None) -> str:
    return f"{count} {word if count == 1 else (words or word + 's')}"


def paint(text: str, color: str | None, enabled: bool) -> str:
    if not enabled or color is None:
        return text
    return f"{ESC}{COLORS[color]}m{text}{ESC}0m"
