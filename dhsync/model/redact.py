"""Credentials written into URLs, hidden wherever a URL is shown.

`git+https://bot:TOKEN@host/org/repo.git` is the usual way to clone a private repository without a
prompt; what is shown of it (messages, logs, plans) reads `git+https://(secret)@host/org/repo.git`.
Only what is shown is redacted: whatever uses the URL (git) still gets it whole.
"""

from __future__ import annotations

import re

REDACTED = "(secret)"
# `scheme://userinfo@`: the userinfo runs to the authority's last `@` (an unencoded `@` in a password
# is common enough), never past the `/`, `?` or `#` that ends the authority, nor past a blank.
_USERINFO = re.compile(r"(?P<scheme>\b[A-Za-z][A-Za-z0-9+.-]*://)(?P<userinfo>[^/?#\s]+)@")


def redact_url(text: str) -> str:
    """`text` with the userinfo (`user:password@`, `token@`) of every URL in it replaced by `(secret)`."""
    if "@" not in text:  # the common case costs one scan
        return text
    return _USERINFO.sub(lambda match: f"{match['scheme']}{REDACTED}@", text)
