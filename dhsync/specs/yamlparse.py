"""libyaml parsing with YAML 1.2 core scalars and duplicate keys refused, and a fast way to build values.

`FastLoader` is PyYAML's CSafeLoader with ruamel.yaml's idea of `yes`, `010` or `2026-01-01` (YAML 1.2).
Its constructor is generic: generators per container, a memo per node, a deep/shallow mode. A spec file
needs none of that when it has no anchors and only plain mappings, lists and core scalars, so `load_fast`
builds those values from libyaml's nodes directly (measured: the whole parse takes half as long)
and hands every other file, valid or not, to `load_slow`: results and errors are PyYAML's own.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

import yaml
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

MAX_DEPTH = 64  # nesting deeper than this is refused; DigitalHub documents need about 10

_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_CORE = "tag:yaml.org,2002:"
STR, INT, FLOAT, BOOL, NULL = (_CORE + t for t in ("str", "int", "float", "bool", "null"))
SEQ, MAP = _CORE + "seq", _CORE + "map"
MERGE = _CORE + "merge"  # the `<<` key of YAML merge keys (https://yaml.org/type/merge.html)

# YAML 1.2 core schema (https://yaml.org/spec/1.2.2/#1032-tag-resolution)
_CORE_RESOLVERS: tuple[tuple[str, str, str], ...] = (
    (NULL, r"^(?:~|null|Null|NULL|)$", "~nN"),
    (BOOL, r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    (INT, r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", "-+0123456789"),
    (FLOAT,
     r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
     "-+0123456789."),
    (MERGE, r"^<<$", "<"),  # not YAML 1.2 core, but GitOps repositories use it and ruamel.yaml reads it
)


def _resolvers_by_first_char() -> dict[str, tuple[tuple[str, re.Pattern[str]], ...]]:
    table: dict[str, list[tuple[str, re.Pattern[str]]]] = {}
    for tag, pattern, first in _CORE_RESOLVERS:
        for char in [*first, *([""] if tag == NULL else [])]:  # "" is the empty scalar, null in YAML 1.2
            table.setdefault(char, []).append((tag, re.compile(pattern)))
    return {char: tuple(entries) for char, entries in table.items()}


_RESOLVERS = _resolvers_by_first_char()


class DuplicateKey(yaml.MarkedYAMLError):
    pass


class FastLoader(_BaseLoader):  # type: ignore[misc, valid-type]
    """libyaml parsing, YAML 1.2 scalars, duplicate keys refused."""

    # never YAML 1.1's (`yes`, `010`, dates …): `resolve` below uses _RESOLVERS
    yaml_implicit_resolvers: ClassVar[dict[str, list[tuple[str, re.Pattern[str]]]]] = {}

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.document_lines: list[int] = []  # 1-based first line of each document, as parsed

    # PyYAML's resolver, minus the path resolvers dhsync never registers: libyaml calls these per node.
    def resolve(self, kind: type[yaml.Node], value: Any, implicit: tuple[bool, bool]) -> str:
        if kind is ScalarNode:
            if implicit[0]:
                for tag, regexp in _RESOLVERS.get(value[:1], ()):
                    if regexp.match(value):
                        return tag
            return STR
        return SEQ if kind is SequenceNode else MAP

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        pass

    def ascend_resolver(self) -> None:
        pass

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep=deep)
        except (ValueError, KeyError, IndexError, TypeError, AttributeError):
            # an explicit tag the value does not fit (`!!int abc`, `!!bool maybe`): a located error
            what = f"`{node.value}`" if isinstance(node, ScalarNode) else "this value"
            raise ConstructorError(None, None, f"{what} is not a valid {node.tag.replace(_CORE, '!!')}",
                                   node.start_mark) from None

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        if len({_ident(k) for k, _ in node.value}) != len(node.value):  # rare: is it a real duplicate?
            _refuse_duplicates(node)
        return super().construct_mapping(node, deep=deep)  # type: ignore[no-any-return]

    def flatten_mapping(self, node: yaml.MappingNode) -> None:
        flatten_merges(node, set())

    def construct_document(self, node: yaml.Node) -> Any:
        self.document_lines.append(node.start_mark.line + 1)
        return super().construct_document(node)


# What JSON stores keep (orjson, DHCore's 64-bit longs): signed 64-bit, or unsigned 64-bit above it.
_INT_MIN, _INT_MAX = -(2**63), 2**64 - 1


def _int(loader: FastLoader, node: yaml.ScalarNode) -> int:
    value: str = node.value
    number = int(value, 0) if value.startswith(("0o", "0x")) else int(value)
    if not _INT_MIN <= number <= _INT_MAX:
        raise ConstructorError(None, None, f"integer `{value}` does not fit in 64 bits, which is what backends "
                               "store; quote it to keep it as text", node.start_mark)
    return number


FastLoader.add_constructor(INT, _int)
FastLoader.add_constructor(MERGE, lambda _loader, node: node.value)  # `<<` as a value is just text


def _ident(node: yaml.Node) -> Any:
    # `1` and "1" are different keys; a non-scalar key is never a duplicate (it is refused as unhashable)
    return (node.tag, node.value) if isinstance(node, ScalarNode) else id(node)


def _refuse_duplicates(node: yaml.MappingNode) -> None:
    seen: dict[tuple[str, str], yaml.Node] = {}
    for key_node, _ in node.value:
        if not isinstance(key_node, ScalarNode):
            continue
        ident = (key_node.tag, key_node.value)
        if ident in seen:
            raise DuplicateKey(None, None, f"duplicate key `{key_node.value}` (first at line "
                               f"{seen[ident].start_mark.line + 1})", key_node.start_mark)
        seen[ident] = key_node


def flatten_merges(node: yaml.MappingNode, busy: set[int]) -> None:
    """Replace the `<<` keys of `node` by the pairs they merge, in place, as ruamel.yaml orders them.

    The merge spec: explicit keys win; of the merged maps, an earlier one wins over a later one. Each key is
    kept once, so that merges of merges stay as large as their distinct keys (PyYAML's own flattening keeps
    every copy: `<<: [*a, *a, …]` nested a few levels is a billion pairs before any size guard could count).
    """
    if not any(k.tag == MERGE for k, _ in node.value):
        return
    if id(node) in busy:
        raise ConstructorError("while merging a mapping", node.start_mark, "the mapping merges itself",
                               node.start_mark)
    busy.add(id(node))
    own = [(k, v) for k, v in node.value if k.tag != MERGE]
    taken = {_ident(k) for k, _ in own}
    merged: list[tuple[yaml.Node, yaml.Node]] = []
    for key_node, value_node in node.value:
        if key_node.tag != MERGE:
            continue
        for source in _merge_sources(value_node):
            if len({_ident(k) for k, _ in source.value}) != len(source.value):
                _refuse_duplicates(source)
            flatten_merges(source, busy)
            fresh = [(k, v) for k, v in source.value if _ident(k) not in taken]
            taken.update(_ident(k) for k, _ in fresh)
            merged.extend(fresh)
    busy.discard(id(node))
    node.value = own + merged


def _merge_sources(value: yaml.Node) -> list[yaml.MappingNode]:
    if isinstance(value, MappingNode):
        return [value]
    if isinstance(value, SequenceNode) and all(isinstance(item, MappingNode) for item in value.value):
        return list(value.value)
    raise ConstructorError("while merging a mapping", value.start_mark,
                           "`<<` (a merge key) takes a mapping or a list of mappings", value.start_mark)


def load_slow(text: str) -> tuple[list[Any], list[int]]:
    """Every document of `text` through PyYAML's constructor, and the line each starts on."""
    loader = FastLoader(text)
    try:
        docs = []
        while loader.check_data():
            docs.append(loader.get_data())
        return docs, loader.document_lines
    finally:
        loader.dispose()


