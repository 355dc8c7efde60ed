"""Where a python handler's code comes from, and what happens when it is not usable."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from dhsync.model.redact import redact_url
from tests.runtimes.conftest import Lab, message, states

HELLO = "def main(name='world'):\n    print(f'hello {name}')\n    return f'hello {name}'\n"


def test_inline_code_runs_and_its_return_is_the_result(lab: Lab) -> None:
    fn = lab.function(source={"code": HELLO, "handler": "main"})
    run = lab.execute(lab.run(fn, parameters={"name": "code"}))
    assert run["status"]["state"] == "COMPLETED", message(run)
    assert run["status"]["results"] == {"output_0": "hello code"}
    assert "hello code\n" in lab.logs(run)


def test_base64_code_runs(lab: Lab) -> None:
    run = lab.go(HELLO, parameters={"name": "b64"})
    assert run["status"]["results"] == {"output_0": "hello b64"}


def test_a_file_of_the_repository_runs_with_module_colon_function(lab: Lab) -> None:
    (lab.root / "src").mkdir()
    (lab.root / "src" / "greet.py").write_text(HELLO.replace("def main", "def greet"))
    fn = lab.function(source={"source": "src/greet.py", "handler": "greet:greet"})
    run = lab.execute(lab.run(fn))
    assert run["status"]["results"] == {"output_0": "hello world"}, message(run)


def test_a_missing_repository_file_is_an_error_naming_it(lab: Lab) -> None:
    fn = lab.function(source={"source": "src/gone.py", "handler": "main"})
    run = lab.execute(lab.run(fn))
    assert run["status"]["state"] == "ERROR"
    assert message(run).startswith("source file `src/gone.py` not found")
    assert "RUNNING" not in states(run)


def _git_repo(folder: Path) -> Path:
    (folder / "pkg").mkdir(parents=True)
    (folder / "pkg" / "__init__.py").write_text("")
    (folder / "pkg" / "tool.py").write_text("def run(x):\n    return {'twice': x * 2}\n")
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@t", "PATH": "/usr/bin:/bin", "HOME": str(folder)}
    for args in (["init", "-q", "-b", "main"], ["add", "."], ["commit", "-q", "-m", "tool"], ["tag", "v1"]):
        subprocess.run(["git", *args], cwd=folder, env=env, check=True, capture_output=True)
    return folder


@pytest.mark.parametrize("ref", ["", "@v1"])
def test_a_git_file_repository_is_cloned_and_its_module_runs(lab: Lab, tmp_path: Path, ref: str) -> None:
    repo = _git_repo(tmp_path / "code-repo")
    fn = lab.function(source={"source": f"git+file://{repo}{ref}", "handler": "pkg.tool:run"})
    run = lab.execute(lab.run(fn, parameters={"x": 21}, values=["twice"]))
    assert run["status"]["state"] == "COMPLETED", message(run)
    assert run["status"]["results"] == {"twice": 42}
    assert f"source git+file://{repo}{ref}: cloning into" in lab.logs(run)
    again = lab.execute(lab.run(fn, parameters={"x": 1}, values=["twice"]))
    assert again["status"]["results"] == {"twice": 2}
    assert "cached checkout" in lab.logs(again)  # the second run reuses the clone


def test_a_git_url_that_cannot_be_cloned_is_an_error_naming_it(lab: Lab, tmp_path: Path) -> None:
    url = f"git+file://{tmp_path}/no-such-repo"
    fn = lab.function(source={"source": url, "handler": "main:run"})
    run = lab.execute(lab.run(fn))
    assert run["status"]["state"] == "ERROR"
    assert message(run).startswith(f"cannot clone `{url}`:")
    assert message(run).endswith("does not appear to be a git repository")
    assert "the run did not start" in lab.logs(run)


def test_init_function_is_called_once_before_the_handler(lab: Lab) -> None:
    code = ("CALLS = []\n"
            "def setup(greeting='hi'):\n    CALLS.append(greeting)\n"
            "def main():\n    return {'calls': CALLS}\n")
    fn = lab.function(code, "main", source={"init_function": "setup"})
    run = lab.execute(lab.run(fn, init_parameters={"greeting": "hey"}, values=["calls"]))
    assert run["status"]["results"] == {"calls": ["hey"]}, message(run)


def test_a_missing_handler_is_an_error_listing_what_the_module_defines(lab: Lab) -> None:
    run = lab.go("def helper():\n    pass\ndef other():\n    pass\n", "main")
    assert run["status"]["state"] == "ERROR"
    assert message(run) == ("handler `main` not found in module `main` of the inline code "
                            "(it defines helper, other)")


def test_a_handler_that_is_not_callable_is_an_error(lab: Lab) -> None:
    run = lab.go("main = 42\n", "main")
    assert run["status"]["state"] == "ERROR"
    assert message(run) == "handler `main` in module `main` of the inline code is an int, not a function"


def test_a_syntax_error_names_the_line_and_goes_to_the_log(lab: Lab) -> None:
    run = lab.go("def main():\n    return 1\n\ndef broken(:\n    pass\n")
    assert run["status"]["state"] == "ERROR"
    assert message(run).startswith("syntax error in the code of the inline code (main.py line 4):")
    assert "SyntaxError" in lab.logs(run)


def test_an_exception_while_importing_is_an_error_with_the_traceback_in_the_log(lab: Lab) -> None:
    run = lab.go("import no_such_module_anywhere\ndef main():\n    pass\n")
    assert run["status"]["state"] == "ERROR"
    assert "no_such_module_anywhere" in message(run)


def test_an_exception_in_the_handler_is_an_error_with_the_traceback_in_the_log(lab: Lab) -> None:
    run = lab.go("def main():\n    raise ValueError('bad row 7')\n")
    assert run["status"]["state"] == "ERROR"
    assert message(run) == "handler `main` raised ValueError: bad row 7"
    log = lab.logs(run)
    assert "Traceback (most recent call last)" in log and "raise ValueError('bad row 7')" in log
    assert "dhsync/runtimes" not in log  # the user's frames only
    assert 'File "main.py", line 2, in main' in log  # not the run's scratch copy of the code


def test_a_traceback_names_the_repository_file(lab: Lab) -> None:
    (lab.root / "src").mkdir()
    (lab.root / "src" / "boom.py").write_text("def boom():\n    return 1 / 0\n")
    run = lab.execute(lab.run(lab.function(source={"source": "src/boom.py", "handler": "boom"})))
    assert message(run) == "handler `boom` raised ZeroDivisionError: division by zero"
    assert 'File "src/boom.py", line 2, in boom\n    return 1 / 0\n' in lab.logs(run)


def test_a_malformed_handler_name_is_an_error_before_anything_runs(lab: Lab) -> None:
    run = lab.go(HELLO, "not a name")
    assert run["status"]["state"] == "ERROR"
    assert "handler `not a name` is not `func` or `module:func`" in message(run)
    assert "RUNNING" not in states(run)


TOKEN = "ghp_TOPSECRET123"


def test_credentials_in_a_git_url_are_never_shown(lab: Lab, tmp_path: Path) -> None:
    repo = _git_repo(tmp_path / "code-repo")
    fn = lab.function(source={"source": f"git+file://bot:{TOKEN}@{repo}", "handler": "pkg.tool:nope"})
    run = lab.execute(lab.run(fn))
    assert run["status"]["state"] == "ERROR"  # cloned; the handler is not there, and the message says where from
    assert message(run) == (f"handler `nope` not found in module `pkg.tool` of git+file://(secret)@{repo} "
                            "(it defines run)")
    log = lab.logs(run)
    assert f"source git+file://(secret)@{repo}: cloning into" in log
    assert TOKEN not in log and TOKEN not in message(run)


FAKE_GIT = """#!/bin/sh
printf '%s\\n' "$@" > "$(dirname "$0")/args"
echo "fatal: repository 'https://bot:{token}@git.invalid/org/repo.git/' not found" >&2
exit 128
"""


def test_credentials_git_prints_are_not_shown_while_git_gets_them(lab: Lab, tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "git").write_text(FAKE_GIT.format(token=TOKEN))
    (bin_dir / "git").chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    url = f"git+https://bot:{TOKEN}@git.invalid/org/repo.git@main"
    run = lab.execute(lab.run(lab.function(source={"source": url, "handler": "main:run"})))
    assert message(run) == ("cannot clone `git+https://(secret)@git.invalid/org/repo.git@main`: repository "
                            "'https://(secret)@git.invalid/org/repo.git/' not found")
    assert TOKEN not in lab.logs(run)
    assert f"https://bot:{TOKEN}@git.invalid/org/repo.git" in (bin_dir / "args").read_text().splitlines()


@pytest.mark.parametrize(("text", "shown"), [
    ("git+https://bot:tok@host/org/repo.git@main", "git+https://(secret)@host/org/repo.git@main"),
    ("https://tok@host", "https://(secret)@host"),
    ("cannot clone `https://u:p@ss@host:8443/r`: no", "cannot clone `https://(secret)@host:8443/r`: no"),
    ("'https://a:b@one/x' and http://c@two?q", "'https://(secret)@one/x' and http://(secret)@two?q"),
    ("https://host/path?mail=a@b.org#x@y", "https://host/path?mail=a@b.org#x@y"),
    ("user@host:org/repo.git, mail me@example.org", "user@host:org/repo.git, mail me@example.org"),
    ("git+https://(secret)@host/r", "git+https://(secret)@host/r"),
])
def test_redact_url_hides_the_userinfo_of_every_url(text: str, shown: str) -> None:
    assert redact_url(text) == shown
