"""Reading YAML safely and fast, and locating a field path in a file when a diagnostic needs it.

The fast path is libyaml (PyYAML's CSafeLoader) with YAML 1.2 core resolution, so that it agrees with
ruamel.yaml on what `yes`, `010` or `2026-01-01` mean (see `yamlparse`). ruamel's round-trip parser, which
keeps line and column of every node, runs only for files that have something to report (see `Locator`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from dhsync.model.diagnostics import Diagnostic, Location, error
from dhsync.model.errors import InvalidInputError
from dhsync.specs.yamlparse import MAX_DEPTH, DuplicateKey, load_fast, load_slow

MAX_FILE_BYTES = 1024 * 1024  # a spec file larger than 1 MiB is refused (code lives in its own files)
MAX_EXPANDED_NODES = 100_000  # what aliases may expand a document to (billion laughs)


def decode(data: bytes, file: str) -> str | Diagnostic:
    """UTF-8 text, or a diagnostic for files that are too large, binary or in another encoding."""
    if len(data) > MAX_FILE_BYTES:
        return error("file-too-large", f"file is {len(data):,} bytes; spec files are limited to "
                     f"{MAX_FILE_BYTES:,} bytes", Location(file, 1, 1),
                     suggestion="split it into several files, or move code into a file under src/")
    nul = data.find(b"\x00")
    if nul >= 0:
        return error("binary-file", "file holds binary data (a NUL byte), not YAML text",
                     _byte_location(data, nul, file), suggestion="remove it or add it to `ignore` in dhsync.yaml")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return error("not-utf8", f"file is not UTF-8 text (byte 0x{data[exc.start]:02x})",
                     _byte_location(data, exc.start, file), suggestion="save the file as UTF-8")


def _byte_location(data: bytes, offset: int, file: str) -> Location:
    line_start = data.rfind(b"\n", 0, offset) + 1
    return Location(file, data.count(b"\n", 0, offset) + 1, offset - line_start + 1)


def parse(text: str, file: str) -> tuple[list[Any], list[Diagnostic]]:
    """All documents of `text` (an empty one is None, so indexes match the file), or the first problem."""
    docs, _, problems = parse_with_lines(text, file)
    return docs, problems


def parse_with_lines(text: str, file: str) -> tuple[list[Any], list[int], list[Diagnostic]]:
    """Like `parse`, plus the 1-based line where each document starts."""
    fast = load_fast(text)
    if fast is not None:  # no anchors (nothing expands) and depth checked while building
        return fast[0], fast[1], []
    try:
        docs, lines = load_slow(text)
    except yaml.MarkedYAMLError as exc:
        return [], [], [_syntax_diagnostic(exc, file, text)]
    except yaml.YAMLError as exc:
        return [], [], [error("yaml-syntax", f"not valid YAML: {exc}", Location(file, 1, 1))]
    except RecursionError:
        return [], [], [error("too-deep", f"nesting is deeper than {MAX_DEPTH} levels", Location(file, 1, 1))]
    aliases = "&" in text
    problems = [d for i, doc in enumerate(docs) if (d := _size_problem(doc, file, i, lines, aliases)) is not None]
    return (docs if not problems else []), lines, problems


def _syntax_diagnostic(exc: yaml.MarkedYAMLError, file: str, text: str) -> Diagnostic:
    mark = exc.problem_mark or exc.context_mark
    loc = Location(file, mark.line + 1, mark.column + 1) if mark else Location(file, 1, 1)
    problem = str(exc.problem or exc.context or "not valid YAML")
    if isinstance(exc, DuplicateKey):
        return error("duplicate-key", problem, loc, suggestion="remove one of them")
    if mark is not None and _char_at(text, mark.line, mark.column) == "\t":
        return error("yaml-tab", "tab character where YAML expects spaces", loc,
                     suggestion="indent with spaces, not tabs")
    if "nesting depth" in problem:
        return error("too-deep", "nesting is too deep for a spec document", loc)
    if exc.context and exc.problem:
        problem = f"{problem} ({exc.context})"
    return error("yaml-syntax", f"not valid YAML: {problem}", loc)


def _char_at(text: str, line: int, column: int) -> str:
    lines = text.split("\n", line + 1)
    return lines[line][column:column + 1] if line < len(lines) else ""


def document_start_lines(text: str) -> list[int]:
    """1-based line of the first content of each document, in file order (empty documents included)."""
    starts: list[int] = []
    pending: int | None = None  # a `---` line whose document has no content yet
    for number, line in enumerate(text.split("\n"), start=1):
        if line.startswith("---"):
            if pending is not None:
                starts.append(pending)
            pending = number
            if line[3:].strip() and not line[3:].strip().startswith("#"):
                starts.append(number)
                pending = None
            continue
        is_content = line.strip() and not line.lstrip().startswith("#") and not line.startswith("%")
        if is_content and (pending is not None or not starts):
            starts.append(number)
            pending = None
    if pending is not None:
        starts.append(pending)
    return starts or [1]


def document_start_line(text: str, index: int) -> int:
    starts = document_start_lines(text)
    return starts[index] if index < len(starts) else 1


def _size_problem(doc: Any, file: str, index: int, lines: list[int], aliases: bool) -> Diagnostic | None:
    sizes: dict[int, int] = {}
    try:
        nodes, depth = _measure(doc, sizes, 0)
    except _TooDeep:
        nodes, depth = 0, MAX_DEPTH + 1
    where = Location(file, lines[index] if index < len(lines) else 1, 1)
    if depth > MAX_DEPTH:
        return error("too-deep", f"document {index + 1} nests deeper than {MAX_DEPTH} levels", where)
    if aliases and nodes > MAX_EXPANDED_NODES:  # without anchors, the file size limit bounds it
        return error("alias-bomb", f"document {index + 1} expands to more than {MAX_EXPANDED_NODES:,} values "
                     "through anchors and aliases", where, suggestion="remove the nested aliases")
    return None


class _TooDeep(Exception):
    pass


def _measure(value: Any, sizes: dict[int, int], depth: int) -> tuple[int, int]:
    """(expanded node count, depth); shared (aliased) containers are counted as often as they appear."""
    if depth > MAX_DEPTH:
        raise _TooDeep
    if not isinstance(value, (dict, list)):
        return 1, depth
    key = id(value)
    if key in sizes:
        return sizes[key], depth
    children = value.values() if isinstance(value, dict) else value
    total, deepest = 1, depth
    for child in children:
        count, child_depth = _measure(child, sizes, depth + 1)
        total += count
        deepest = max(deepest, child_depth)
        if total > MAX_EXPANDED_NODES:
            break
    sizes[key] = total
    return total, deepest


def read_documents(path: Path) -> list[Any]:
    """Every document of one YAML file; raises InvalidInputError with file:line:col when unreadable."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InvalidInputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    text = decode(data, str(path))
    if isinstance(text, Diagnostic):
        raise InvalidInputError(text.one_line())
    docs, problems = parse(text, str(path))
    if problems:
        raise InvalidInputError(problems[0].one_line())
    return [doc for doc in docs if doc is not None]


