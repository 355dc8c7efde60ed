"""The secret sweep: credential-like names and token shapes put everywhere a repository can hold a value,
then every output dhsync has (plan text/json/markdown, plan file, apply, drift, runs, logs, the journal, the
cache, every file under .dhsync/ but the state database) searched for them. None may show; the backend must
still store them whole (masking is for what is shown, never for what is applied)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import Result

from dhsync.backends import open_backend
from tests.conftest import RunCli, run_process
from tests.specrepo import documents, write_repo

# Every name the issue lists, and their kin spelled the ways configurations spell them
NAMES = [
    "SECRET", "PGPASSWORD", "MYSQL_PWD", "DB_PASS", "DB_PWD", "MY_PASS", "PASSPHRASE", "SSH_KEY", "SIGNING_KEY",
    "ACCESS_KEY", "AUTHORIZATION", "BEARER", "COOKIE", "CREDS", "apikey", "AZURE_STORAGE_SAS",
    "DB_PASSWORD", "PASSWORD", "passwd", "GITHUB_TOKEN", "GITLAB_TOKEN", "HF_TOKEN", "NPM_TOKEN", "SLACK_TOKEN",
    "AWS_SECRET_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_SESSION_TOKEN", "API_KEY", "OPENAI_API_KEY", "CLIENT_SECRET",
    "JWT_SECRET", "SECRET_KEY", "SECRET_KEY_BASE", "PRIVATE_KEY", "SSH_PRIVATE_KEY", "GPG_PASSPHRASE",
    "REDIS_PASSWORD", "SMTP_PASS", "LDAP_BIND_PASSWORD", "MINIO_SECRET_KEY", "REFRESH_TOKEN", "ACCESS_TOKEN",
    "ID_TOKEN", "SESSION_COOKIE", "BASIC_AUTH", "HTTP_AUTH", "PROXY_AUTHORIZATION", "CREDENTIALS", "DB_CREDENTIAL",
    "WEBHOOK_SIGNATURE", "GITHUB_PAT", "ID_JWT", "SAS", "DB_PASSWORD_PROD", "API_TOKEN_2", "PASSWORD2",
    "githubToken", "apiKey", "clientSecret", "dbPassword", "privateKey", "accessKeyId", "sessionToken",
    "db.password", "smtp.pass", "api-key", "x-api-key", "auth-token", "client-secret", "PGPASSFILE_PASSWORD",
    # camelCase short words, plurals and the names a second review found shown
    "blobSASUri", "SASUrl", "PATFile", "myPATValue", "SECRETS", "DB_SECRETS", "API_TOKENS", "DB_PW", "OTP",
    "KUBECONFIG", "SLACK_WEBHOOK_URL",
]
# Values shaped like credentials, under names that say nothing (NOTE_0, NOTE_1 …)
TOKENS = [
    "ghp_" + "R8f2Kq" * 6, "gho_" + "T3xL9a" * 6, "ghs_" + "Wm4Nc7" * 6, "github_pat_11AB" + "cd3F" * 10,
    "glpat-" + "Yq7Hv2" * 4, "xoxb-2847561093-" + "Vb8Nm" * 4, "AKIA" + "J7QW2XKD9PLM4RTA", "ASIA" + "Z5HB8NCQ3WRT6YUE",
    "sk-proj-" + "Ut6Ro3" * 6, "sk_live_" + "Pz2Yx8Lw" * 3, "hf_" + "Gk4Js9Dm" * 5,
    "AIza" + "SyD9x-Qb7Kt2Wm4Np8Lc1Hv5Rf3Zj6Ye0Ta",
    "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJib3QtOTE4In0.Qm9Kp4Lx2Vn8Rt6Zy1Wc3",
    "https://hooks.slack.com/services/T0A1B2C3D/B4E5F6G7H/" + "Xk3Pq9Lm" * 3,
    "https://discord.com/api/webhooks/112233445566778899/" + "Dw7-Rt4_Yh2" * 4,
]
# what the name-less token shapes look like inside longer values, replaced where they stand
EMBEDDED = {
    "CONNECTION": "DefaultEndpointsProtocol=https;AccountName=acme;AccountKey=QWNtZUtleTk4NzY1NDMy==;",
    "REMOTE": "https://bot:UrlPw-77341@git.example.com/org/repo.git",
    "HEADER": "Authorization: Bearer HdrTok-5521-zzqv-aa81",
    "COMMAND": "psql --db-password=CmdPw-19284 --mode=batch",
}
EMBEDDED_SECRETS = ["QWNtZUtleTk4NzY1NDMy", "UrlPw-77341", "HdrTok-5521-zzqv-aa81", "CmdPw-19284"]
# names the rules must leave alone, with the values a user expects to read in a plan
VISIBLE = {"MONKEY": "banana-visible-1", "KEYBOARD": "qwerty-visible-2", "AUTHOR": "ada-visible-3",
           "TOKENIZER_MODE": "bpe-visible-4", "BROWSER_SESSION": "shown-by-config-5"}
CONFIG = ("project: sweep\nbackend: sqlite:///.dhsync/state.db\n"
          "secrets:\n  mask: ['MY_*']\n  show: [BROWSER_SESSION]\n")
MASKED_BY_CONFIG = {"MY_SETTING": "masked-by-glob-6"}


def secret_value(i: int, generation: int = 1) -> str:
    return f"sv{generation}x{i:03d}-Qz{i * 7919 % 1000:03d}"


def all_secrets(generation: int = 1) -> list[str]:
    return [*(secret_value(i, generation) for i in range(len(NAMES))), *TOKENS, *EMBEDDED_SECRETS,
            *MASKED_BY_CONFIG.values()]


def _quote(value: str) -> str:
    return json.dumps(value)  # JSON strings are YAML strings


def _env_lines(generation: int) -> str:
    envs = {**{name: secret_value(i, generation) for i, name in enumerate(NAMES)},
            **{f"NOTE_{i}": token for i, token in enumerate(TOKENS)}, **EMBEDDED, **VISIBLE, **MASKED_BY_CONFIG}
    return "".join(f"    - {{name: {_quote(name)}, value: {_quote(value)}}}\n" for name, value in envs.items())


def _parameters(generation: int) -> str:
    params = {**{name: secret_value(i, generation) for i, name in enumerate(NAMES)},
              "shapes": TOKENS, "embedded": list(EMBEDDED.values()), **VISIBLE, **MASKED_BY_CONFIG}
    return json.dumps(params)


HANDLER = """\
def main(**parameters):
    print(f"received {len(parameters)} parameters")
    return None
