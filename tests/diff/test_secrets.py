"""Secrets: never shown, a change to one still shows as a (secret) field change."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from dhsync.diff.compare import compare
from dhsync.diff.secrets import MASK, mask, mask_pair

SECRET = "hunter2-s3cr3t"
OTHER = "other-s3cr3t-value"

# (document holding SECRET, the same document holding OTHER instead)
SECRET_DOCS: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "task secrets": ({"spec": {"secrets": [SECRET, "b"]}}, {"spec": {"secrets": [OTHER, "b"]}}),
    "env marked secret": ({"spec": {"envs": [{"name": "T", "value": SECRET, "secret": True}]}},
                          {"spec": {"envs": [{"name": "T", "value": OTHER, "secret": True}]}}),
    "password parameter": ({"spec": {"parameters": {"password": SECRET}}},
                           {"spec": {"parameters": {"password": OTHER}}}),
    "token anywhere": ({"spec": {"a": [{"b": {"token": SECRET}}]}}, {"spec": {"a": [{"b": {"token": OTHER}}]}}),
    "credentials mapping": ({"spec": {"credentials": {"user": "u", "key": SECRET}}},
                            {"spec": {"credentials": {"user": "u", "key": OTHER}}}),
    "suffixed key": ({"spec": {"parameters": {"db_password": SECRET}}},
                     {"spec": {"parameters": {"db_password": OTHER}}}),
    "camel case key": ({"spec": {"parameters": {"githubToken": SECRET}}},
                       {"spec": {"parameters": {"githubToken": OTHER}}}),
    "upper case key": ({"spec": {"parameters": {"AWS_SECRET_ACCESS_KEY": SECRET}}},
                       {"spec": {"parameters": {"AWS_SECRET_ACCESS_KEY": OTHER}}}),
    "client secret": ({"spec": {"parameters": {"client_secret": SECRET}}},
                      {"spec": {"parameters": {"client_secret": OTHER}}}),
    "nested inside a credential": ({"spec": {"parameters": {"api_key": {"value": SECRET}}}},
                                   {"spec": {"parameters": {"api_key": {"value": OTHER}}}}),
}


def shown(value: Any) -> str:
    return orjson.dumps(value, default=str).decode()


@pytest.mark.parametrize("case", sorted(SECRET_DOCS))
def test_mask_hides_every_secret(case: str) -> None:
    doc, _ = SECRET_DOCS[case]
    masked = mask(doc)
    assert SECRET not in shown(masked) and MASK in shown(masked)
    assert SECRET in shown(doc)  # the original is not changed


@pytest.mark.parametrize("case", sorted(SECRET_DOCS))
def test_a_changed_secret_shows_as_changed_without_its_value(case: str) -> None:
    before, after = SECRET_DOCS[case]
    result = compare(before, after)
    assert not result.same and result.fields
    assert all(f.secret for f in result.fields), result.fields
    assert SECRET not in shown(result.fields) and OTHER not in shown(result.fields)


def test_a_changed_secret_env_names_the_env() -> None:
    before, after = SECRET_DOCS["env marked secret"]
    (field,) = compare(before, after).fields
    assert (field.path, field.before, field.after, field.secret) == ("spec.envs[T].value", MASK, MASK, True)


def test_the_keys_inside_a_credential_are_not_listed() -> None:
    before = {"spec": {"parameters": {"token": {"k1": "a", "k2": "b"}}}}
    after = {"spec": {"parameters": {"token": {"k1": "c", "k3": "d"}}}}
    (field,) = compare(before, after).fields
    assert (field.path, field.before, field.after, field.secret) == ("spec.parameters.token", MASK, MASK, True)


def test_an_env_secret_on_one_side_is_secret_on_both() -> None:
    """A backend may not keep dhsync's `secret` flag (DHCore's env has none): the declared flag masks the
    stored value too."""
    stored = {"spec": {"envs": [{"name": "T", "value": SECRET}]}}
    declared = {"spec": {"envs": [{"name": "T", "value": OTHER, "secret": True}]}}
    masked = mask_pair(stored, declared)
    assert SECRET not in shown(masked) and OTHER not in shown(masked)
    fields = compare(stored, declared).fields
    assert SECRET not in shown(fields) and OTHER not in shown(fields)
    assert [(f.path, f.secret) for f in fields] == [("spec.envs[T].secret", False), ("spec.envs[T].value", True)]


@pytest.mark.parametrize("doc", [
    {"spec": {"envs": [{"name": "MODE", "value": "batch"}]}},
    {"spec": {"parameters": {"max_tokens": 3, "sort_key": "k", "monkey": "x"}}},
    {"spec": {"envs": [{"name": "TOKENIZER", "value": "not a credential"}]}},
])
def test_what_is_not_secret_stays_visible(doc: dict[str, Any]) -> None:
    assert mask(doc) == doc


def test_the_secret_flag_itself_is_not_masked() -> None:
    masked = mask({"spec": {"envs": [{"name": "T", "value": SECRET, "secret": True}]}})
    assert masked == {"spec": {"envs": [{"name": "T", "value": MASK, "secret": True}]}}
