"""Credentials by name: a word of the key, not a substring of it (README "Secrets")."""

from __future__ import annotations

import pytest

from dhsync.diff.compare import compare
from dhsync.diff.secrets import MASK, mask
from dhsync.model.plan import SecretRules
from dhsync.model.secret_names import is_credential_name, is_secret_name, words_of

# the names a pull-request comment once printed in clear, and their camelCase / dotted / dashed kin
CREDENTIAL_NAMES = [
    "SECRET", "PGPASSWORD", "MYSQL_PWD", "DB_PASS", "DB_PWD", "MY_PASS", "PASSPHRASE", "SSH_KEY", "SIGNING_KEY",
    "ACCESS_KEY", "AUTHORIZATION", "BEARER", "COOKIE", "CREDS", "apikey", "AZURE_STORAGE_SAS",
    "githubToken", "APIKey", "clientSecret", "db.password", "x-api-key", "DB_PASSWORD_PROD", "TOKEN_2",
    "password2", "AWS_ACCESS_KEY_ID", "AWS_SESSION_TOKEN", "SECRET_KEY_BASE", "GITLAB_PAT", "ID_JWT",
    "BASIC_AUTH", "privateKey", "REQUEST_SIGNATURE", "SESSION", "OAUTHTOKEN",
    # plurals and the words a second review found shown
    "SECRETS", "DB_SECRETS", "API_TOKENS", "PASSWORDS", "apiKeys", "pw", "DB_PW", "otp", "OTP_SEED", "kubeconfig",
    "KUBE_CONFIG", "kubeConfig", "webhook", "SLACK_WEBHOOK_URL", "web_hook", "blobSASUri", "SASUrl", "PATFile",
]
# names that contain a credential word without having it as a word of their own
ORDINARY_NAMES = [
    "MONKEY", "KEYBOARD", "AUTHOR", "SECRETARY", "TOKENIZER", "TOKENIZER_MODE", "TOKENIZER_PATH",
    "max_tokens", "sort_key", "key", "public_key", "topologyKey", "matchLabelKeys", "OLDPWD", "MODE",
    # `tokens` beside a count word counts tokens
    "num_tokens", "n_tokens", "total_tokens", "min_tokens", "max_new_tokens", "maxTokens", "TOKENS_LIMIT",
    "PATH", "sasl_mechanism", "HOOK", "kube_namespace",
]
# a credential word anywhere in the name: hidden rather than risked (`secrets.show` names false positives)
MENTIONING_NAMES = [
    "token_count", "secret_santa", "PASSWORD_POLICY_URL", "AUTH_URL", "SESSION_TIMEOUT", "COOKIE_DOMAIN",
    "JWT_ALGORITHM", "GITHUB_TOKEN_FILE", "API_KEY_ID", "SESSION_ID", "AUTH_HEADER",
]


def test_words_split_on_separators_and_camel_case() -> None:
    assert words_of("AWS_SECRET_ACCESS_KEY") == ["aws", "secret", "access", "key"]
    assert words_of("githubToken") == ["github", "token"]
    assert words_of("APIKey") == ["api", "key"]
    assert words_of("db.pass-word") == ["db", "pass", "word"]


@pytest.mark.parametrize("name", CREDENTIAL_NAMES)
def test_a_credential_word_names_a_credential(name: str) -> None:
    assert is_credential_name(name)
    shown = mask({"spec": {"envs": [{"name": name, "value": "hunter2-s3cr3t"}],
                           "parameters": {name: "hunter2-s3cr3t"}}})
    assert shown == {"spec": {"envs": [{"name": name, "value": MASK}], "parameters": {name: MASK}}}


@pytest.mark.parametrize("name", ORDINARY_NAMES)
def test_a_word_that_only_contains_one_does_not(name: str) -> None:
    assert not is_credential_name(name)
    doc = {"spec": {"envs": [{"name": name, "value": "visible"}], "parameters": {name: "visible"}}}
    assert mask(doc) == doc


@pytest.mark.parametrize("name", MENTIONING_NAMES)
def test_a_credential_word_anywhere_in_the_name_masks_it_unless_shown(name: str) -> None:
    assert is_credential_name(name)
    doc = {"spec": {"envs": [{"name": name, "value": "visible"}], "parameters": {name: "visible"}}}
    assert mask(doc) == {"spec": {"envs": [{"name": name, "value": MASK}], "parameters": {name: MASK}}}
    assert mask(doc, rules=SecretRules(show=(name,))) == doc


def test_the_secret_flag_and_other_booleans_stay_visible() -> None:
    doc = {"spec": {"envs": [{"name": "T", "value": "x", "secret": True}], "parameters": {"private": False}}}
    assert mask(doc) == {"spec": {"envs": [{"name": "T", "value": MASK, "secret": True}],
                                  "parameters": {"private": False}}}


def test_a_secret_key_with_a_value_is_masked() -> None:
    assert mask({"spec": {"parameters": {"secret": "abc123"}}}) == {"spec": {"parameters": {"secret": MASK}}}


def test_secrets_mask_globs_mask_any_name_and_show_unmasks_a_name() -> None:
    rules = SecretRules(mask=("MY_*",), show=("SESSION",))
    assert is_secret_name("MY_SETTING", rules) and is_secret_name("my_setting", rules)
    assert not is_secret_name("SESSION", rules) and is_secret_name("SESSION", SecretRules())
    doc = {"spec": {"parameters": {"MY_SETTING": "a", "SESSION": "b", "OTHER": "c", "DB_PASS": "d"}}}
    assert mask(doc, rules=rules) == {"spec": {"parameters": {"MY_SETTING": MASK, "SESSION": "b", "OTHER": "c",
                                                              "DB_PASS": MASK}}}


def test_show_does_not_unmask_a_value_that_looks_like_a_token_or_one_marked_secret() -> None:
    rules = SecretRules(show=("SESSION", "T"))
    token = "ghp_" + "a1B2" * 9
    doc = {"spec": {"parameters": {"SESSION": token}, "envs": [{"name": "T", "value": "x", "secret": True}]}}
    shown = mask(doc, rules=rules)
    assert shown == {"spec": {"parameters": {"SESSION": MASK}, "envs": [{"name": "T", "value": MASK, "secret": True}]}}


def test_the_argument_after_a_credential_flag_is_masked() -> None:
    shown = mask({"spec": {"args": ["--db-password", "hunter2", "--mode", "batch", "--token=abc123", "-v"]}})
    assert shown == {"spec": {"args": ["--db-password", MASK, "--mode", "batch", f"--token={MASK}", "-v"]}}


def test_a_changed_secret_by_a_repository_rule_shows_as_changed_without_its_value() -> None:
    rules = SecretRules(mask=("MY_*",))
    before = {"spec": {"envs": [{"name": "MY_SETTING", "value": "one"}]}}
    after = {"spec": {"envs": [{"name": "MY_SETTING", "value": "two"}]}}
    (field,) = compare(before, after, rules=rules).fields
    assert (field.path, field.before, field.after, field.secret) == ("spec.envs[MY_SETTING].value", MASK, MASK, True)
