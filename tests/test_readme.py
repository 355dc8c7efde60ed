"""The README's promises: its first two commands, and CI running the same test command."""

from __future__ import annotations

import re

from tests.conftest import ROOT


def _readme_commands() -> list[str]:
    return re.findall(r"```bash\n(.+?)\n```", (ROOT / "README.md").read_text(encoding="utf-8"))


def test_the_readme_starts_with_the_install_and_test_commands() -> None:
    main_job, tests = _readme_commands()[:2]
    assert "pip install" in main_job and "dhsync validate examples" in main_job
    assert "pip install" in tests and "'.[dev]'" in tests and "pytest" in tests


def test_ci_runs_the_readmes_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert _readme_commands()[1] in ci
