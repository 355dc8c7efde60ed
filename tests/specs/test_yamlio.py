"""The YAML layer: YAML 1.2 scalars, the guards, and locating field paths (plain values in, values out)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from dhsync.model.diagnostics import Diagnostic, Location
from dhsync.model.errors import InvalidInputError
from dhsync.specs.yamlio import Locator, decode, document_start_lines, parse, read_documents


@pytest.mark.parametrize(("text", "expected"), [
    ("a: yes", {"a": "yes"}),                 # YAML 1.1 would say True
    ("a: on", {"a": "on"}),
    ("a: true", {"a": True}),
    ("a: 010", {"a": 10}),                    # YAML 1.1 would say 8
    ("a: 0o10", {"a": 8}),
    ("a: 0x1f", {"a": 31}),
    ("a: 1_000", {"a": "1_000"}),
    ("a: 2026-01-01", {"a": "2026-01-01"}),   # never a date object
    ("a: 12:30", {"a": "12:30"}),             # YAML 1.1 would say 750 (sexagesimal)
    ("a: 1.5", {"a": 1.5}),
    ("a: ~", {"a": None}),
    ("a:", {"a": None}),
    ("a: '3'", {"a": "3"}),
])
def test_scalars_resolve_as_yaml_1_2(text: str, expected: dict[str, Any]) -> None:
    docs, problems = parse(text, "f.yaml")
    assert problems == []
    assert docs == [expected]


@pytest.mark.parametrize(("text", "code", "line", "column"), [
    ("a: 1\na: 2\n", "duplicate-key", 2, 1),
    ("a:\n\tb: 1\n", "yaml-tab", 2, 1),
    ("a: [1, 2\n", "yaml-syntax", 2, 1),
    ("a: 'open\n", "yaml-syntax", 2, 1),
    ("a: b: c\n", "yaml-syntax", 1, 5),
    ("x: " + "[" * 2000 + "]" * 2000 + "\n", "too-deep", 1, 1003),
])
def test_syntax_problems_are_located(text: str, code: str, line: int, column: int) -> None:
    docs, problems = parse(text, "f.yaml")
    assert docs == []
    assert [(p.code, p.location.line, p.location.column) for p in problems] == [(code, line, column)]


def test_an_alias_bomb_is_refused_without_expanding_it() -> None:
    rows = ['a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    for i in range(1, 9):
        prev, cur = chr(ord("a") + i - 1), chr(ord("a") + i)
        rows.append(f"{cur}: &{cur} [" + ", ".join([f"*{prev}"] * 10) + "]")
    docs, problems = parse("\n".join(rows) + "\n", "f.yaml")
    assert docs == []
    assert problems[0].code == "alias-bomb"


def test_a_few_aliases_are_fine() -> None:
    docs, problems = parse("base: &b {cpu: '1'}\nother: *b\n", "f.yaml")
    assert problems == []
    assert docs == [{"base": {"cpu": "1"}, "other": {"cpu": "1"}}]


@pytest.mark.parametrize(("data", "code", "line", "column"), [
    (b"a: 1\n\x00\x00", "binary-file", 2, 1),
    (b"a: caf\xe9\n", "not-utf8", 1, 7),
    (b"x" * (1024 * 1024 + 1), "file-too-large", 1, 1),
])
def test_undecodable_files_are_diagnosed(data: bytes, code: str, line: int, column: int) -> None:
    result = decode(data, "f.yaml")
    assert isinstance(result, Diagnostic)
    assert (result.code, result.location.line, result.location.column) == (code, line, column)


def test_a_byte_order_mark_is_not_content() -> None:
    assert decode("\ufeffa: 1\n".encode(), "f.yaml") == "a: 1\n"


def test_empty_documents_keep_their_index() -> None:
    docs, _ = parse("a: 1\n---\n---\nb: 2\n", "f.yaml")
    assert docs == [{"a": 1}, None, {"b": 2}]
    assert document_start_lines("a: 1\n---\n---\nb: 2\n") == [1, 2, 4]


@pytest.mark.parametrize(("text", "starts"), [
    ("# comment\nkind: a\n---\nkind: b\n", [2, 4]),
    ("---\nkind: a\n", [2]),
    ("--- {a: 1}\n--- {b: 2}\n", [1, 2]),
])
def test_document_start_lines(text: str, starts: list[int]) -> None:
    assert document_start_lines(text) == starts


TEXT = """kind: python+job
spec:
  function: train
  resources:
    cpu: 0.5
  envs:
    - name: A
      value: b
---
- a list
"""


@pytest.mark.parametrize(("doc", "path", "key", "expected"), [
    (0, ("spec", "resources", "cpu"), False, (5, 10)),
    (0, ("spec", "resources", "cpu"), True, (5, 5)),
    (0, ("spec", "envs", 0, "value"), False, (8, 14)),
    (0, ("spec", "resources", "mem"), False, (4, 3)),  # missing: where its parent is
    (0, (), False, (1, 1)),
    (1, (), False, (10, 1)),
    (5, ("spec",), False, (1, 1)),
])
def test_locator_finds_field_paths(doc: int, path: tuple[str | int, ...], key: bool,
                                   expected: tuple[int, int]) -> None:
    found = Locator(TEXT, "f.yaml").locate(doc, path, key=key)
    assert (found.line, found.column) == expected


def test_read_documents_raises_a_located_error(tmp_path: Path) -> None:
    bad = tmp_path / "dhsync.yaml"
    bad.write_text("project: a\nproject: b\n")
    with pytest.raises(InvalidInputError, match=r"dhsync.yaml:2:1: error: duplicate key `project`"):
        read_documents(bad)


def test_read_documents_reads_every_document(tmp_path: Path) -> None:
    f = tmp_path / "export.yaml"
    f.write_text("kind: python\n---\nkind: python+job\n---\n")
    assert read_documents(f) == [{"kind": "python"}, {"kind": "python+job"}]


def test_locations_print_like_compilers() -> None:
    assert str(Location("a.yaml", 3, 7)) == "a.yaml:3:7"
    assert str(Location("a.yaml")) == "a.yaml"


MERGED = """kind: container+deploy
spec:
  function: web
  resources: &res
    cpu: 0.5
  volumes:
    - &vol
      volume_type: ephemeral
      name: data
      mount_path: /data
    - <<: *vol
      name: cache
"""


@pytest.mark.parametrize(("path", "key", "expected"), [
    (("spec", "volumes", 1, "name"), False, (12, 13)),        # explicit: where it is written
    (("spec", "volumes", 1, "mount_path"), False, (10, 19)),  # merged: where the merged map spells it
    (("spec", "volumes", 1, "volume_type"), True, (8, 7)),
])
def test_locator_finds_merged_content_where_it_is_written(path: tuple[str | int, ...], key: bool,
                                                          expected: tuple[int, int]) -> None:
    found = Locator(MERGED, "f.yaml").locate(0, path, key=key)
    assert (found.line, found.column) == expected
