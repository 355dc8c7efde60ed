"""Which names hold credentials: word parts of a key, not substrings of it.

A name is split into words on `_`, `-`, `.`, `/`, blanks and camelCase (`DB_PASSWORD`, `githubToken`,
`APIKey`, `ssh.key` all end in a credential word). The name holds a credential when its last word is one
(after trailing qualifiers such as `_PROD`, `_2`, `_V2`, `_B64` are set aside), or when its last word is a
well-known concatenation ending in one (`PGPASSWORD`, `clientsecret`, `authtoken`). Only the last word
counts because a credential word followed by another names something *about* the credential, not the
credential: `TOKEN_COUNT`, `PASSWORD_POLICY_URL`, `AUTH_URL`, `SESSION_TIMEOUT`, `TOKENIZER_PATH`.

`key` alone is too common to be a credential (`sort_key`, an entity's `key`, a node selector's `key`): it
counts after another word, unless that word makes it a lookup key (`sort`, `partition`, `primary`,
`public` …). `tokens` (plural) is a count in model settings (`max_tokens`) and is not a credential word.
Words that merely contain a credential word (`MONKEY`, `KEYBOARD`, `AUTHOR`, `SECRETARY`) never match.
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
})
# concatenations ending in these are credentials too (`PGPASSWORD`, `clientsecret`, `githubtoken`);
# not `pwd` (`OLDPWD` is a folder) nor `key` (`MONKEY`, `hotkey`)
_COMPOUND_ENDINGS: tuple[str, ...] = ("password", "passwd", "passphrase", "secret", "token", "apikey",
                                      "credential", "credentials")
_KEY_WORDS = frozenset({"key", "keys"})
# `<word>_key` that names a lookup key or a public key, not a credential
_LOOKUP_KEY_WORDS: frozenset[str] = frozenset({
    "sort", "partition", "primary", "foreign", "cache", "object", "routing", "lookup", "group", "dedup",
    "deduplication", "idempotency", "index", "join", "unique", "row", "map", "dict", "hash", "range", "shard",
    "distribution", "dist", "cluster", "order", "composite", "natural", "surrogate", "public", "field", "column",
    "record", "message", "partitioning", "bucket", "file", "path", "prefix", "sorting", "label", "topology",
    "selector", "node",
})
# words after the credential word that still name the credential itself (`DB_PASSWORD_PROD`, `TOKEN_2`)
_QUALIFIERS: frozenset[str] = frozenset({
    "value", "val", "b64", "base64", "raw", "enc", "encoded", "encrypted", "plain", "plaintext", "hash", "hashed",
    "str", "string", "text", "data", "pem", "der", "prod", "production", "staging", "stage", "stg", "dev",
    "development", "test", "testing", "qa", "uat", "local", "old", "new", "current", "next", "prev", "previous",
    "primary", "secondary", "backup", "main", "default", "admin", "root", "ro", "rw", "readonly", "override",
    "base",
})
NO_RULES = SecretRules()  # the built-in rules alone
_VERSION = re.compile(r"v?\d+")
_SPLIT = re.compile(r"[_\-./\s:]+")
# `githubToken` -> github Token; `APIKey` -> API Key; `password2` stays one word (digits are handled below)
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def words_of(name: str) -> list[str]:
    """The lower-case words of `name`: `AWS_SECRET_ACCESS_KEY` -> aws secret access key."""
    return [w.lower() for part in _SPLIT.split(name) if part for w in _CAMEL.split(part) if w]


def _significant(words: list[str]) -> list[str]:
    """`words` without the trailing qualifiers (`PROD`, `2`, `V2`, `B64`) that keep the credential's meaning."""
    end = len(words)
    while end > 1 and (words[end - 1] in _QUALIFIERS or _VERSION.fullmatch(words[end - 1])):
        end -= 1
    return words[:end]


def _credential_word(word: str) -> bool:
    word = word.rstrip("0123456789") or word  # `password2`, `token1`
    return word in CREDENTIAL_WORDS or (word.endswith(_COMPOUND_ENDINGS) and len(word) > 6)


@lru_cache(maxsize=8192)
def is_credential_name(name: str) -> bool:
    """Whether the built-in rules take `name` (an env name, a parameter key, any mapping key) for a
    credential's."""
    words = _significant(words_of(name))
    if not words:
        return False
    last = words[-1]
    if last in _KEY_WORDS:
        return len(words) >= 2 and words[-2] not in _LOOKUP_KEY_WORDS
    if last == "id" and len(words) >= 3 and words[-3:-1] == ["access", "key"]:
        return True  # AWS_ACCESS_KEY_ID: half of a credential pair, masked like its other half
    return _credential_word(last)


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