def load_fast(text: str) -> tuple[list[Any], list[int]] | None:
    """What `load_slow` returns, for files without anchors whose documents are at most MAX_DEPTH deep
    and hold only mappings, lists and core scalars; None for any other file (including invalid ones)."""
    if "&" in text:  # anchors: aliases share values, which the size guard must count
        return None
    loader = FastLoader(text)
    try:
        docs, lines = [], []
        while loader.check_node():
            node = loader.get_node()
            lines.append(node.start_mark.line + 1)
            docs.append(_build(node, 0, loader))
        return docs, lines
    except Exception:  # whatever it is, load_slow reports it as PyYAML would
        return None
    finally:
        loader.dispose()


class _Unusual(Exception):
    """A node `_build` leaves to PyYAML's constructor."""


def _build(node: yaml.Node, depth: int, loader: FastLoader) -> Any:
    """The value of `node` (at `depth`, at most MAX_DEPTH), as PyYAML's constructor would make it."""
    tag = node.tag
    if type(node) is ScalarNode:
        return _scalar(node, tag, loader)
    if depth >= MAX_DEPTH and node.value:
        raise _Unusual("too deep")  # its children would be deeper; load_slow's caller reports it
    if type(node) is MappingNode and tag == MAP:
        return _mapping(node, depth + 1, loader)
    if type(node) is SequenceNode and tag == SEQ:
        return [_build(child, depth + 1, loader) for child in node.value]
    raise _Unusual(tag)


def _mapping(node: yaml.MappingNode, depth: int, loader: FastLoader) -> dict[Any, Any]:
    out: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        if type(key_node) is not ScalarNode:
            raise _Unusual("complex key")
        key = key_node.value if key_node.tag == STR else _scalar(key_node, key_node.tag, loader)
        out[key] = value_node.value if value_node.tag == STR and type(value_node) is ScalarNode \
            else _build(value_node, depth, loader)
    if len(out) != len(node.value):
        raise _Unusual("equal keys")  # a duplicate, or `1` and `01`: PyYAML's rules decide
    return out


def _scalar(node: yaml.ScalarNode, tag: str, loader: FastLoader) -> Any:
    value: str = node.value
    if tag == STR:
        return value
    if tag == INT:
        return _int(loader, node)
    if tag == NULL:
        return None
    if tag == BOOL:
        return loader.bool_values[value.lower()]
    if tag == FLOAT:
        return loader.construct_yaml_float(node)
    raise _Unusual(tag)  # !!binary, !!timestamp, merge keys, unknown tags …
