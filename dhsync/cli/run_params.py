"""`--param NAME=VALUE`: a handler's keyword argument from the command line, its value read as YAML."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from dhsync.model.errors import InvalidInputError
from dhsync.specs.yamlio import parse


def parse_params(given: Iterable[str]) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for text in given:
        name, value = parse_param(text)
        if name in params:
            raise InvalidInputError(f"--param `{name}` is given twice; give each parameter once")
        params[name] = value
    return params


def parse_param(text: str) -> tuple[str, Any]:
    """`horizon=7` -> ("horizon", 7). YAML 1.2 as in the spec files (`yes` stays text, `010` is ten);
    `[…]` and `{…}` are a list and a mapping; anything else that is not one YAML scalar (`a: b`,
    `x, y`) is the text as typed, so a message with a colon needs no quoting."""
    name, sep, raw = text.partition("=")
    if not sep or not name.strip():
        raise InvalidInputError(f"--param `{text}` is not NAME=VALUE (e.g. --param horizon=7)")
    name = name.strip()
    values, problems = parse(raw, f"--param {name}")
    if raw.lstrip().startswith(("[", "{")):
        if problems:
            raise InvalidInputError(f"--param {name}: `{raw}` is not a YAML list or mapping: {problems[0].message}")
        return name, values[0]
    if problems or len(values) != 1 or isinstance(values[0], dict | list):
        return name, raw
    return name, values[0]
