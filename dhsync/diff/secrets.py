"""Secrets never leave dhsync: task `secrets`, env values marked `secret: true`, and credentials.

`mask` returns a copy of a normalised document with every secret value replaced by MASK; plans,
renders and logs only ever see masked documents. Field changes are taken from masked documents, so
a change to a secret shows as changed without its value (see diff.fields).

Two documents shown side by side are masked with `mask_pair`: an env marked secret on either side is
masked on both, because a backend may not keep dhsync's `secret` flag (DHCore's env has none).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from functools import lru_cache
from typing import Any

from dhsync.model.redact import REDACTED, redact_url

MASK = REDACTED  # one word for every hidden value
# Keys whose values are credentials wherever they appear (function, task or run specs, parameters),
# alone or as the last words of a longer key (`db_password`, `githubToken`, `AWS_SECRET_ACCESS_KEY`).
CREDENTIAL_KEYS: frozenset[str] = frozenset({
    "credentials", "password", "passwd", "secret_key", "secret_access_key", "access_key_id", "api_key",
    "token", "access_token", "private_key",
})
# Only as the last word: a bare `secret` key is the env flag `secret: true`, not a credential.
_CREDENTIAL_SUFFIXES: tuple[str, ...] = (*(f"_{k}" for k in CREDENTIAL_KEYS), "_secret")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


@lru_cache(maxsize=4096)
def is_credential_key(key: str) -> bool:
    words = _CAMEL.sub("_", key).lower().replace("-", "_")
    return words in CREDENTIAL_KEYS or words.endswith(_CREDENTIAL_SUFFIXES)


def contains_mask(value: Any) -> bool:
    if isinstance(value, str):
        return MASK in value  # a whole secret, or a URL whose credentials were taken out
    if isinstance(value, Mapping):
        return any(contains_mask(v) for v in value.values())
    if isinstance(value, list):
        return any(contains_mask(v) for v in value)
    return False


def _credentials(value: Any) -> Any:
    # `type(...) is` first: normalised documents are plain dicts and lists, and the abstract Mapping
    # check costs more than the rest of this walk
    kind = type(value)
    if kind is str:
        return redact_url(value)  # `git+https://bot:TOKEN@host/…` shows as `git+https://(secret)@host/…`
    if kind is int or kind is float or kind is bool or value is None:
        return value
    if kind is dict or isinstance(value, Mapping):
        return {k: MASK if is_credential_key(str(k)) else _credentials(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_credentials(v) for v in value]
    return value


def _env(env: Any, secret_envs: Collection[str]) -> Any:
    if not isinstance(env, Mapping) or "value" not in env:
        return env
    name = env.get("name")
    named_secret = isinstance(name, str) and (name in secret_envs or is_credential_key(name))
    if env.get("secret") is True or named_secret:  # DB_PASSWORD, GITHUB_TOKEN: a credential by its name
        return {**env, "value": MASK}
    return env


def secret_env_names(*docs: Mapping[str, Any] | None) -> frozenset[str]:
    """The names of the envs any of `docs` marks `secret: true`."""
    names: set[str] = set()
    for doc in docs:
        spec = doc.get("spec") if doc is not None else None
        envs = spec.get("envs") if isinstance(spec, Mapping) else None
        for env in envs if isinstance(envs, list) else ():
            if isinstance(env, Mapping) and env.get("secret") is True and isinstance(env.get("name"), str):
                names.add(env["name"])
    return frozenset(names)


def mask(doc: Mapping[str, Any] | None, secret_envs: Collection[str] = ()) -> dict[str, Any] | None:
    """A copy of `doc` safe to show: secrets replaced by MASK (None stays None). Envs named in
    `secret_envs` are masked even where `doc` does not mark them."""
    if doc is None:
        return None
    out: dict[str, Any] = _credentials(doc)
    spec = out.get("spec")
    if isinstance(spec, Mapping):
        spec = dict(spec)
        if isinstance(spec.get("secrets"), list):
            spec["secrets"] = [MASK for _ in spec["secrets"]]
        if isinstance(spec.get("envs"), list):
            spec["envs"] = [_env(env, secret_envs) for env in spec["envs"]]
        out["spec"] = spec
    return out


def mask_pair(before: Mapping[str, Any] | None,
              after: Mapping[str, Any] | None) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """`before` and `after` masked alike: an env secret on one side is secret on both."""
    names = secret_env_names(before, after)
    return mask(before, names), mask(after, names)
