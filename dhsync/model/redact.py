"""Credentials written into text, hidden wherever the text is shown.

`git+https://bot:TOKEN@host/org/repo.git` is the usual way to clone a private repository without a
prompt; what is shown of it (messages, logs, plans) reads `git+https://(secret)@host/org/repo.git`.
Only what is shown is redacted: whatever uses the value (git, the run) still gets it whole.

`redact_text` also replaces, where they stand in a longer string, values that look like credentials
whatever their name: PEM private keys, JWTs, well-known token shapes (GitHub, GitLab, Slack, AWS, OpenAI,
Stripe, Hugging Face, Google, npm, PyPI …), `Authorization: Bearer …` headers, Azure account keys and SAS
signatures, Slack and Discord webhook URLs (their path), and `NAME=value` / `--name=value` pairs whose
name is a credential's (model.secret_names).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from dhsync.model.plan import SecretRules
from dhsync.model.secret_names import NO_RULES, is_secret_name

REDACTED = "(secret)"
# `scheme://userinfo@`: the userinfo runs to the authority's last `@` (an unencoded `@` in a password
# is common enough), never past the `/`, `?` or `#` that ends the authority, nor past a blank.
_USERINFO = re.compile(r"(?P<scheme>\b[A-Za-z][A-Za-z0-9+.-]*://)(?P<userinfo>[^/?#\s]+)@")

_B64URL = r"[A-Za-z0-9_-]"
# Whole values replaced where they stand. Left edges are "not a letter or digit before", so a token
# inside a command line (`--token=ghp_…`) or a URL path is found as well.
_SHAPES = re.compile("|".join([
    r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY[A-Z ]*-----(?:.*?-----END [A-Z0-9 ]*PRIVATE KEY[A-Z ]*-----|.*)",
    rf"(?<![A-Za-z0-9])eyJ{_B64URL}{{6,}}\.{_B64URL}{{6,}}\.{_B64URL}*",        # JWT (header `{"…`)
    r"(?<![A-Za-z0-9])gh[pousr]_[A-Za-z0-9]{20,}",                            # GitHub tokens
    r"(?<![A-Za-z0-9])github_pat_[A-Za-z0-9_]{20,}",
    r"(?<![A-Za-z0-9])glpat-[A-Za-z0-9_-]{20,}",                              # GitLab
    r"(?<![A-Za-z0-9])xox[abposr]-[A-Za-z0-9-]{10,}",                         # Slack
    r"(?<![A-Za-z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Za-z0-9])",              # AWS access key ids
    r"(?<![A-Za-z0-9])sk-[A-Za-z0-9_-]{20,}",                                 # OpenAI, Anthropic …
    r"(?<![A-Za-z0-9])[sr]k_(?:live|test)_[A-Za-z0-9]{10,}",                  # Stripe secret keys
    r"(?<![A-Za-z0-9])hf_[A-Za-z0-9]{30,}",                                   # Hugging Face
    r"(?<![A-Za-z0-9])AIza[0-9A-Za-z_-]{35}",                                 # Google API keys
    r"(?<![A-Za-z0-9])npm_[A-Za-z0-9]{36}",
    r"(?<![A-Za-z0-9])pypi-AgE[A-Za-z0-9_-]{50,}",
    r"(?<![A-Za-z0-9])dop_v1_[a-f0-9]{64}",                                   # DigitalOcean
]), re.DOTALL)
# The credential after a prefix that is kept (`Authorization: Bearer ` stays, what follows goes).
_AFTER = re.compile("|".join([
    r"(?P<a>(?i:\b(?:proxy-)?authorization)[\"']?\s*[:=]\s*(?:(?i:bearer|basic|token|digest|negotiate|apikey)\s+)?)"
    r"(?P<av>[^\s\"',;]+)",
    r"(?P<b>\b[Bb]earer\s+)(?P<bv>[A-Za-z0-9._~+/=-]{12,})",
    r"(?P<c>(?i:\b(?:AccountKey|SharedAccessKey|SharedAccessSignature)=))(?P<cv>[^;\s\"']+)",
    r"(?P<d>[?&]sig=)(?P<dv>[^&\s\"']+)",                                     # Azure SAS signature
    # webhook URLs are their own credential: whoever has the path can post (the host stays readable)
    r"(?P<e>\bhooks\.slack\.com/(?:services|workflows|triggers)/)(?P<ev>[A-Za-z0-9_/-]+)",
    r"(?P<f>\b(?:(?:ptb|canary)\.)?discord(?:app)?\.com/api/(?:v\d+/)?webhooks/)(?P<fv>[A-Za-z0-9_/-]+)",
]))
# `NAME=value`, `--name=value`, `name: value`, `"name": "value"`: masked when NAME is a credential's name.
# Not `name:value` without a blank: that is a reference (`sha256:…`, `python+job://…:id`, `image:tag`).
_PAIR = re.compile(r"(?P<key>(?<![A-Za-z0-9_.])[A-Za-z_][A-Za-z0-9_.-]*)"
                   r"(?P<sep>\s*=\s*[\"']?|[\"']\s*:\s*[\"']?|:\s+[\"']?)"
                   r"(?P<value>(?!(?i:bearer|basic)\s)[^\s;&,\"'}]+)")
# literal alternatives only: the regex engine then skips to a possible first character at C speed
_SHAPE_HINT = re.compile(r"-----BEGIN|eyJ|gh[pousr]_|github_pat_|glpat-|xox|AKIA|ASIA|sk-|sk_|rk_|hf_|AIza|npm_|"
                         r"pypi-|dop_v1_|Bearer|bearer|uthorization|UTHORIZATION|AccountKey|SharedAccess|sig=|"
                         r"hooks\.slack|discord")


def redact_url(text: str) -> str:
    """`text` with the userinfo (`user:password@`, `token@`) of every URL in it replaced by `(secret)`."""
    if "@" not in text:  # the common case costs one scan
        return text
    return _USERINFO.sub(lambda match: f"{match['scheme']}{REDACTED}@", text)


def _after(match: re.Match[str]) -> str:
    group = match.lastgroup or ""  # the value group of the alternative that matched: `av`, `bv` …
    return match.group(group[:-1]) + REDACTED


@lru_cache(maxsize=64)
def _pair(rules: SecretRules) -> Callable[[re.Match[str]], str]:
    def replace(match: re.Match[str]) -> str:
        if match["value"] == REDACTED or not is_secret_name(match["key"], rules):
            return match[0]
        return f"{match['key']}{match['sep']}{REDACTED}"
    return replace


def _has_pair(text: str) -> bool:
    return "=" in text or ": " in text or '":' in text or "':" in text


def redact_text(text: str, rules: SecretRules = NO_RULES) -> str:
    """`text` with every credential it holds replaced by `(secret)`: URL userinfo, values shaped like a
    credential, and the values of `name=value` pairs whose name is a credential's (by `rules` too)."""
    if len(text) < 6:
        return text  # no credential shape is this short; most values (kinds, modes, names) end here
    text = redact_url(text)
    if _SHAPE_HINT.search(text):
        text = _AFTER.sub(_after, _SHAPES.sub(REDACTED, text))
    if _has_pair(text):
        text = _PAIR.sub(_pair(rules), text)
    return text
