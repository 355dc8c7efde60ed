"""What a handler returned, as a run's results and artifacts (runs in the child process).

Names come from the run: `outputs` (stored as files) then `values` (kept as results), in that order.
A handler returns a dict holding those names, a tuple/list of that many values in that order, or
(one name) the value itself. Without names, what it returns is a result: `output_0` (a tuple:
`output_0..n`), as the DigitalHub SDK names unnamed outputs.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

RESULTS_LIMIT = 1024 * 1024


class ReturnError(Exception):
    """A returned value cannot be stored; the message names it and says what would work."""


def map_returns(value: Any, outputs: Mapping[str, str], values: Sequence[str], artifacts: Path,
                cwd: Path) -> dict[str, Any]:
    names = [*outputs, *values]
    named = _by_name(value, names, outputs, values)
    results = _unnamed(value) if not names else {name: _json_value(name, named[name]) for name in values}
    _check_size(results)
    stored = {}
    for name, artifact in outputs.items():
        _store(name, named[name], artifacts / artifact, cwd)
        stored[name] = artifact
    return {"results": results, "outputs": stored}


def _by_name(value: Any, names: list[str], outputs: Mapping[str, str], values: Sequence[str]) -> dict[str, Any]:
    if not names:
        return {}
    if isinstance(value, Mapping) and set(names) <= set(value):
        return {name: value[name] for name in names}
    if len(names) == 1:
        return {names[0]: value}
    if isinstance(value, tuple | list) and len(value) == len(names):
        return dict(zip(names, value, strict=True))
    declared = "; ".join(part for part in (
        f"outputs {', '.join(outputs)}" if outputs else "", f"values {', '.join(values)}" if values else "") if part)
    raise ReturnError(
        f"the handler returned {_describe(value)} but the run names {len(names)} ({declared}); return a "
        f"tuple of {len(names)} in that order, or a dict with those keys")


def _unnamed(value: Any) -> dict[str, Any]:
    if value is None:
        return {}
    if isinstance(value, tuple):
        return {f"output_{i}": _json_value(f"output_{i}", item) for i, item in enumerate(value)}
    return {"output_0": _json_value("output_0", value)}


def _json_value(name: str, value: Any) -> Any:
    plain = _plain(value)
    try:
        json.dumps(plain, allow_nan=False)
    except (TypeError, ValueError):
        where, bad = _first_unstorable(name, plain)
        raise ReturnError(
            f"value `{where}` ({_describe(bad)}) cannot be stored as a result: results are JSON (str, number, "
            "bool, None, list, dict) without NaN/Infinity; return it in `outputs` to store it as a file") from None
    return plain


def _first_unstorable(path: str, value: Any) -> tuple[str, Any]:
    """Where inside a returned value the first thing JSON cannot hold is (`output_0.model`, `scores[2]`)."""
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                return f"{path} key {key!r}", key
            if not _storable(item):
                return _first_unstorable(f"{path}.{key}", item)
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            if not _storable(item):
                return _first_unstorable(f"{path}[{index}]", item)
    return path, value


def _storable(value: Any) -> bool:
    try:
        json.dumps(_plain(value), allow_nan=False)
    except (TypeError, ValueError):
        return False
    return True


def _plain(value: Any) -> Any:
    # numpy scalars and arrays (without importing numpy): what they hold, as python values
    for method in ("tolist", "item"):
        convert = getattr(value, method, None)
        if callable(convert) and not isinstance(value, str | bytes | list | tuple | dict):
            try:
                return convert()
            except Exception:  # not a numpy-like conversion after all
                return value
    return value


def _check_size(results: Mapping[str, Any]) -> None:
    size = len(json.dumps(results))
    if size > RESULTS_LIMIT:
        raise ReturnError(f"the results are {size} bytes of JSON (the limit is {RESULTS_LIMIT}); keep results "
                          "small and return large data in `outputs`, which are stored as files")


def _store(name: str, value: Any, folder: Path, cwd: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    if isinstance(value, str | os.PathLike):
        _copy(name, Path(value), folder, cwd)
    elif isinstance(value, bytes | bytearray):
        (folder / f"{name}.bin").write_bytes(bytes(value))
    else:
        try:
            text = json.dumps(_plain(value), allow_nan=False, indent=2)
        except (TypeError, ValueError):
            raise ReturnError(f"output `{name}` ({_describe(value)}) cannot be stored: return the path of a file "
                              "the handler wrote, bytes, or a JSON value") from None
        (folder / f"{name}.json").write_text(text + "\n", encoding="utf-8")


def _copy(name: str, given: Path, folder: Path, cwd: Path) -> None:
    path = given if given.is_absolute() else cwd / given
    if path.is_dir():
        shutil.copytree(path, folder / path.name)
    elif path.is_file():
        shutil.copy2(path, folder / path.name)
    else:
        raise ReturnError(f"output `{name}`: `{given}` is not a file the handler wrote (looked in {path.parent}); "
                          "return the path of a file, bytes, or a JSON value")


def _describe(value: Any) -> str:
    kind = type(value).__name__
    if isinstance(value, tuple | list):
        return f"a {kind} of {len(value)}"
    return "None" if value is None else a_kind(value)


def a_kind(value: Any) -> str:
    """`an int`, `a str`: the type of `value` for a message."""
    kind = type(value).__name__
    return f"{'an' if kind[:1].lower() in 'aeiou' else 'a'} {kind}"
