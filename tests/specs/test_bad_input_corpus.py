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
    assert proc.stderr.strip() == ".: 50 errors in 24 files."


def test_a_spec_file_linked_from_outside_the_repository_is_refused(bad_repo: Path, tmp_path: Path,
                                                                    run_cli: RunCli) -> None:
    (tmp_path / "elsewhere.yaml").write_text("kind: python\nname: elsewhere\n")
    os.symlink(tmp_path / "elsewhere.yaml", bad_repo / "specs" / "linked-spec.yaml")
    printed = run_cli("validate", ".", "--no-cache", cwd=bad_repo).stdout
    assert "specs/linked-spec.yaml: error: file is a symbolic link that leads outside the repository; copy the " \
           "file into the repository, or add it to `ignore` in dhsync.yaml" in printed.splitlines()
    assert "elsewhere" not in printed  # never read: its own problems (no spec) are not reported


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_is_refused_without_hanging_validate(bad_repo: Path) -> None:
    from tests.conftest import run_process

    os.mkfifo(bad_repo / "specs" / "pipe.yaml")
    os.mkfifo(bad_repo / "src" / "pipe.py")
    (bad_repo / "specs" / "code-pipe.yaml").write_text(
        "kind: python\nname: piped\nspec:\n  python_version: PYTHON3_11\n"
        "  source:\n    source: src/pipe.py\n    handler: main\n")
    proc = run_process("validate", ".", cwd=bad_repo, timeout=30)  # a hang fails here instead of blocking
    lines = proc.stdout.splitlines()
    assert "specs/pipe.yaml: error: file is a FIFO (named pipe), not a regular file, so dhsync does not read " \
           "it; remove it or add it to `ignore` in dhsync.yaml" in lines
    assert "specs/code-pipe.yaml:6:13: error: code path `src/pipe.py` is a FIFO (named pipe), not a regular " \
           "file (spec.source.source); point `source` at a regular file of the repository" in lines
    assert proc.returncode == 1


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_an_ignored_fifo_is_not_touched(bad_repo: Path, run_cli: RunCli) -> None:
    os.mkfifo(bad_repo / "specs" / "pipe.yaml")
    config = bad_repo / "dhsync.yaml"
    config.write_text(config.read_text() + "ignore: [specs/pipe.yaml]\n")
    assert "pipe.yaml" not in run_cli("validate", ".", "--no-cache", cwd=bad_repo).stdout


def test_a_file_url_inside_the_repository_is_a_warning_naming_the_path(bad_repo: Path, run_cli: RunCli) -> None:
    (bad_repo / "specs" / "file-url.yaml").write_text(
        "kind: python\nname: file-url\nspec:\n  python_version: PYTHON3_11\n"
        f"  source:\n    source: file://{(bad_repo / 'src' / 'train.py').as_posix()}\n    handler: main\n")
    lines = run_cli("validate", ".", "--no-cache", cwd=bad_repo).stdout.splitlines()
    url = f"file://{(bad_repo / 'src' / 'train.py').as_posix()}"
    assert f"specs/file-url.yaml:6:13: warning: `{url}` is a file URL, which no executor fetches " \
           "(spec.source.source); give the path relative to the repository (`src/train.py`) so that dhsync " \
           "sends the code" in lines


def test_a_spec_folder_linked_from_outside_the_repository_is_refused(bad_repo: Path, tmp_path: Path,
                                                                      run_cli: RunCli) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "far-away.yaml").write_text("kind: python\nname: far-away\n")
    os.symlink(elsewhere, bad_repo / "specs" / "subdir")
    os.symlink(elsewhere, bad_repo / "src" / "vendored")  # no spec glob reaches src/: not a spec folder
    result = run_cli("validate", ".", "--no-cache", cwd=bad_repo)
    lines = result.stdout.splitlines()
    assert "specs/subdir: error: folder is a symbolic link that leads outside the repository; copy the folder " \
           "into the repository, or add it to `ignore` in dhsync.yaml" in lines
    assert "vendored" not in result.stdout and "far-away" not in result.stdout  # never read
    assert result.exit_code == 1

    config = bad_repo / "dhsync.yaml"
    config.write_text(config.read_text() + "ignore: [specs/subdir]\n")
    assert "subdir" not in run_cli("validate", ".", "--no-cache", cwd=bad_repo).stdout


def test_a_linked_folder_is_refused_with_the_load_cache_too(tmp_path: Path, run_cli: RunCli) -> None:
    from tests.specrepo import python_function, write_repo

    repo = write_repo(tmp_path / "repo", {"functions/alpha.yaml": python_function("alpha")})
    assert run_cli("validate", cwd=repo).exit_code == 0  # a snapshot of the repository without the link
    (tmp_path / "elsewhere").mkdir()
    os.symlink(tmp_path / "elsewhere", repo / "functions" / "subdir")
    again = run_cli("validate", cwd=repo)
    assert again.exit_code == 1
    assert again.stdout.startswith("functions/subdir: error: folder is a symbolic link that leads outside")


@pytest.mark.parametrize(("glob", "line"), [
    ("/etc/*.conf", "dhsync.yaml:4:5: error: `/etc/*.conf` is an absolute path, but spec globs find files inside "
                    "the repository only; write it from the folder of dhsync.yaml (e.g. `functions/**/*.yaml`), "
                    "or copy the files in (specs[1])"),
    ("../**/*.yaml", "dhsync.yaml:4:5: error: `../**/*.yaml` climbs out of the repository with `..`, but spec "
                     "globs find files inside it only; write it from the folder of dhsync.yaml "
                     "(e.g. `functions/**/*.yaml`), or copy the files in (specs[1])"),
    ("specs/../../x/*.yaml", "dhsync.yaml:4:5: error: `specs/../../x/*.yaml` climbs out of the repository with "
                             "`..`, but spec globs find files inside it only; write it from the folder of "
                             "dhsync.yaml (e.g. `functions/**/*.yaml`), or copy the files in (specs[1])"),
])
def test_a_spec_glob_that_leaves_the_repository_is_an_error_at_the_glob(bad_repo: Path, run_cli: RunCli,
                                                                        glob: str, line: str) -> None:
    (bad_repo / "dhsync.yaml").write_text(f"project: corpus\nspecs:\n  - specs/**/*.yaml\n  - {glob}\n")
    validated = run_cli("validate", ".", "--no-cache", cwd=bad_repo)
    assert validated.stdout.splitlines() == [line]
    assert validated.exit_code == 1 and "no file matches" not in validated.output
    planned = run_cli("plan", cwd=bad_repo)
    assert planned.exit_code == 1 and line in planned.stdout + planned.stderr
