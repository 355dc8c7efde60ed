"""`--param NAME=VALUE`: how a typed value becomes a handler's argument (YAML 1.2, as in the spec files)."""

from __future__ import annotations

from typing import Any

import pytest

from dhsync.cli.run_params import parse_param, parse_params
from dhsync.model.errors import InvalidInputError


@pytest.mark.parametrize(("text", "expected"), [
    ("horizon=7", ("horizon", 7)),
    ("rate=0.5", ("rate", 0.5)),
    ("dry=true", ("dry", True)),
    ("answer=yes", ("answer", "yes")),            # YAML 1.2: yes is text
    ("code=010", ("code", 10)),                    # YAML 1.2: no octal surprise
    ("zip='007'", ("zip", "007")),                 # quotes keep text text
    ("day=2026-11-03", ("day", "2026-11-03")),    # dates stay strings
    ("none=null", ("none", None)),
    ("empty=", ("empty", "")),
    ("numbers=[3, 1, 4]", ("numbers", [3, 1, 4])),
    ("limits={low: 1, high: 9}", ("limits", {"low": 1, "high": 9})),
    ("note=hi: all", ("note", "hi: all")),         # not a mapping: the text as typed
    ("regions=north, south", ("regions", "north, south")),
    ("expr=a=b", ("expr", "a=b")),                 # only the first = separates the name
    (" spaced =1", ("spaced", 1)),
])
def test_a_value_is_read_as_yaml_the_way_the_spec_files_are(text: str, expected: tuple[str, Any]) -> None:
    assert parse_param(text) == expected


@pytest.mark.parametrize(("given", "message"), [
    (["horizon"], "--param `horizon` is not NAME=VALUE (e.g. --param horizon=7)"),
    (["=7"], "--param `=7` is not NAME=VALUE"),
    (["numbers=[1, 2"], "--param numbers: `[1, 2` is not a YAML list or mapping: not valid YAML"),
    (["a=1", "a=2"], "--param `a` is given twice; give each parameter once"),
])
def test_malformed_params_are_refused_naming_them(given: list[str], message: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        parse_params(given)
    assert str(caught.value).startswith(message)
