"""A function kind served by an installed runtime plugin can be declared in a spec repository: `validate`
knows it (its function, its task kinds `<kind>+<action>`, its declared runs) from the runtime's actions,
and `plan`/`apply` run its declared runs through that runtime. Without the plugin the kind is unknown.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.cli.stored import open_state
from tests.conftest import RunCli, run_process
from tests.runtimes.plugin_site import install_plugin

PROJECT = "echoes"
FILES = {
    "dhsync.yaml": f"project: {PROJECT}\nbackend: sqlite:///.dhsync/state.db\nspecs: ['functions/*.yaml']\n",
    "functions/shout.yaml": """
kind: echo
name: shout
metadata:
  description: says its text back
spec:
  text: hello
  anything: [the spec of a plugin kind is free]
---
kind: echo+job
spec:
  function: shout
---
kind: echo+job:run
name: say-it
spec:
  function: shout
""",
}


def _write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text.lstrip("\n"))
    return root


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return _write(tmp_path / "echoes", FILES)


def test_a_plugin_kind_validates_with_its_function_task_and_declared_run(repo: Path, site: Path,
                                                                         run_cli: RunCli) -> None:
    install_plugin(site, "echo = MODULE:EchoRuntime")
    result = run_cli("validate", str(repo))
    assert result.exit_code == 0, result.output
    assert "1 function, 1 task, 1 declared run in 1 file, no errors." in result.output


def test_without_the_plugin_the_kind_is_unknown_where_it_is_declared(repo: Path, site: Path,
                                                                     run_cli: RunCli) -> None:
    result = run_cli("validate", str(repo))
    assert result.exit_code == 1
    assert f"{repo}/functions/shout.yaml:1:7: error: unknown kind `echo`: not a built-in kind" in result.output


def test_an_action_the_plugin_lacks_is_located_and_lists_its_actions(repo: Path, site: Path,
                                                                     run_cli: RunCli) -> None:
    install_plugin(site, "echo = MODULE:EchoRuntime")
    text = (repo / "functions/shout.yaml").read_text()
    (repo / "functions/shout.yaml").write_text(text.replace("kind: echo+job:run", "kind: echo+serve:run"))
    result = run_cli("validate", str(repo))
    assert result.exit_code == 1
    assert (f"{repo}/functions/shout.yaml:13:7: error: `echo` functions have no action `serve` (kind); "
            "use one of echo+job:run") in result.output


@pytest.mark.parametrize(("old", "new", "message"), [
    ("metadata:\n", "colour: red\nmetadata:\n", "shout.yaml:3:1: error: unknown field `colour`"),  # the envelope
    ("name: shout\n", "", "shout.yaml:1:1: error: missing required field `name`"),
    ("  text: hello\n", "", "error: function `shout`: an echo function needs `text`"),  # the plugin's check
])
def test_the_envelope_is_checked_as_for_any_kind_and_the_spec_by_the_plugin(
        repo: Path, site: Path, run_cli: RunCli, old: str, new: str, message: str) -> None:
    install_plugin(site, "echo = MODULE:EchoRuntime")
    text = (repo / "functions/shout.yaml").read_text()
    (repo / "functions/shout.yaml").write_text(text.replace(old, new, 1))
    result = run_cli("validate", str(repo))
    assert result.exit_code == 1
    assert message in result.output


def test_plan_and_apply_run_the_declared_run_through_the_plugin(repo: Path, site: Path, run_cli: RunCli) -> None:
    install_plugin(site, "echo = MODULE:EchoRuntime")
    planned = run_cli("plan", str(repo))
    assert planned.exit_code == 0, planned.output
    assert "> run say-it  (echo+job:run)  trigger: never run before" in planned.output
    applied = run_cli("apply", "--auto-approve", cwd=repo)
    assert applied.exit_code == 0, applied.output
    backend = open_state(repo)
    try:
        runs = [dict(r) for r in backend.list_runs(PROJECT).items]
    finally:
        backend.close()
    assert [(r["kind"], r["status"]["state"], r["status"].get("results")) for r in runs] == [
        ("echo+job:run", "COMPLETED", {"echo": "hello"})]


def test_installing_or_removing_the_plugin_changes_what_a_warm_validate_says(repo: Path, site: Path) -> None:
    """Real processes with the caches kept between them: the plugin's entry point keys the snapshot."""
    old = time.time() - 3600  # stamps of files seconds old are not trusted: make the warm path reachable
    for path in (repo, *repo.rglob("*")):
        os.utime(path, (old, old))
    env = {"PYTHONPATH": os.pathsep.join([str(site), os.environ.get("PYTHONPATH", "")])}
    assert run_process("validate", str(repo), env=env).returncode == 1  # no plugin yet, cached as such
    install_plugin(site, "echo = MODULE:EchoRuntime")
    assert run_process("validate", str(repo), env=env).returncode == 0
    assert run_process("validate", str(repo), env=env).returncode == 0  # warm, from the snapshot
    assert not [name for name in _modules_of_validate(repo, env) if name.startswith("dhsync.runtimes")]
    for info in site.glob("*.dist-info"):
        (info / "entry_points.txt").write_text("")
    assert run_process("validate", str(repo), env=env).returncode == 1


def _modules_of_validate(repo: Path, env: dict[str, str]) -> set[str]:
    """The modules a `dhsync validate REPO` process imported."""
    probe = ("import sys\nfrom dhsync.cli.main import main\nsys.argv = ['dhsync', 'validate', sys.argv[1]]\n"
             "try:\n    main()\nexcept SystemExit:\n    pass\nsys.stderr.write('\\nMODULES ' + ' '.join(sys.modules))")
    done = subprocess.run([sys.executable, "-c", probe, str(repo)], capture_output=True, text=True, timeout=60,
                          check=False, env={**os.environ, **env})
    assert "no errors" in done.stderr, done.stderr
    return set(done.stderr.rpartition("MODULES ")[2].split())