class Locator:
    """Line and column of field paths in one file, from ruamel's round-trip parser (parsed lazily)."""

    def __init__(self, text: str, file: str) -> None:
        self.file = file
        self._text = text
        self._docs: list[Any] | None = None

    def _documents(self) -> list[Any]:
        if self._docs is None:
            from ruamel.yaml import YAML  # the round-trip parser is only needed here

            rt = YAML(typ="rt")
            rt.allow_duplicate_keys = True
            try:
                self._docs = list(rt.load_all(self._text))
            except Exception:
                self._docs = []
        return self._docs

    def locate(self, doc_index: int, path: Sequence[str | int], key: bool = False) -> Location:
        """Where `path` is in document `doc_index`: the key itself when `key`, else its value.

        A path that does not exist (a missing field) points at its deepest existing parent.
        """
        docs = self._documents()
        if doc_index >= len(docs) or docs[doc_index] is None:
            return Location(self.file, document_start_line(self._text, doc_index), 1)
        node: Any = docs[doc_index]
        if getattr(node, "lc", None) is None:  # a scalar document has no position of its own
            return Location(self.file, document_start_line(self._text, doc_index), 1)
        line, col = _start_of(node)
        for depth, part in enumerate(path):
            found = _child_position(node, part, key or depth < len(path) - 1)
            if found is None:
                break
            (line, col), node = found
        return Location(self.file, line + 1, col + 1)


def _owner(node: Any, key: Any) -> Any:
    """The mapping that spells `key` out: `node` itself, or for a key a merge key (`<<: *defaults`) brought
    in, the merged mapping, so that a problem in merged content points where its value is written."""
    if key in node.lc.data:
        return node
    for merged in getattr(node, "_yaml_merge", ()):  # ruamel.yaml's list of merged mappings, first wins
        if key in merged:
            return _owner(merged, key)
    return node


def _start_of(node: Any) -> tuple[int, int]:
    lc = getattr(node, "lc", None)
    return (lc.line, lc.col) if lc is not None and lc.line is not None else (0, 0)


def _child_position(node: Any, part: str | int, at_key: bool) -> tuple[tuple[int, int], Any] | None:
    try:
        lc = getattr(node, "lc", None)
        if lc is None:
            return None
        if isinstance(node, dict) and part in node:
            owner = _owner(node, part)
            pos = owner.lc.key(part) if at_key else owner.lc.value(part)
            return (pos[0], pos[1]), node[part]
        if isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            pos = lc.item(part)
            return (pos[0], pos[1]), node[part]
    except (AttributeError, KeyError, TypeError):
        return None
    return None