"""


def repository(root: Path, generation: int = 1) -> Path:
    function = ("kind: python\nname: sweep\nspec:\n  python_version: PYTHON3_11\n"
                "  source: {handler: main, code: " + _quote(HANDLER) + "}\n")
    job_task = f"kind: python+job\nspec:\n  function: sweep\n  envs:\n{_env_lines(generation)}"
    run = (f"kind: python+job:run\nname: sweep-run\ntrigger: on-change\nspec:\n  function: sweep\n"
           f"  local_execution: true\n  parameters: {_parameters(generation)}\n")
    return write_repo(root, {"functions/sweep.yaml": documents(function, job_task, run)}, config=CONFIG)


def leaked(text: str, generation: int = 1) -> list[str]:
    return [s for s in all_secrets(generation) if s in text]


def state_files(root: Path) -> Iterator[Path]:
    """Every file under .dhsync/ but the state database (and its sqlite sidecars)."""
    for path in sorted((root / ".dhsync").rglob("*")):
        if path.is_file() and not path.name.startswith("state.db"):
            yield path


@pytest.fixture
def swept(tmp_path: Path, run_cli: RunCli) -> Iterator[tuple[Path, dict[str, Result]]]:
    root = repository(tmp_path / "repo")
    out: dict[str, Result] = {
        "plan text": run_cli("plan", cwd=root),
        "plan json": run_cli("plan", "--format", "json", cwd=root),
        "plan markdown": run_cli("plan", "--format", "markdown", cwd=root),
        "plan --out": run_cli("plan", "--out", str(tmp_path / "plan.json"), cwd=root),
        "apply": run_cli("apply", "--auto-approve", cwd=root),
    }
    yield root, out


def test_names_and_shapes_cover_what_the_issue_asks() -> None:
    assert len(set(NAMES)) >= 60 and len(set(TOKENS)) >= 10
    assert len(set(all_secrets())) == len(all_secrets())


def test_no_secret_in_any_output_of_a_first_plan_and_apply(swept: tuple[Path, dict[str, Result]],
                                                           tmp_path: Path) -> None:
    _, out = swept
    assert out["apply"].exit_code == 0, out["apply"].output
    for what, result in out.items():
        assert leaked(result.output) == [], what
    assert leaked((tmp_path / "plan.json").read_text()) == []
    for visible in VISIBLE.values():  # the rules are not a blanket: ordinary names stay readable
        assert visible in out["plan json"].output
    assert "(secret)" in out["plan json"].output


def test_the_backend_stores_every_secret_whole(swept: tuple[Path, dict[str, Result]]) -> None:
    root, out = swept
    assert out["apply"].exit_code == 0
    backend = open_backend(f"sqlite:///{root / '.dhsync' / 'state.db'}", create=False)
    (stored_task,) = backend.list_tasks("sweep").items
    assert leaked(json.dumps(stored_task["spec"]["envs"])) == all_secrets()
    for i, name in enumerate(NAMES):
        assert {"name": name, "value": secret_value(i)} in stored_task["spec"]["envs"]
    (stored_run,) = backend.list_runs("sweep").items
    assert stored_run["spec"]["parameters"]["PGPASSWORD"] == secret_value(NAMES.index("PGPASSWORD"))
    assert stored_run["spec"]["parameters"]["shapes"] == TOKENS


def test_no_secret_in_drift_runs_logs_or_any_file_under_dhsync(swept: tuple[Path, dict[str, Result]],
                                                                run_cli: RunCli) -> None:
    root, out = swept
    assert out["apply"].exit_code == 0
    reads = {
        "drift": run_cli("drift", cwd=root), "drift json": run_cli("drift", "--format", "json", cwd=root),
        "runs": run_cli("runs", cwd=root), "runs json": run_cli("runs", "--format", "json", cwd=root),
        "logs": run_cli("logs", "sweep-run", cwd=root),
    }
    assert "received" in reads["logs"].output  # the run ran and its log was read
    assert "sweep-run" in reads["runs"].output
    for what, result in reads.items():
        assert leaked(result.output) == [], what
    files = list(state_files(root))
    assert any("journal" in p.parts for p in files) and any("cache" in p.parts for p in files)
    for path in files:
        assert leaked(path.read_text(errors="replace")) == [], path


def test_a_changed_secret_shows_as_changed_and_the_new_value_nowhere(swept: tuple[Path, dict[str, Result]],
                                                                      run_cli: RunCli) -> None:
    root, _ = swept
    repository(root, generation=2)
    plan = run_cli("plan", cwd=root)
    assert plan.exit_code == 0
    assert "spec.envs[PGPASSWORD].value: (changed)" in plan.output
    assert "spec.envs[MY_SETTING].value: (changed)" not in plan.output  # unchanged: not listed
    applied = run_cli("apply", "--auto-approve", cwd=root)
    assert applied.exit_code == 0, applied.output
    for text in (plan.output, applied.output, *(p.read_text(errors="replace") for p in state_files(root))):
        assert leaked(text, generation=2) == [] and leaked(text, generation=1) == []


def test_as_a_real_process_plan_and_apply_print_no_secret(tmp_path: Path) -> None:
    root = repository(tmp_path / "repo")
    plan = run_process("plan", "--format", "json", cwd=root)
    applied = run_process("apply", "--auto-approve", cwd=root)
    assert applied.returncode == 0, applied.stderr
    for text in (plan.stdout, plan.stderr, applied.stdout, applied.stderr):
        assert leaked(text) == []
    assert "(secret)" in plan.stdout


def test_without_secrets_mask_a_secret_in_each_of_many_files_stays_out_of_the_cache(
        tmp_path: Path, run_cli: RunCli) -> None:
    """No `secrets.mask` (which makes the cache test every file the slow way): each file holds one secret,
    found by the cache's own quick test, on a cold load, a warm one and after an edit."""
    files = {f"functions/f{i}.yaml": documents(
        f"kind: python\nname: f{i}\nspec:\n  python_version: PYTHON3_11\n  source: {{handler: main, code: 'x'}}\n",
        f"kind: python+job\nspec:\n  function: f{i}\n  envs:\n    - {{name: {_quote(name)}, "
        f"value: {_quote(secret_value(i))}}}\n") for i, name in enumerate(NAMES)}
    files.update({f"functions/t{i}.yaml": documents(
        f"kind: python\nname: t{i}\nspec:\n  python_version: PYTHON3_11\n  source: {{handler: main, code: 'x'}}\n",
        f"kind: python+job\nspec:\n  function: t{i}\n  envs:\n    - {{name: NOTE, value: {_quote(token)}}}\n")
        for i, token in enumerate(TOKENS)})
    root = write_repo(tmp_path / "repo", files, config="project: sweep\nbackend: sqlite:///.dhsync/state.db\n")
    secrets = [*(secret_value(i) for i in range(len(NAMES))), *TOKENS]
    outputs = [run_cli("plan", "--format", "json", cwd=root).output, run_cli("plan", cwd=root).output]
    (root / "functions/f0.yaml").write_text((root / "functions/f0.yaml").read_text() + "\n")
    outputs.append(run_cli("validate", cwd=root).output)
    cache = [p.read_text(errors="replace") for p in state_files(root)]
    assert cache and "(secret)" in outputs[0]
    for text in (*outputs, *cache):
        assert [s for s in secrets if s in text] == []
