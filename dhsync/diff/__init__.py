"""Pure comparison of desired and actual entities: normalise, hash, and diff fields where hashes differ."""

from __future__ import annotations

from dhsync.diff.compare import Comparison, compare
from dhsync.diff.hashing import canonical_json, content_hash
from dhsync.diff.normalise import desired_content, function_content, run_content, task_content
from dhsync.diff.secrets import MASK, mask

__all__ = [
    "MASK",
    "Comparison",
    "canonical_json",
    "compare",
    "content_hash",
    "desired_content",
    "function_content",
    "mask",
    "run_content",
    "task_content",
]
