"""An env whose name says it holds a credential is masked even without `secret: true`."""

from __future__ import annotations

import pytest

from dhsync.diff.compare import compare
from dhsync.diff.secrets import MASK, mask


@pytest.mark.parametrize("name", ["DB_PASSWORD", "password", "AWS_SECRET_ACCESS_KEY", "GITHUB_TOKEN", "token",
                                  "API_KEY", "db_password", "client_secret"])
def test_credential_named_envs_are_masked_and_a_change_shows_as_changed(name: str) -> None:
    before = {"kind": "python+job", "spec": {"envs": [{"name": name, "value": "one"}, {"name": "MODE", "value": "a"}]}}
    after = {"kind": "python+job", "spec": {"envs": [{"name": name, "value": "two"}, {"name": "MODE", "value": "a"}]}}
    shown = mask(after)
    assert shown is not None and shown["spec"]["envs"][0]["value"] == MASK
    assert shown["spec"]["envs"][1]["value"] == "a"  # MODE is not a credential
    (field,) = compare(before, after).fields
    assert (field.path, field.secret) == (f"spec.envs[{name}].value", True)
    assert "one" not in repr(field) and "two" not in repr(field)


@pytest.mark.parametrize("name", ["MODE", "TOKENIZER_PATH", "SECRETARY", "KEYBOARD_LAYOUT"])
def test_ordinary_names_stay_visible(name: str) -> None:
    shown = mask({"kind": "python+job", "spec": {"envs": [{"name": name, "value": "visible"}]}})
    assert shown is not None and shown["spec"]["envs"][0]["value"] == "visible"


def test_credentials_in_a_source_url_never_show_and_a_new_token_shows_as_changed() -> None:
    before = {"kind": "python", "spec": {"source": {"source": "git+https://bot:ghp_OLD@github.com/org/repo.git"}}}
    after = {"kind": "python", "spec": {"source": {"source": "git+https://bot:ghp_NEW@github.com/org/repo.git"}}}
    shown = mask(after)
    assert shown is not None
    assert shown["spec"]["source"]["source"] == "git+https://(secret)@github.com/org/repo.git"
    (field,) = compare(before, after).fields
    assert (field.path, field.secret) == ("spec.source.source", True)
    assert "ghp_" not in repr(field)
