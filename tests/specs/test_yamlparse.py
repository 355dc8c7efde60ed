"""The fast value builder agrees with PyYAML's constructor, or leaves the file to it.

`load_fast` may return None for any file; when it returns values they must be exactly what `load_slow`
(PyYAML's own constructor with the same resolver) returns: same types, same key order, same lines.
"""

from __future__ import annotations

import random
from typing import Any

import pytest

from dhsync.specs.yamlio import parse
from dhsync.specs.yamlparse import MAX_DEPTH, load_fast, load_slow

# Files the fast path must take (and agree on).
TAKEN = [
    "",
    "# only a comment\n",
    "a: 1\n",
    "a: 1\n---\nb: 2\n",
    "a: 1\n---\n---\nb: 2\n",
    "--- {a: 1}\n--- [1, 2]\n--- plain\n",
    "%YAML 1.2\n---\na: 1\n...\n",
    "a: yes\nb: on\nc: true\nd: TRUE\ne: False\nf: null\ng: ~\nh:\ni: NULL\n",
    "a: 010\nb: 0o17\nc: 0x1F\nd: -5\ne: +7\nf: 1_000\ng: 0b1\n",
    "a: 1.5\nb: .5\nc: 1.\nd: 1e3\ne: -1.5E-3\nf: .inf\ng: -.Inf\nh: .nan\ni: +.INF\n",
    "a: 2026-01-01\nb: 12:30\nc: '3'\nd: \"true\"\ne: !!str 5\nf: ! 5\n",
    "a: !!int 7\nb: !!float 1\nc: !!bool yes\nd: !!null x\ne: !!float 1:30\n",
    "1: a\n'1': b\nfalse: c\nnull: d\n1.5: e\n",
    "a: |\n  line one\n  line two\nb: >-\n  folded\n  text\n",
    "a: [1, {b: [c, {d: e}]}]\nf: {}\ng: []\n",
    "- a\n- - b\n  - c\n- {d: 1}\n",
    "kind: python\nurl: http://x/?a=1\n",
    "é: ü\n'key with spaces': \"tab\\there\"\n",
    "x: " + "[" * MAX_DEPTH + "]" * MAX_DEPTH + "\n",  # as deep as allowed
]

# Files it must leave to PyYAML's constructor: anchors, unusual tags, duplicates, too deep, broken.
LEFT = [
    "a: &x 1\nb: *x\n",
    "a: 'R&D'\n",
    "a: 1\na: 2\n",
    "1: a\n01: b\n",
    "1: a\ntrue: b\n",  # equal keys (1 == True), not duplicates to PyYAML
    "? [a, b]\n: 1\n",
    "a: !!binary aGVsbG8=\n",
    "a: !!timestamp 2026-01-01\n",
    "a: !!set {x, y}\n",
    "a: !!omap [x: 1]\n",
    "a: !custom 1\n",
    "a: !!int abc\n",
    "a: !!bool maybe\n",
    "a: !!float nope\n",
    "!!merge a: {b: 1}\n",
    "a: [1, 2\n",
    "a: b: c\n",
    "a:\n\tb: 1\n",
    "x: " + "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1) + "\n",
    "x:\n  " + "- " * (MAX_DEPTH + 1) + "y\n",
]


def _same(text: str) -> None:
    fast = load_fast(text)
    try:
        slow: Any = load_slow(text)
    except Exception as exc:  # an error must not be taken by the fast path
        assert fast is None, f"fast path took a file PyYAML refuses ({exc})"
        return
    if fast is not None:
        assert repr(fast) == repr(slow)  # repr: True is not 1, 1.0 is not 1, nan is nan


@pytest.mark.parametrize("text", TAKEN)
def test_the_fast_path_takes_plain_files_and_agrees(text: str) -> None:
    assert load_fast(text) is not None
    _same(text)


@pytest.mark.parametrize("text", LEFT)
def test_anything_unusual_is_left_to_pyyaml(text: str) -> None:
    assert load_fast(text) is None
    _same(text)


def test_random_documents_agree() -> None:
    rng = random.Random(2)
    pieces = ["1", "-1", "010", "0x1f", "1.5", ".nan", "true", "False", "null", "~", "''", "'1'", "yes",
              "x", "2026-01-01", "!!str 1", "!!float 2", "{}", "[]", "[1, a]", "{a: 1}"]
    for _ in range(300):
        lines = []
        for depth in range(rng.randint(1, 6)):
            key = rng.choice(["a", "b", "1", "true", "null", "1.5", "c d"])
            lines.append("  " * depth + f"{key}:" + ("" if rng.random() < 0.5 else " " + rng.choice(pieces)))
        _same("\n".join(lines) + "\n")


@pytest.mark.parametrize(("text", "code"), [
    ("a:\n  " + "- " * (MAX_DEPTH + 1) + "y\n", "too-deep"),  # compact lists nest without indenting
    ("a: " + "{b: " * (MAX_DEPTH + 1) + "1" + "}" * (MAX_DEPTH + 1) + "\n", "too-deep"),
    ("kind: !!int abc\n", "yaml-syntax"),
    ("kind: !!bool maybe\n", "yaml-syntax"),
    ("? [a, b]\n: 1\n", "yaml-syntax"),
])
def test_odd_input_is_a_located_diagnostic_not_a_crash(text: str, code: str) -> None:
    docs, problems = parse(text, "f.yaml")
    assert docs == []
    assert [p.code for p in problems] == [code]


def test_depth_is_counted_like_the_size_guard() -> None:
    at_limit = "a:\n  " + "- " * (MAX_DEPTH - 1) + "y\n"  # the scalar `y` sits at depth MAX_DEPTH
    docs, problems = parse(at_limit, "f.yaml")
    assert problems == [] and docs
    docs, problems = parse(at_limit.replace("- y", "- - y"), "f.yaml")
    assert [p.code for p in problems] == ["too-deep"]
