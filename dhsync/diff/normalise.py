"""Both sides to one comparable form: the user-owned content of an entity, nothing else.

Rules (each one makes a plan after apply empty on some backend or for some spelling):
- only user-owned fields: `kind`, `spec`, and the metadata in USER_METADATA; server-owned fields
  (id, key, status, user, created/updated, version, relationships …) are never looked at;
- dhsync's own labels (`dhsync/…`) are not content; `protect` is, as a top-level `protect: true`;
- absent, null, `{}` and `[]` are the same (the SDK drops empty values, DHCore fills some in);
  `embedded: false` and an env's `secret: false` are defaults and the same as absent;
- code: `source.code` (plain), `source.base64` and a code file all become `source.code: sha256:<hex>`
  of the bytes, so how the code was written down does not matter, only what it is;
- defaults DHCore or the SDK fill in (`source.lang` of python and dbt functions) are filled in here;
- lists whose order means nothing are sorted: labels, secrets, requirements, envs (by name),
  volumes (by name), node_selector (by key), tolerations, service_ports;
- a task's `spec.function` and a run's `spec.function`/`spec.task` are bindings, not content: the plan
  compares them by identity.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from dhsync.diff.hashing import canonical_json
from dhsync.diff.marks import user_labels
from dhsync.model.entities import USER_METADATA, DesiredEntity
from dhsync.model.kinds import EntityType

_LANG_DEFAULTS = {"python": "python", "dbt": "sql"}


def _json(value: Any) -> bytes:
    return canonical_json(value)  # accepts the integer keys YAML allows, as the content hash does


def _by(field: str) -> Callable[[Any], tuple[str, bytes]]:
    def key(item: Any) -> tuple[str, bytes]:
        return (str(item.get(field)) if isinstance(item, dict) else "", _json(item))
    return key


UNORDERED_SPEC_LISTS: dict[str, Callable[[Any], Any]] = {
    "secrets": _json, "requirements": _json, "tolerations": _json,
    "envs": _by("name"), "volumes": _by("name"), "node_selector": _by("key"), "service_ports": _by("port"),
}


def clean(value: Any) -> Any:
    """Drop null, `{}` and `[]` from mappings, recursively; list elements are kept (position matters)."""
    kind = type(value)
    if kind is str or kind is int or kind is float or kind is bool:
        return value  # the leaves, most of a document: no abstract Mapping check for them
    if kind is dict or isinstance(value, Mapping):
        out = {}
        for key, item in value.items():
            item = clean(item)
            if item is None or item == {} or item == []:
                continue
            out[key] = item
        return out
    if isinstance(value, list):
        return [clean(item) for item in value]
    return value


def code_digest(source: Mapping[str, Any]) -> str | None:
    """`sha256:<hex>` of the code bytes held in `source.code` or `source.base64`, or None."""
    if isinstance(source.get("base64"), str):
        try:
            # line breaks are how base64 is usually wrapped (`base64` tool, YAML folded blocks); they are
            # not part of the code
            data = base64.b64decode("".join(source["base64"].split()), validate=True)
        except (binascii.Error, ValueError):
            data = source["base64"].encode()  # not base64: compare it as given
    elif isinstance(source.get("code"), str):
        data = source["code"].encode()
    else:
        return None
    return "sha256:" + hashlib.sha256(data).hexdigest()


def _source(kind: str, source: Mapping[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in source.items() if k not in ("base64", "code")}
    digest = code_digest(source)
    if digest is not None:
        out["code"] = digest
    if kind in _LANG_DEFAULTS:  # DHCore and the SDK fill it in on every source they store
        out.setdefault("lang", _LANG_DEFAULTS[kind])
    return out


def _env(env: Any) -> Any:
    """`secret: false` is the default (dhsync's own field, which DHCore does not keep): the same as absent."""
    if isinstance(env, dict) and env.get("secret") is False:
        return {k: v for k, v in env.items() if k != "secret"}
    return env


def spec_content(kind: str, spec: Mapping[str, Any], drop: Iterable[str] = ()) -> dict[str, Any]:
    out: dict[str, Any] = clean({k: v for k, v in spec.items() if k not in drop})
    if isinstance(out.get("source"), dict):
        out["source"] = _source(kind, out["source"])
    if isinstance(out.get("envs"), list):
        out["envs"] = [_env(env) for env in out["envs"]]
    for key, sort_key in UNORDERED_SPEC_LISTS.items():
        if isinstance(out.get(key), list):
            out[key] = sorted(out[key], key=sort_key)
    return out


def metadata_content(metadata: Mapping[str, Any]) -> dict[str, Any]:
    out = {k: metadata[k] for k in USER_METADATA if k in metadata}
    if isinstance(out.get("labels"), list):
        out["labels"] = sorted(set(user_labels(out["labels"])), key=str)
    if out.get("embedded") is False:
        del out["embedded"]
    cleaned: dict[str, Any] = clean(out)
    return cleaned


def function_content(kind: str, metadata: Mapping[str, Any], spec: Mapping[str, Any],
                     protect: bool) -> dict[str, Any]:
    doc: dict[str, Any] = {"kind": kind, "metadata": metadata_content(metadata), "spec": spec_content(kind, spec)}
    if protect:
        doc["protect"] = True
    return doc


def task_content(kind: str, spec: Mapping[str, Any]) -> dict[str, Any]:
    return {"kind": kind, "spec": spec_content(kind, spec, drop=("function",))}


def run_content(kind: str, spec: Mapping[str, Any]) -> dict[str, Any]:
    return {"kind": kind, "spec": spec_content(kind, spec, drop=("function", "task"))}


def desired_content(entity: DesiredEntity) -> dict[str, Any]:
    """The comparable content of a declared function, task or run."""
    if entity.type is EntityType.FUNCTION:
        return function_content(entity.kind, entity.metadata, entity.spec, entity.protect)
    if entity.type is EntityType.TASK:
        return task_content(entity.kind, entity.spec)
    return run_content(entity.kind, entity.spec)


def without_paths(doc: Mapping[str, Any], paths: Iterable[str]) -> dict[str, Any]:
    """`doc` without the dotted field paths given (dhsync.yaml `ignore_changes`)."""
    out: dict[str, Any] = dict(doc)
    for path in paths:
        _drop(out, path.split("."))
    return out


def _drop(doc: dict[str, Any], keys: list[str]) -> None:
    head, rest = keys[0], keys[1:]
    if head not in doc:
        return
    if not rest:
        del doc[head]
    elif isinstance(doc[head], Mapping):
        inner = dict(doc[head])
        _drop(inner, rest)
        doc[head] = inner
