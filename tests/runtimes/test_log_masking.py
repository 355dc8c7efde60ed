"""What a handler prints of its secrets is masked in the run's log as it is written (as CI systems mask
registered secrets): its secret envs, parameters under credential names, and token-shaped values, even
when printed in pieces; `dhsync logs` masks token shapes in logs written before runs did."""

from __future__ import annotations

from pathlib import Path

from dhsync.runtimes import log_file
from dhsync.runtimes.local.logsink import PARTIAL_LIMIT, LogSink
from tests.conftest import RunCli
from tests.runtimes.conftest import Lab

TOKEN = "ghp_" + "R8f2Kq" * 6
PASSWORD = "pg-s3cr3t-value"
FLAGGED = "flagged-only-by-secret-true"

HANDLER = f"""\
import os, sys

def main(db_password, note):
    print("env", os.environ["PGPASSWORD"], "and", os.environ["PLAIN_NAME"], flush=True)
    sys.stdout.write("half " + db_password[:5]); sys.stdout.flush()
    sys.stdout.write(db_password[5:] + " end\\n"); sys.stdout.flush()
    print("token", "{TOKEN[:10]}", end="", flush=True)
    print("{TOKEN[10:]}", "and a note:", note, flush=True)
    print("short values stay: abc")
"""


def test_a_run_that_prints_its_secrets_leaves_none_in_its_log(lab: Lab) -> None:
    run = lab.go(HANDLER, function_spec={"envs": [{"name": "PGPASSWORD", "value": "env-pw-7781"},
                                                  {"name": "PLAIN_NAME", "value": FLAGGED, "secret": True}]},
                 parameters={"db_password": PASSWORD, "note": "visible note"})
    assert run["status"]["state"] == "COMPLETED", run["status"]
    log = lab.logs(run)
    for secret in ("env-pw-7781", FLAGGED, PASSWORD, PASSWORD[:5] + "\n", TOKEN, TOKEN[10:]):
        assert secret not in log
    assert "env (secret) and (secret)\n" in log
    assert "half (secret) end\n" in log  # printed in two writes, masked whole
    assert "token (secret) and a note: visible note\n" in log
    assert "short values stay: abc" in log


def test_a_secret_split_across_writes_is_masked_and_a_long_line_is_cut_outside_it(tmp_path: Path) -> None:
    path = tmp_path / "run.log"
    with LogSink(path, 10 * PARTIAL_LIMIT, secrets=["hunter2hunter2", "abc"]) as sink:
        sink.write(b"a hunter2")
        sink.write(b"hunter2 b\n")
        assert path.read_bytes() == b"a (secret) b\n"
        sink.write(b"x" * (PARTIAL_LIMIT - 5) + b" hunter2")  # a line past the bound, cut before the secret
        sink.write(b"hunter2 tail")
        sink.write(b" and no end " + TOKEN.encode()[:8])
        sink.note("stopping")  # what was printed before the note stays before it
    text = path.read_text()
    assert "hunter2hunter2" not in text and "hunter2" not in text
    assert text.count("(secret)") == 2 and "abc" not in text.replace("(secret)", "")
    assert text.endswith("tail and no end ghp_R8f2\n[dhsync] stopping\n")


def test_dhsync_logs_masks_tokens_in_a_log_written_before(lab: Lab, run_cli: RunCli) -> None:
    run = lab.go("def main():\n    print('started')\n")
    (lab.root / "dhsync.yaml").write_text(f"project: demo\nbackend: {lab.url}\n")
    with log_file(lab.backend, run).open("a") as handle:  # what an older dhsync wrote as the handler printed it
        handle.write(f"old line with {TOKEN}\nand Authorization: Bearer abcdefghijklmnop123\n")
    for args in (("logs", run["id"]), ("logs", run["id"], "--follow")):
        shown = run_cli(*args, cwd=lab.root)
        assert shown.exit_code == 0, shown.output
        assert "started" in shown.stdout and TOKEN not in shown.stdout and "abcdefghijklmnop123" not in shown.stdout
        assert "old line with (secret)\nand Authorization: Bearer (secret)\n" in shown.stdout
