"""`dhsync validate`, `dhsync init`, `--version`, `--help` and NO_COLOR, as a user types them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from dhsync import __version__
from dhsync.cli.main import COMMANDS
from tests.conftest import ROOT, RunCli, run_process


def test_the_examples_validate_cleanly(examples: Path, run_cli: RunCli) -> None:
    result = run_cli("validate", str(examples))
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr.strip().endswith(
        "examples: 5 functions, 6 tasks, 4 declared runs in 5 files, no errors.")


def test_json_output_lists_entities_and_diagnostics(examples: Path, run_cli: RunCli) -> None:
    (examples / "functions" / "report.yaml").write_text("kind: python\nname: bad name\n")
    result = run_cli("validate", str(examples), "--format", "json")
    assert result.exit_code == 1
    payload = json.loads(result.stdout)
    assert payload["ok"] is False
    assert payload["project"] == "demo-ml"
    assert payload["errors"] == len(payload["diagnostics"]) >= 2
    first = payload["diagnostics"][0]
    assert set(first) >= {"severity", "code", "message", "file", "line", "column", "path", "suggestion"}
    assert first["file"].endswith("functions/report.yaml")


def test_a_typo_gets_a_did_you_mean(examples: Path, run_cli: RunCli) -> None:
    train = examples / "functions" / "train.yaml"
    train.write_text(train.read_text().replace("  resources:\n    cpu: \"2\"", "  resorces:\n    cpu: \"2\""))
    result = run_cli("validate", str(examples))
    assert result.exit_code == 1
    assert result.stdout.strip() == (f"{examples.as_posix()}/functions/train.yaml:18:3: error: unknown field "
                                     "`resorces` (spec.resorces); did you mean `resources`?")


def test_no_dhsync_yaml_is_an_error_with_the_way_out(tmp_path: Path, run_cli: RunCli) -> None:
    result = run_cli("validate", str(tmp_path))
    assert result.exit_code == 1
    assert "no dhsync.yaml in" in result.stdout
    assert "run `dhsync init` to create one" in result.stdout


def test_a_path_that_does_not_exist_is_an_error(tmp_path: Path, run_cli: RunCli) -> None:
    result = run_cli("validate", str(tmp_path / "nowhere"))
    assert result.exit_code == 1


def test_init_scaffolds_a_repository_that_validates(tmp_path: Path, run_cli: RunCli) -> None:
    target = tmp_path / "my-functions"
    result = run_cli("init", str(target))
    assert result.exit_code == 0
    assert (target / "dhsync.yaml").read_text().count("project: my-functions") == 1
    for made in ("functions/hello.yaml", "src/hello.py", ".gitignore", "schemas/document.json",
                 "schemas/dhsync.json"):
        assert (target / made).is_file(), made
    checked = run_cli("validate", str(target))
    assert checked.exit_code == 0, checked.output
    assert "1 function, 1 task, 1 declared run in 1 file, no errors." in checked.stderr


def test_init_never_overwrites_without_force(tmp_path: Path, run_cli: RunCli) -> None:
    assert run_cli("init", str(tmp_path), "--project", "first").exit_code == 0
    (tmp_path / "src" / "hello.py").write_text("# my edits\n")
    again = run_cli("init", str(tmp_path), "--project", "second")
    assert again.exit_code == 1
    assert "already exists; nothing was written (use --force to overwrite)" in again.stderr
    assert (tmp_path / "src" / "hello.py").read_text() == "# my edits\n"
    assert run_cli("init", str(tmp_path), "--project", "second", "--force").exit_code == 0
    assert "project: second" in (tmp_path / "dhsync.yaml").read_text()


def test_version(run_cli: RunCli) -> None:
    result = run_cli("--version")
    assert result.exit_code == 0
    assert result.stdout.strip() == f"dhsync, version {__version__}"


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_has_help(command: str, run_cli: RunCli) -> None:
    result = run_cli(command, "--help")
    assert result.exit_code == 0
    assert f"Usage: cli {command}" in result.stdout or f"Usage: dhsync {command}" in result.stdout
    assert len(result.stdout.splitlines()) > 3


def test_colour_only_on_a_terminal_and_never_with_no_color(examples: Path) -> None:
    (examples / "functions" / "report.yaml").write_text("kind: python\nname: bad name\n")
    plain = run_process("validate", str(examples))
    assert "\x1b[" not in plain.stdout + plain.stderr
    from dhsync.render.diagnostics import text_lines
    from dhsync.specs.loader import load_repository
    coloured = text_lines(load_repository(examples).diagnostics, color=True)
    assert "\x1b[31merror:\x1b[0m" in coloured[0]


def test_no_color_wins_even_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    from dhsync.cli.common import use_color

    class Tty:
        def isatty(self) -> bool:
            return True

    monkeypatch.delenv("NO_COLOR", raising=False)
    assert use_color(Tty()) is True
    monkeypatch.setenv("NO_COLOR", "1")
    assert use_color(Tty()) is False


def test_validate_as_a_real_process_exits_0_then_1(examples: Path) -> None:
    clean = run_process("validate", str(examples))
    assert clean.returncode == 0, clean.stderr
    (examples / "functions" / "report.yaml").write_text("kind: python\n\tname: tabbed\n")
    broken = run_process("validate", str(examples))
    assert broken.returncode == 1
    assert "report.yaml:2:1: error: tab character where YAML expects spaces" in broken.stdout
    assert "Traceback" not in broken.stderr


def test_usage_errors_exit_1_not_2(examples: Path) -> None:
    """2 means "changes present" for scripts; a usage mistake must not look like that."""
    proc = run_process("validate", str(examples), "--format", "xml")
    assert proc.returncode == 1
    assert "Invalid value for '--format'" in proc.stderr


def test_the_pre_commit_hook_runs_dhsync_validate() -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert hooks == [hooks[0]]
    assert hooks[0]["id"] == "dhsync-validate"
    assert hooks[0]["entry"] == "dhsync validate"
    assert hooks[0]["pass_filenames"] is False


def test_validate_in_a_subfolder_points_at_the_repository(examples: Path, run_cli: RunCli) -> None:
    result = run_cli("validate", str(examples / "functions"))
    assert result.exit_code == 1
    assert f"the spec repository is `{examples.resolve()}` (it has dhsync.yaml); give that folder" in result.stdout


def test_globs_that_match_no_file_are_a_warning(tmp_path: Path, run_cli: RunCli) -> None:
    (tmp_path / "dhsync.yaml").write_text("project: demo\nspecs: ['fucntions/*.yaml']\n")
    result = run_cli("validate", str(tmp_path))
    assert result.exit_code == 0
    assert "dhsync.yaml:1:1: warning: no file matches specs ['fucntions/*.yaml']" in result.stdout


def test_init_refuses_a_bad_project_name_and_an_unwritable_place(tmp_path: Path, run_cli: RunCli) -> None:
    bad = run_cli("init", str(tmp_path / "x"), "--project", "Bad Name")
    assert bad.exit_code == 1 and "--project is invalid" in bad.stderr
    assert not (tmp_path / "x").exists()
    (tmp_path / "file").write_text("not a folder")
    blocked = run_cli("init", str(tmp_path / "file" / "repo"))
    assert blocked.exit_code == 1
    assert "cannot write the spec repository at" in blocked.stderr and "internal error" not in blocked.stderr


def test_what_the_python_runtime_checks_is_reported_by_validate_and_stops_plan(examples: Path,
                                                                                 run_cli: RunCli) -> None:
    report = examples / "functions" / "report.yaml"
    report.write_text(report.read_text().replace("handler: summarise", 'handler: "not a name!"'))
    result = run_cli("validate", str(examples))
    assert result.exit_code == 1
    assert ("functions/report.yaml:3:1: error: function `summarise`: handler `not a name!` is not `func` or "
            "`module:func`") in result.stdout
    assert run_cli("plan", str(examples)).exit_code == 1  # nothing is applied that the runtime would refuse
