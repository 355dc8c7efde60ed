"""Which names hold credentials: word parts of a key, not substrings of it.

A name is split into words on `_`, `-`, `.`, `/`, blanks and camelCase (`DB_PASSWORD`, `githubToken`,
`APIKey`, `ssh.key`). The name holds a credential when any of its words is a credential word, or a
well-known concatenation ending in one (`PGPASSWORD`, `clientsecret`, `authtoken`). Any word, not only the
last: a name that mentions a credential (`TOKEN_FILE`, `SESSION_ID`, `AUTH_HEADER`) is hidden rather than
risked; `secrets.show` in dhsync.yaml names the rare false positive (`TOKEN_COUNT`, `SESSION_TIMEOUT`).

`key` alone is too common to be a credential (`sort_key`, an entity's `key`, a node selector's `key`): it
counts after another word, unless that word makes it a lookup key (`sort`, `partition`, `primary`,
`public`, `topology` …). `tokens` (plural) is a credential (`API_TOKENS`) except beside a count word
(`max_tokens`, `num_tokens`, `max_new_tokens`, `total_tokens`): model settings count tokens. Two adjacent
words can make one (`KUBE_CONFIG`, `web_hook`). Words that merely contain a credential word (`MONKEY`,
`KEYBOARD`, `AUTHOR`, `SECRETARY`, `TOKENIZER`) never match.
"""

from __future__ import annotations

import re
from fnmatch import fnmatchcase
from functools import lru_cache

from dhsync.model.plan import SecretRules

# the words that make a name a credential's (README "Secrets" lists them)
CREDENTIAL_WORDS: frozenset[str] = frozenset({
    "pass", "passwd", "password", "passwords", "pwd", "passphrase", "secret", "token", "apikey", "apikeys",
    "cred", "creds", "credential", "credentials", "auth", "authorization", "bearer", "cookie", "cookies",
    "session", "sas", "signature", "private", "privatekey", "pat", "jwt", "accesskey", "secretkey",
    "secrets", "pw", "otp", "kubeconfig", "webhook", "webhooks",  # a Slack webhook URL is its own secret
})
# concatenations ending in these are credentials too (`PGPASSWORD`, `clientsecret`, `githubtoken`);
# not `pwd` (`OLDPWD` is a folder) nor `key` (`MONKEY`, `hotkey`)
_COMPOUND_ENDINGS: tuple[str, ...] = ("password", "passwd", "passphrase", "secret", "secrets", "token",
                                      "apikey", "credential", "credentials", "kubeconfig", "webhook")
# two words that are one credential word written apart
_JOINED = frozenset({"kubeconfig", "webhook", "webhooks", "apikey", "apikeys"})
# `tokens` beside one of these counts tokens (`max_tokens`, `n_tokens`, `tokens_limit`)
_COUNT_WORDS = frozenset({"max", "min", "num", "n", "total", "count", "limit"})
_KEY_WORDS = frozenset({"key", "keys"})
# `<word>_key` that names a lookup key or a public key, not a credential
_LOOKUP_KEY_WORDS: frozenset[str] = frozenset({
    "sort", "partition", "primary", "foreign", "cache", "object", "routing", "lookup", "group", "dedup",
    "deduplication", "idempotency", "index", "join", "unique", "row", "map", "dict", "hash", "range", "shard",
    "distribution", "dist", "cluster", "order", "composite", "natural", "surrogate", "public", "field", "column",
    "record", "message", "partitioning", "bucket", "file", "path", "prefix", "sorting", "label", "topology",
    "selector", "node",
})
NO_RULES = SecretRules()  # the built-in rules alone
_SPLIT = re.compile(r"[_\-./\s:]+")
# `githubToken` -> github Token; `APIKey` -> API Key; `password2` stays one word (digits are handled below)
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def words_of(name: str) -> list[str]:
    """The lower-case words of `name`: `AWS_SECRET_ACCESS_KEY` -> aws secret access key."""
    return [w.lower() for part in _SPLIT.split(name) if part for w in _CAMEL.split(part) if w]


def _credential_word(word: str) -> bool:
    word = word.rstrip("0123456789") or word  # `password2`, `token1`
    return word in CREDENTIAL_WORDS or (word.endswith(_COMPOUND_ENDINGS) and len(word) > 6)


@lru_cache(maxsize=8192)
def is_credential_name(name: str) -> bool:
    """Whether the built-in rules take `name` (an env name, a parameter key, any mapping key) for a
    credential's."""
    words = words_of(name)
    for position, word in enumerate(words):
        if word in _KEY_WORDS:
            if position and words[position - 1] not in _LOOKUP_KEY_WORDS:
                return True
        elif word == "tokens":
            if _COUNT_WORDS.isdisjoint(words):
                return True
        elif _credential_word(word) or (position and words[position - 1] + word in _JOINED):
            return True
    return False


@lru_cache(maxsize=8192)
def is_secret_name(name: str, rules: SecretRules = NO_RULES) -> bool:
    """The built-in rules, then the repository's: `secrets.mask` globs (matched without regard to case)
    always mask, `secrets.show` names (exact) are not credentials by name. Values that look like
    credentials are masked whatever their name says (see model.redact)."""
    if rules.mask and any(fnmatchcase(name.lower(), glob.lower()) for glob in rules.mask):
        return True
    if name in rules.show:
        return False
    return is_credential_name(name)
