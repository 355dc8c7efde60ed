"""Secrets never leave dhsync: task `secrets`, env values marked `secret: true`, and credentials.

`mask` returns a copy of a normalised document with every secret value replaced by MASK; plans,
renders and logs only ever see masked documents. Field changes are taken from masked documents, so
a change to a secret shows as changed without its value (see diff.fields).

What is a credential (README "Secrets"): the value of any key or env whose name has a credential word
anywhere in it (model.secret_names), a value that looks like one wherever it stands (model.redact:
PEM keys, JWTs, token shapes, URL userinfo, `Authorization:` headers, `--password=…`), the argument
after a `--password`-like flag in a list, and what the repository's `secrets.mask` globs name.
`secrets.show` names are not credentials *by name*; a value that looks like a token is still masked,
because a false positive costs a `(secret)` in a plan while a false negative leaks a credential.
Booleans and nulls are never masked: `secret: true` is the flag, `private: false` a setting.

Two documents shown side by side are masked with `mask_pair`: an env marked secret on either side is
masked on both, because a backend may not keep dhsync's `secret` flag (DHCore's env has none).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from dhsync.model.plan import SecretRules
from dhsync.model.redact import REDACTED
from dhsync.model.secret_names import NO_RULES as NO_RULES
from dhsync.model.secret_values import hide, marked_secret

MASK = REDACTED  # one word for every hidden value


def contains_mask(value: Any) -> bool:
    if isinstance(value, str):
        return MASK in value  # a whole secret, or a URL whose credentials were taken out
    if isinstance(value, Mapping):
        return any(contains_mask(v) for v in value.values())
    if isinstance(value, list):
        return any(contains_mask(v) for v in value)
    return False


def _env(env: Any, secret_envs: Collection[str]) -> Any:
    if not isinstance(env, Mapping) or "value" not in env:
        return env
    if marked_secret(env) or env.get("name") in secret_envs:
        return {**env, "value": MASK}
    return env


def mask_marked_envs(doc: Mapping[str, Any], secret_envs: Collection[str] = ()) -> dict[str, Any]:
    """A copy of `doc` whose envs marked `secret: true` (or named in `secret_envs`) hold MASK."""
    out = dict(doc)
    spec = out.get("spec")
    if isinstance(spec, Mapping) and isinstance(spec.get("envs"), list):
        out["spec"] = {**spec, "envs": [_env(env, secret_envs) for env in spec["envs"]]}
    return out


def secret_env_names(*docs: Mapping[str, Any] | None) -> frozenset[str]:
    """The names of the envs any of `docs` marks `secret: true`."""
    names: set[str] = set()
    for doc in docs:
        spec = doc.get("spec") if doc is not None else None
        envs = spec.get("envs") if isinstance(spec, Mapping) else None
        for env in envs if isinstance(envs, list) else ():
            if marked_secret(env) and isinstance(env.get("name"), str):
                names.add(env["name"])
    return frozenset(names)


def mask(doc: Mapping[str, Any] | None, secret_envs: Collection[str] = (),
         rules: SecretRules = NO_RULES) -> dict[str, Any] | None:
    """A copy of `doc` safe to show: secrets replaced by MASK (None stays None). Envs named in
    `secret_envs` are masked even where `doc` does not mark them; `rules` are the repository's own."""
    if doc is None:
        return None
    out = mask_marked_envs(hide(doc, rules), secret_envs)
    spec = out.get("spec")
    if isinstance(spec, Mapping) and isinstance(spec.get("secrets"), list):
        out["spec"] = {**spec, "secrets": [MASK for _ in spec["secrets"]]}
    return out


def mask_pair(before: Mapping[str, Any] | None, after: Mapping[str, Any] | None,
              rules: SecretRules = NO_RULES) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """`before` and `after` masked alike: an env secret on one side is secret on both."""
    names = secret_env_names(before, after)
    return mask(before, names, rules), mask(after, names, rules)
