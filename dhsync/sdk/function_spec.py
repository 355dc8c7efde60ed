"""From `new_function(**kwargs)` to a function spec, the way the DigitalHub SDK builds it.

Source code arguments (`code_src`, `code`, `base64`, `handler`, `init_function`, `lang`, or a `source`
mapping holding the same keys) become the `spec.source` object; inline `code` is sent as `base64` and a
local source file is read into `base64` (its path is kept), as the SDK does. Unlike the SDK, dhsync
refuses unknown arguments instead of dropping them, does not pin `requirements` to the versions of the
local environment, and has no object store to upload folders or `.zip` archives to.
"""

from __future__ import annotations

import base64 as b64
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from dhsync.model.errors import InvalidInputError
from dhsync.sdk.checks import drop_none, refuse_unknown, schema_fields, validate_model, validate_schema
from dhsync.specs.models.functions import FUNCTION_SPECS

SOURCE_ARGS: tuple[str, ...] = ("code_src", "code", "base64", "handler", "init_function", "lang")
_SOURCE_KEYS: tuple[str, ...] = ("source", "code", "base64", "handler", "init_function", "lang")
_DEFAULT_LANG = {"python": "python", "dbt": "sql"}


def known_spec_args(kind: str) -> set[str] | None:
    """The keyword arguments `new_function` accepts for `kind` (from dhsync's model of the kind, else
    DHCore's published schema); None for a kind neither knows, whose arguments are stored as given."""
    model = FUNCTION_SPECS.get(kind)
    fields = set(model.model_fields) if model is not None else set(schema_fields(kind) or ())
    if model is None and not fields:
        return None
    return fields | set(SOURCE_ARGS) if "source" in fields else fields


def build_function_spec(kind: str, kwargs: Mapping[str, Any], git_source: str | None,
                        base_dir: Path) -> dict[str, Any]:
    given = drop_none(kwargs)
    known = known_spec_args(kind)
    if known is not None:
        refuse_unknown(given, known, f"a `{kind}` function (new_function keyword arguments)")
    spec = {k: v for k, v in given.items() if k not in SOURCE_ARGS and k != "source"}
    source = _source_object(kind, given, base_dir)
    if git_source is not None:
        source = _with_git_source(source or {}, git_source)
    if source is not None:
        spec["source"] = source
    validate_function_spec(kind, spec)
    return spec


def validate_function_spec(kind: str, spec: Mapping[str, Any]) -> None:
    """Check a function spec with dhsync's model of its kind (python, container, dbt), else with DHCore's
    published schema of the kind; a kind neither knows passes unchecked."""
    model = FUNCTION_SPECS.get(kind)
    if model is not None:
        validate_model(model, spec, f"the spec of a `{kind}` function")
    else:
        validate_schema(kind, spec, f"the spec of a `{kind}` function")


def _source_object(kind: str, given: Mapping[str, Any], base_dir: Path) -> dict[str, Any] | None:
    flat = {k: given[k] for k in SOURCE_ARGS if k in given}
    nested = given.get("source")
    if nested is not None and flat:
        raise InvalidInputError(
            f"give the source of a `{kind}` function once: either `source={{...}}` or the arguments "
            f"{', '.join(sorted(flat))}, not both"
        )
    if isinstance(nested, str):
        flat = {"code_src": nested}
    elif isinstance(nested, Mapping):
        refuse_unknown(nested, _SOURCE_KEYS, f"the `source` of a `{kind}` function")
        flat = {("code_src" if k == "source" else k): v for k, v in nested.items() if v is not None}
    elif nested is not None:
        raise InvalidInputError(f"`source` of a `{kind}` function must be a mapping or a URI, got {nested!r}")
    if not flat:
        return None
    return _assemble(kind, flat, base_dir)


def _assemble(kind: str, flat: dict[str, Any], base_dir: Path) -> dict[str, Any]:
    if "code" in flat and "base64" in flat:
        raise InvalidInputError(f"give the code of a `{kind}` function once: `code` or `base64`, not both")
    source: dict[str, Any] = {}
    if "code_src" in flat:
        source["source"] = flat["code_src"]
    for key in ("handler", "init_function"):
        if key in flat:
            source[key] = flat[key]
    if "code" in flat:
        source["base64"] = _encode(flat["code"], kind)
    elif "base64" in flat:
        source["base64"] = flat["base64"]
    elif "source" in source:
        local = _read_local_source(source["source"], kind, base_dir)
        if local is not None:
            source["base64"] = local
    lang = flat.get("lang", _DEFAULT_LANG.get(kind))
    if lang is not None:
        source["lang"] = lang
    return source


def _encode(code: Any, kind: str) -> str:
    if not isinstance(code, str):
        raise InvalidInputError(f"`code` of a `{kind}` function must be a string, got {type(code).__name__}")
    return b64.b64encode(code.encode("utf-8")).decode("ascii")


def _read_local_source(uri: Any, kind: str, base_dir: Path) -> str | None:
    """base64 of a local source file, None for a remote URI (git+https://, s3:// ...)."""
    if not isinstance(uri, str) or not uri:
        raise InvalidInputError(
            f"the source URI of a `{kind}` function must be a non-empty string, got {uri!r}")
    if "://" in uri:
        return None
    path = base_dir / uri
    if path.is_dir() or path.suffix == ".zip":
        raise InvalidInputError(
            f"source `{uri}` of a `{kind}` function is a folder or a .zip archive; the DigitalHub SDK "
            "uploads those to its S3 store, which dhsync does not have. Give one file, inline `code`, or a "
            "git+https:// URI"
        )
    try:
        return b64.b64encode(path.read_bytes()).decode("ascii")
    except FileNotFoundError:
        raise InvalidInputError(
            f"source file `{uri}` of a `{kind}` function not found (looked in {base_dir})") from None
    except OSError as exc:
        raise InvalidInputError(f"source file `{path}` cannot be read: {exc.strerror or exc}") from None


def _with_git_source(source: dict[str, Any], git_source: str) -> dict[str, Any]:
    # DHCore 0.15 has no metadata field for it (older SDKs wrote `metadata.source`); the remote source
    # of the code is `spec.source.source`.
    current = source.get("source")
    if current is not None and current != git_source:
        raise InvalidInputError(
            f"git_source `{git_source}` and the source `{current}` disagree; give the code's location once"
        )
    return {**source, "source": git_source}
