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


def _whole(value: Any) -> Any:
    """A value under a credential's name, hidden; a list keeps its length (`secrets: [a, b]` is still a list
    of two, as the documents' schemas expect)."""
    if isinstance(value, list):
        return [REDACTED if _hidden(item) else item for item in value]
    return REDACTED


def _mapping(value: Mapping[Any, Any], rules: SecretRules) -> dict[Any, Any]:
    out = {k: _whole(v) if _hidden(v) and is_secret_name(str(k), rules) else hide(v, rules)
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


def marked_secret(env: Any) -> bool:
    """An env marked `secret: true` that has a value to hide: the explicit way, whatever its name. The one
    rule for it (plans, the cache, exports and run logs all ask here)."""
    return isinstance(env, Mapping) and env.get("secret") is True and _hidden(env.get("value"))


def _flagged(value: Any) -> bool:
    """An env marked `secret: true`, or a task's `secrets` (the names of the cluster secrets it mounts)."""
    if isinstance(value, Mapping):
        if marked_secret(value) or (isinstance(value.get("secrets"), list) and value["secrets"]):
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
    b"signature", b"private", b"jwt", b"kube", b"hook", b"@", b"-----begin", b"eyj", b"ghp_", b"gho_", b"ghu_",
    b"ghs_", b"ghr_", b"github_pat", b"glpat", b"xox", b"akia", b"asia", b"sk-", b"k_live_", b"k_test_", b"hf_",
    b"aiza", b"npm_", b"pypi-", b"dop_v1", b"sig=", b"accountkey", b"sharedaccess",
)
# Credential words too short to look for as substrings (`path`, `sasl`, `pwm`, `otpauth` would match).
_SHORT = (b"pat", b"sas", b"pw", b"otp")
# Found in the JSON as written, not lower-cased: words_of ends a word only at a separator, a digit or an
# upper-case letter, never before a lower-case one, so `blobSASUri`, `PATFile`, `DB_PW` and `otp2` are
# found and `path`, `sasl` are not (`PATH` is, harmlessly: the full test then says no).
_SHORT_WORDS = re.compile(rb"(?i:pat|sas|pw|otp)(?![a-z])")


def _may_hold_secret(value: Any, rules: SecretRules) -> bool:
    if rules.mask:
        return True  # the repository's globs may name anything
    try:
        raw = orjson.dumps(value, default=str, option=orjson.OPT_NON_STR_KEYS)
    except TypeError:
        return True
    text = raw.lower()
    return any(hint in text for hint in _HINTS) or (
        any(word in text for word in _SHORT) and _SHORT_WORDS.search(raw) is not None)


def holds_secret(value: Any, rules: SecretRules = NO_RULES) -> bool:
    """Whether anything in `value` would be hidden when shown: what must not be kept in clear on disk."""
    if not _may_hold_secret(value, rules):
        return False
    return _flagged(value) or hide(value, rules) != value


# Shorter secrets are not looked for in free text: `abc` would mask every word that contains it.
MIN_SECRET_LENGTH = 4


def secret_strings(value: Any, rules: SecretRules = NO_RULES) -> set[str]:
    """The strings in `value` (a run's spec, say) that are secrets by the rules above: the values of
    credential names, of envs marked `secret: true` and after `--password`-like flags (what only looks
    like a credential is found in the text itself by model.redact). What a run prints is searched for
    these, as GitHub Actions masks registered secrets in logs; those shorter than MIN_SECRET_LENGTH are
    left out."""
    found: set[str] = set()
    _collect(value, rules, found)
    return {text for text in found if len(text) >= MIN_SECRET_LENGTH}


def _collect(value: Any, rules: SecretRules, found: set[str]) -> None:
    if isinstance(value, Mapping):
        name = value.get("name")
        if (marked_secret(value) or (isinstance(name, str) and is_secret_name(name, rules))) \
                and _hidden(value.get("value")):
            _leaves(value["value"], found)
        for key, item in value.items():
            if _hidden(item) and is_secret_name(str(key), rules):
                _leaves(item, found)  # `hide` hides the whole of it, a mapping too
            else:
                _collect(item, rules, found)
    elif isinstance(value, list):
        after_flag = False
        for item in value:
            if after_flag and _hidden(item) and not (type(item) is str and item.startswith("-")):
                _leaves(item, found)
            else:
                _collect(item, rules, found)
            after_flag = _secret_flag(item, rules)


def _leaves(value: Any, found: set[str]) -> None:
    if isinstance(value, Mapping):
        for item in value.values():
            _leaves(item, found)
    elif isinstance(value, list):
        for item in value:
            _leaves(item, found)
    elif _hidden(value):
        found.add(str(value))
