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


# YAML merge keys: libyaml (what dhsync loads) and ruamel's round-trip parser (what locates errors) agree.
MERGES = [
    "base: &b {x: 1, y: 2}\nuse:\n  <<: *b\n  y: 3\n",                            # explicit keys win
    "a: &a {x: 1, z: 0}\nb: &b {y: 2, x: 3, w: 9}\nc:\n  k: own\n  <<: [*a, *b]\n  z: explicit\n",  # earlier wins
    "a: &a {x: 1}\nb: &b {<<: *a, y: 2}\nc: {<<: *b, z: 3}\n",                    # a merge of a merge
    "a: {<<: {x: 1}, y: 2}\n",                                                   # an inline map, no anchor
    "a: &a {x: [1, 2], y: {z: 1}}\nb:\n  - <<: *a\n    name: one\n  - <<: *a\n    name: two\n",
    "kind: container+serve\nspec:\n  function: web\n  volumes:\n    - &v {volume_type: ephemeral, name: a, "
    "mount_path: /a}\n    - <<: *v\n      name: b\n      mount_path: /b\n",
    "a: {<<: {x: 1}, '<<': 2}\n",                                                 # a quoted `<<` is a plain key
]


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value if isinstance(value, (bool, type(None))) else type(value).__mro__[-2](value)


@pytest.mark.parametrize("text", MERGES)
def test_merge_keys_give_the_same_documents_on_both_parsers(text: str) -> None:
    from ruamel.yaml import YAML

    docs, problems = parse(text, "f.yaml")
    assert problems == []
    ruamel = [_plain(doc) for doc in YAML(typ="rt").load_all(text)]
    assert repr(docs) == repr(ruamel)  # repr: the same values and the same key order
    assert "<<" not in repr(docs).replace("'<<': 2", "")


def test_merge_precedence_follows_the_merge_spec() -> None:
    docs, _ = parse(MERGES[1], "f.yaml")
    assert docs[0]["c"] == {"k": "own", "z": "explicit", "x": 1, "y": 2, "w": 9}


@pytest.mark.parametrize(("text", "code", "line"), [
    ("b: &b {x: 1}\na:\n  <<: *b\n  y: 1\n  y: 2\n", "duplicate-key", 5),   # explicit duplicates still refused
    ("b: &b {x: 1}\na:\n  <<: *b\n  <<: *b\n", "duplicate-key", 4),         # as ruamel.yaml refuses them
    ("a: {<<: {x: 1, x: 2}}\n", "duplicate-key", 1),                        # inside a merged inline map
    ("a: {<<: 5}\n", "yaml-syntax", 1),
    ("a: {<<: [{x: 1}, 3]}\n", "yaml-syntax", 1),
    ("a: &a {<<: *a}\n", "yaml-syntax", 1),
])
def test_bad_merges_are_located_diagnostics(text: str, code: str, line: int) -> None:
    docs, problems = parse(text, "f.yaml")
    assert docs == []
    assert [(p.code, p.location.line) for p in problems] == [(code, line)]


def test_merges_cannot_multiply_a_document_past_the_size_guard() -> None:
    rows = ['a: &a {k0: [x, x, x, x, x, x, x, x, x, x], k1: [y, y, y, y, y, y, y, y, y, y]}']
    for i in range(1, 9):  # each level merges the previous ten times and adds ten aliased lists
        prev, cur = chr(ord("a") + i - 1), chr(ord("a") + i)
        keys = ", ".join(f"{cur}{j}: [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}]" for j in range(10))
        rows.append(f"{cur}: &{cur} {{<<: [{', '.join([f'*{prev}'] * 10)}], {keys}}}")
    docs, problems = parse("\n".join(rows) + "\n", "f.yaml")
    assert docs == []
    assert [p.code for p in problems] == ["alias-bomb"]


def test_many_merges_of_the_same_map_stay_small() -> None:
    rows = ["a: &a {x: 1, y: 2}"]
    for i in range(1, 12):  # PyYAML's own flattening would hold 10**11 pairs here
        prev, cur = chr(ord("a") + i - 1), chr(ord("a") + i)
        rows.append(f"{cur}: &{cur} {{<<: [{', '.join([f'*{prev}'] * 10)}]}}")
    docs, problems = parse("\n".join(rows) + "\n", "f.yaml")
    assert problems == []
    assert docs[0]["l"] == {"x": 1, "y": 2}
