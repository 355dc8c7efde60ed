"""Content hashes (see dhsync.model.hashing, where they live so that the loader shares them)."""

from __future__ import annotations

from dhsync.model.hashing import canonical_json, content_hash

__all__ = ["canonical_json", "content_hash"]
