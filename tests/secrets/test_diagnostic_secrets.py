"""`dhsync validate` and `plan` quote the values they reject; what is shown of them is masked like a plan:
token shapes anywhere, and every quoted value of a field named like a credential."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import RunCli
from tests.specrepo import write_repo

TOKEN = "ghp_abcdefghijklmnopqrstuvwxyz0123456789"
SPEC = f"""\
kind: python
name: a
spec:
  python_version: {TOKEN}
  source: {{handler: main, code: 'x = 1'}}
---
kind: python
name: b
spec:
  python_version: PYTHON3_11
  source: {{handler: main, code: 'x = 1'}}
  db_password: hunter2hunter2
"""


def test_validation_errors_do_not_echo_secrets(tmp_path: Path, run_cli: RunCli) -> None:
    root = write_repo(tmp_path / "repo", {"functions/a.yaml": SPEC})
    text = run_cli("validate", cwd=root)
    as_json = run_cli("validate", "--format", "json", cwd=root)
    plan = run_cli("plan", cwd=root)
    assert text.exit_code == as_json.exit_code == plan.exit_code == 1
    assert "functions/a.yaml:4:19: error: `python_version` is `(secret)`; expected one of" in text.stdout
    assert "unknown field `db_password` (spec.db_password)" in text.stdout  # the field is still named
    for output in (text.output, as_json.output, plan.output):
        assert TOKEN not in output and "hunter2hunter2" not in output
    messages = [d["message"] for d in json.loads(as_json.stdout)["diagnostics"]]
    assert any("`python_version` is `(secret)`" in m for m in messages)


def test_a_quoted_value_under_a_credential_name_is_masked() -> None:
    from dhsync.model.diagnostics import Location, error
    from dhsync.render.diagnostics import shown
    d = error("bad", "`api_token` is `not-a-token-shape`, not a list", Location("f.yaml", 3, 1),
              ("spec", "parameters", "api_token"), suggestion=f"not `{TOKEN}`; did you mean `secrets`?")
    assert shown(d).message == "`api_token` is `(secret)`, not a list"
    assert shown(d).suggestion == "not `(secret)`; did you mean `secrets`?"
    plain = error("bad", "`mode` is `fast`", Location("f.yaml", 3, 1), ("spec", "mode"))
    assert shown(plain) is plain
