"""The README's promises: its first two commands, and CI running the same test command."""

from __future__ import annotations

import re

from tests.conftest import ROOT


def _readme_commands() -> list[str]:
    return re.findall(r"```bash\n(.+?)\n```", (ROOT / "README.md").read_text(encoding="utf-8"))


def test_the_readme_starts_with_the_install_and_test_commands() -> None:
    main_job, tests = _readme_commands()[:2]
    assert "pip install" in main_job and "dhsync apply examples --auto-approve" in main_job
    assert "pip install" in tests and "'.[dev]'" in tests and "pytest" in tests


def test_ci_runs_the_readmes_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert _readme_commands()[1] in ci


def test_the_readme_sdk_example_runs(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import warnings

    import dhsync

    block = re.search(r"```python\n(.+?)\n```", (ROOT / "README.md").read_text(encoding="utf-8"), re.S)
    assert block is not None
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DHSYNC_BACKEND", f"sqlite:///{tmp_path}/state.db")
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "hello.py").write_text("def hello(name='world'):\n    return f'hello {name}'\n")
    dhsync.reset_backends()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the run may say it did not execute; that is not this test's point
            namespace: dict[str, object] = {}
            exec(compile(block.group(1), "README.md", "exec"), namespace)
        assert (tmp_path / "hello.yaml").is_file()
        assert dhsync.list_functions("demo") == []
    finally:
        dhsync.reset_backends()


def test_the_import_layer_contracts_name_a_section_the_readme_has() -> None:
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    named = re.findall(r'README\.md, \\"([^"\\]+)\\"', pyproject)
    assert named, "the layer contract names the README section that describes the layers"
    for section in named:
        assert f"## {section}\n" in readme

