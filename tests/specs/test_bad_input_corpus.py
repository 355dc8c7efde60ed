"""The bad-input corpus: every way a spec repository can be wrong gets a located one-line error.

tests/corpus/bad-input/ holds one file per failure mode and expected.txt, the exact lines
`dhsync validate` prints for them. Cases that cannot live in git (a file over the size limit,
symbolic-link loops) are made by the tests below.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import CORPUS, RunCli

BAD = CORPUS / "bad-input"


@pytest.fixture
def bad_repo(tmp_path: Path) -> Path:
    dest = tmp_path / "bad-input"
    shutil.copytree(BAD, dest, symlinks=True, ignore=shutil.ignore_patterns(".dhsync", "expected.txt"))
    return dest


def test_every_problem_of_the_corpus_is_reported_in_one_run(bad_repo: Path, run_cli: RunCli) -> None:
    result = run_cli("validate", ".", "--no-cache", cwd=bad_repo)
    expected = (BAD / "expected.txt").read_text(encoding="utf-8").splitlines()
    assert result.stdout.splitlines() == expected
    assert result.exit_code == 1
    assert "Traceback" not in result.output


def test_every_corpus_file_with_a_problem_is_named(bad_repo: Path, run_cli: RunCli) -> None:
    printed = run_cli("validate", ".", "--no-cache", cwd=bad_repo).stdout
    for spec in sorted((bad_repo / "specs").glob("*.yaml")):
        if spec.name != "ok-function.yaml":
            assert f"specs/{spec.name}:" in printed, f"{spec.name} is in the corpus but nothing reports it"


def test_a_file_over_the_size_limit_is_refused_with_the_limit(bad_repo: Path, run_cli: RunCli) -> None:
    big = bad_repo / "specs" / "huge.yaml"
    big.write_text("kind: python\nname: huge\ndescription: '" + "x" * (1024 * 1024) + "'\n")
    result = run_cli("validate", ".", "--no-cache", cwd=bad_repo)
    assert "specs/huge.yaml:1:1: error: file is 1,048,616 bytes; spec files are limited to 1,048,576 bytes" \
        in result.stdout


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symbolic links")
def test_symbolic_link_loops_are_reported_not_followed(bad_repo: Path, run_cli: RunCli) -> None:
    specs = bad_repo / "specs"
    os.symlink("loop-b.yaml", specs / "loop-a.yaml")
    os.symlink("loop-a.yaml", specs / "loop-b.yaml")
    os.symlink("loop.py", bad_repo / "src" / "loop.py")
    (specs / "code-loop.yaml").write_text(
        "kind: python\nname: looped\nspec:\n  python_version: PYTHON3_11\n"
        "  source:\n    source: src/loop.py\n    handler: main\n")
    printed = run_cli("validate", ".", "--no-cache", cwd=bad_repo).stdout
    assert "specs/loop-a.yaml: error: file is a symbolic link loop" in printed
    assert "specs/loop-b.yaml: error: file is a symbolic link loop" in printed
    assert "specs/code-loop.yaml:6:13: error: code path `src/loop.py` is a symbolic link loop " \
           "(spec.source.source)" in printed


def test_a_symbolic_link_out_of_the_repository_is_refused(bad_repo: Path, tmp_path: Path, run_cli: RunCli) -> None:
    (tmp_path / "secret.py").write_text("TOKEN = 'x'\n")
    os.symlink(tmp_path / "secret.py", bad_repo / "src" / "linked.py")
    (bad_repo / "specs" / "linked.yaml").write_text(
        "kind: python\nname: linked\nspec:\n  python_version: PYTHON3_11\n"
        "  source:\n    source: src/linked.py\n    handler: main\n")
    printed = run_cli("validate", ".", "--no-cache", cwd=bad_repo).stdout
    assert "specs/linked.yaml:6:13: error: code path `src/linked.py` leads outside the repository" in printed


def test_the_corpus_fails_the_same_way_as_a_real_process(bad_repo: Path) -> None:
    from tests.conftest import run_process

    proc = run_process("validate", ".", cwd=bad_repo)
    assert proc.returncode == 1
    assert proc.stdout.splitlines() == (BAD / "expected.txt").read_text(encoding="utf-8").splitlines()
    assert "Traceback" not in proc.stderr
    assert proc.stderr.strip() == ".: 41 errors in 21 files."
