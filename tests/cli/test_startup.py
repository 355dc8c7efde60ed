"""Start-up: `dhsync --version` answers without importing click, `--help` lists every command without
importing them, and each command imports only what it uses (an import-set test, not a timing)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from dhsync.cli.main import COMMANDS, load_command

_PROBE = """
import sys
sys.argv = ["dhsync", *{args!r}]
from dhsync.cli.main import main
try:
    main()
except SystemExit:
    pass
sys.stderr.write("\\nMODULES " + " ".join(sorted(sys.modules)))
"""


def _modules_after(*args: str) -> set[str]:
    probe = subprocess.run([sys.executable, "-c", _PROBE.format(args=list(args))], capture_output=True, text=True,
                           timeout=60, check=False)
    return set(probe.stderr.rpartition("MODULES ")[2].split())


def test_version_imports_neither_click_nor_any_command() -> None:
    loaded = _modules_after("--version")
    assert "click" not in loaded
    assert not any(name.startswith("dhsync.cli.") and name != "dhsync.cli.main" for name in loaded)


def test_help_lists_every_command_without_importing_them() -> None:
    loaded = _modules_after("--help")
    assert not [name for name in loaded if name.endswith("_cmd")]
    assert "pydantic" not in loaded and "jsonschema" not in loaded


def test_every_command_has_the_short_help_the_list_shows() -> None:
    for name, (_, _, short) in COMMANDS.items():
        command = load_command(name)
        assert command.name == name
        assert (command.short_help or (command.help or "").strip().splitlines()[0]) == short


def test_validate_does_not_import_apply_or_the_backends() -> None:
    loaded = _modules_after("validate", "--help")
    assert not [name for name in loaded if name.startswith(("dhsync.apply", "dhsync.backends", "dhsync.sdk"))]


def _warm(examples: Path) -> Path:
    """The examples copy with its files an hour old (stamps of files seconds old are not trusted) and its
    load cache filled by one validate."""
    old = time.time() - 3600
    for path in (examples, *examples.rglob("*")):
        os.utime(path, (old, old))
    assert "dhsync.specs.validate" in _modules_after("validate", str(examples))  # cold: the schemas ran
    return examples


def test_warm_validate_and_plan_import_no_pydantic_and_no_jsonschema(examples: Path) -> None:
    root = _warm(examples)
    for command in ("validate", "plan"):
        loaded = _modules_after(command, str(root))
        assert "dhsync.specs.loader" in loaded, command  # the repository was loaded, from the snapshot
        assert not [name for name in loaded if name.partition(".")[0] in ("pydantic", "jsonschema")], command
        assert "dhsync.runtimes.checks" not in loaded, command  # their findings came with the snapshot
