"""Content hashes: sorted-keys JSON (orjson) through sha256. About 2 µs per entity document.

In the model layer so that the loader can hash what it loaded (the desired state's digest, kept in its
snapshot) exactly as the planner does.
"""

from __future__ import annotations

import hashlib
from typing import Any

import orjson

_OPTIONS = orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS


def canonical_json(value: Any) -> bytes:
    return orjson.dumps(value, option=_OPTIONS)


def content_hash(value: Any) -> str:
    return hashlib.sha256(canonical_json(value)).hexdigest()
