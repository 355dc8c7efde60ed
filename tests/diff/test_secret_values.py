"""Credentials by look, whatever their name, replaced where they stand in a longer value."""

from __future__ import annotations

import pytest

from dhsync.diff.secrets import MASK, mask
from dhsync.model.redact import redact_text

# (what a user writes, the secret part that must not show)
SHAPED = {
    "PEM key": ("-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7\n-----END RSA PRIVATE KEY-----",
                "MIIEowIBAAKCAQEA7"),
    "JWT": ("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N", "dozjgNryP4J3jVmNHl0w5N"),
    "GitHub token in an argument": ("--repo-token ghp_16C7e42F292c6912E7710c838347Ae178B4a",
                                    "ghp_16C7e42F292c6912E7710c838347Ae178B4a"),
    "GitHub fine-grained": ("github_pat_11ABCDEFG0123456789_abcdefghij", "github_pat_11ABCDEFG"),
    "GitLab": ("glpat-xYz123abcDEF456ghiJK", "glpat-xYz123abcDEF456ghiJK"),
    "Slack": ("xoxb-123456789012-abcdefABCDEF", "xoxb-123456789012"),
    "AWS key id": ("AKIAIOSFODNN7EXAMPLE", "AKIAIOSFODNN7EXAMPLE"),
    "OpenAI": ("sk-proj-abcdefghijklmnopqrstuvwx", "sk-proj-abcdefghijklmnop"),
    "Stripe": ("sk_live_51HabcdefghijK", "sk_live_51HabcdefghijK"),
    "Hugging Face": ("hf_abcdefghijklmnopqrstuvwxyzABCDEF12", "hf_abcdefghijklmnopqrstuvwxyzABCDEF12"),
    "URL userinfo": ("postgres://app:hunter2pw@db:5432/x", "hunter2pw"),
    "Authorization header": ("Authorization: Bearer abc.def.ghi-123", "abc.def.ghi-123"),
    "Basic header in curl": ("curl -H 'Authorization: Basic dXNlcjpwYXNz' https://x", "dXNlcjpwYXNz"),
    "bearer alone": ("bearer 0123456789abcdefXYZ", "0123456789abcdefXYZ"),
    "Azure connection string": ("DefaultEndpointsProtocol=https;AccountName=a;AccountKey=Zm9vYmFy==;", "Zm9vYmFy=="),
    "Azure SAS URL": ("https://a.blob.core.windows.net/c?sv=2022-11-02&sig=AbC%2Fd3f", "AbC%2Fd3f"),
    "name=value in a command": ("PGPASSWORD=hunter2pw psql -h db", "hunter2pw"),
    "--name=value": ("--db-password=hunter2pw --mode=batch", "hunter2pw"),
}


@pytest.mark.parametrize("case", sorted(SHAPED))
def test_a_credential_shaped_value_is_masked_where_it_stands(case: str) -> None:
    text, secret = SHAPED[case]
    shown = redact_text(text)
    assert secret not in shown and MASK in shown
    masked = mask({"spec": {"command": "run", "args": ["--mode", text], "parameters": {"note": text}}})
    assert masked is not None and secret not in repr(masked)
    assert masked["spec"]["command"] == "run" and masked["spec"]["args"][0] == "--mode"


def test_what_surrounds_a_secret_stays_readable() -> None:
    assert redact_text("--db-password=hunter2pw --mode=batch") == f"--db-password={MASK} --mode=batch"
    assert redact_text("Authorization: Bearer abc.def.ghi-123") == f"Authorization: Bearer {MASK}"


@pytest.mark.parametrize("text", [
    "python+job://demo/train:0123456789abcdef", "sha256:" + "ab" * 32, "Basic setup instructions",
    "Token management overview", "max_tokens=512", "sort_key=created", "mode: batch", "task-" + "a" * 30,
    "ask-me-anything", "https://example.com/path?q=1",
])
def test_ordinary_values_are_left_alone(text: str) -> None:
    assert redact_text(text) == text


@pytest.mark.parametrize(("url", "shown"), [
    ("https://hooks.slack.com/services/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",
     "https://hooks.slack.com/services/(secret)"),
    ("https://discord.com/api/webhooks/112233445566778899/Dw7-Rt4_Yh2Dw7",
     "https://discord.com/api/webhooks/(secret)"),
])
def test_a_webhook_url_keeps_its_host_and_hides_its_path(url: str, shown: str) -> None:
    """Whoever has a Slack or Discord webhook's path can post to the channel: the path is the secret."""
    assert redact_text(f"notify {url} when done") == f"notify {shown} when done"
