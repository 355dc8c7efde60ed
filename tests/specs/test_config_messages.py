"""dhsync.yaml mistakes, as `dhsync validate` prints them: dhsync.yaml keys suggested, counted as a file."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import RunCli


def _validate(tmp_path: Path, run_cli: RunCli, config: str) -> tuple[list[str], str]:
    (tmp_path / "dhsync.yaml").write_text(config)
    result = run_cli("validate", ".", "--no-cache", cwd=tmp_path)
    assert result.exit_code == 1
    return result.stdout.splitlines(), result.stderr.strip()


def test_an_unknown_key_suggests_a_dhsync_yaml_key_and_the_file_counts(tmp_path: Path, run_cli: RunCli) -> None:
    lines, summary = _validate(tmp_path, run_cli, "project: p\ndescription: hi\npolicies:\n  prne: true\n")
    assert lines == [
        "dhsync.yaml:2:1: error: unknown field `description` (description); known keys here: project, backend, "
        "specs, ignore, defaults, policies, secrets, ignore_changes",
        "dhsync.yaml:4:3: error: unknown field `prne` (policies.prne); did you mean `prune`?",
    ]
    assert summary == ".: 2 errors in 1 file."


def test_nested_keys_are_suggested_from_their_own_section(tmp_path: Path, run_cli: RunCli) -> None:
    lines, _ = _validate(tmp_path, run_cli, "project: p\nsecret:\n  mask: [X]\nsecrets:\n  hide: [Y]\n")
    assert lines == [
        "dhsync.yaml:2:1: error: unknown field `secret` (secret); did you mean `secrets`?",
        "dhsync.yaml:5:3: error: unknown field `hide` (secrets.hide); known keys here: mask, show",
    ]


def test_type_errors_use_yaml_words_not_pydantic_types(tmp_path: Path, run_cli: RunCli) -> None:
    lines, _ = _validate(tmp_path, run_cli, "project: p\nspecs: [1]\npolicies: {protect: yes}\n")
    assert lines == [
        "dhsync.yaml:2:9: error: `specs[0]` must be a string, not an integer (specs[0])",
        "dhsync.yaml:3:21: error: `protect` must be a list, not a string (policies.protect)",
    ]
    for line in lines:
        assert not any(word in line for word in ("constrained-", "Annotated", "typing.", "pydantic"))
