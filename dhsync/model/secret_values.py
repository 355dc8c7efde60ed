"""Credentials in a value of any shape (a document, a parameter mapping, a list of arguments), hidden.

What is hidden: the value of any key, or of any `{name: …, value: …}` element, whose name is a credential's
(model.secret_names, with the repository's `secrets.mask`/`secrets.show`); the argument after a
`--password`-like flag in a list; and, in every string, what looks like a credential (model.redact).
Booleans and nulls are never hidden: `secret: true` is a flag, `private: false` a setting.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import orjson

from dhsync.model.plan import SecretRules
from dhsync.model.redact import REDACTED, redact_text
from dhsync.model.secret_names import NO_RULES, is_secret_name


def _hidden(value: Any) -> bool:
    return value is not None and type(value) is not bool  # `secret: true` is the flag, not a secret


def _mapping(value: Mapping[Any, Any], rules: SecretRules) -> dict[Any, Any]:
    out = {k: REDACTED if _hidden(v) and is_secret_name(str(k), rules) else hide(v, rules)
           for k, v in value.items()}
    name = out.get("name")  # `{name: DB_PASSWORD, value: …}`: an env, or any list of named values
    if isinstance(name, str) and _hidden(out.get("value")) and is_secret_name(name, rules):
        out["value"] = REDACTED
    return out


def _secret_flag(item: Any, rules: SecretRules) -> bool:
    """`--password` (no `=value`) in a list of arguments: the next argument is its value."""
    if type(item) is not str or not item.startswith("-") or "=" in item or " " in item:
        return False
    return is_secret_name(item.lstrip("-"), rules)


def _sequence(items: list[Any], rules: SecretRules) -> list[Any]:
    out: list[Any] = []
    after_flag = False
    for item in items:
        if after_flag and _hidden(item) and not (type(item) is str and item.startswith("-")):
            out.append(REDACTED)
            after_flag = False
            continue
        out.append(hide(item, rules))
        after_flag = _secret_flag(item, rules)
    return out


def hide(value: Any, rules: SecretRules = NO_RULES) -> Any:
    """A copy of `value` with every credential in it replaced by `(secret)` (see the module's rules)."""
    # `type(...) is` first: normalised documents are plain dicts and lists, and the abstract Mapping
    # check costs more than the rest of this walk
    kind = type(value)
    if kind is str:
        return redact_text(value, rules)  # `git+https://bot:TOKEN@host/…`, `--token=ghp_…`, a PEM key
    if kind is int or kind is float or kind is bool or value is None:
        return value
    if kind is dict or isinstance(value, Mapping):
        return _mapping(value, rules)
    if isinstance(value, list):
        return _sequence(value, rules)
    return value


def _flagged(value: Any) -> bool:
    """An env marked `secret: true`, or a task's `secrets` (the names of the cluster secrets it mounts)."""
    if isinstance(value, Mapping):
        if value.get("secret") is True or (isinstance(value.get("secrets"), list) and value["secrets"]):
            return True
        return any(_flagged(v) for v in value.values())
    if isinstance(value, list):
        return any(_flagged(v) for v in value)
    return False


# Without any of these in its JSON (lower-cased), nothing in a value is a credential by name or by look: a
# superset of the word list (model.secret_names) and of the shapes' beginnings (model.redact). It keeps cold
# loads of repositories without secrets fast (the cache asks about every file). Plain `in` tests: a regex
# alternation of these is 10x slower in CPython.
_HINTS: tuple[bytes, ...] = (
    b"pass", b"pwd", b"secret", b"token", b"key", b"cred", b"auth", b"bearer", b"cookie", b"session",
    b"signature", b"private", b"jwt", b"@", b"-----begin", b"eyj", b"ghp_", b"gho_", b"ghu_", b"ghs_", b"ghr_",
    b"github_pat", b"glpat", b"xox", b"akia", b"asia", b"sk-", b"k_live_", b"k_test_", b"hf_", b"aiza", b"npm_",
    b"pypi-", b"dop_v1", b"sig=", b"accountkey", b"sharedaccess",
)
_SHORT_WORDS = re.compile(rb"pat(?![a-z])|sas(?![a-z])")  # not `path`, `sasl`


def _may_hold_secret(value: Any, rules: SecretRules) -> bool:
    if rules.mask:
        return True  # the repository's globs may name anything
    try:
        text = orjson.dumps(value, default=str, option=orjson.OPT_NON_STR_KEYS).lower()
    except TypeError:
        return True
    return any(hint in text for hint in _HINTS) or ((b"pat" in text or b"sas" in text)
                                                   and _SHORT_WORDS.search(text) is not None)


def holds_secret(value: Any, rules: SecretRules = NO_RULES) -> bool:
    """Whether anything in `value` would be hidden when shown: what must not be kept in clear on disk."""
    if not _may_hold_secret(value, rules):
        return False
    return _flagged(value) or hide(value, rules) != value
