"""Secrets never leave dhsync: task `secrets`, env values marked `secret: true`, and credentials.

`mask` returns a copy of a normalised document with every secret value replaced by MASK; plans,
renders and logs only ever see masked documents. Field changes are taken from masked documents, so
a change to a secret shows as changed without its value (see diff.fields).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

MASK = "(secret)"
# Keys whose values are credentials wherever they appear (function, task or run specs, parameters).
CREDENTIAL_KEYS: frozenset[str] = frozenset({
    "credentials", "password", "passwd", "secret_key", "secret_access_key", "access_key_id", "api_key",
    "token", "access_token", "private_key",
})


def contains_mask(value: Any) -> bool:
    if value == MASK:
        return True
    if isinstance(value, Mapping):
        return any(contains_mask(v) for v in value.values())
    if isinstance(value, list):
        return any(contains_mask(v) for v in value)
    return False


def _credentials(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: MASK if str(k).lower() in CREDENTIAL_KEYS else _credentials(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_credentials(v) for v in value]
    return value


def _env(env: Any) -> Any:
    if isinstance(env, Mapping) and env.get("secret") is True and "value" in env:
        return {**env, "value": MASK}
    return env


def mask(doc: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """A copy of `doc` safe to show: secrets replaced by MASK (None stays None)."""
    if doc is None:
        return None
    out: dict[str, Any] = _credentials(doc)
    spec = out.get("spec")
    if isinstance(spec, Mapping):
        spec = dict(spec)
        if isinstance(spec.get("secrets"), list):
            spec["secrets"] = [MASK for _ in spec["secrets"]]
        if isinstance(spec.get("envs"), list):
            spec["envs"] = [_env(env) for env in spec["envs"]]
        out["spec"] = spec
    return out
