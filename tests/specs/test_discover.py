"""Which files are specs: the globs of dhsync.yaml (any of them), minus the ignore globs."""

from __future__ import annotations

from pathlib import Path

import pytest

from dhsync.specs.discover import discover, matches, may_hold


@pytest.mark.parametrize(("relative", "patterns", "expected"), [
    ("a.yaml", ["**/*.yaml", "**/*.yml"], True),
    ("deep/er/a.yml", ["**/*.yaml", "**/*.yml"], True),
    ("a.yamlx", ["**/*.yaml", "**/*.yml"], False),
    ("functions/a.yaml", ["functions/*.yaml"], True),
    ("functions/sub/a.yaml", ["functions/*.yaml"], False),
    ("src/a.py", ["functions/*.yaml", "runs/?.yaml"], False),
    ("runs/b.yaml", ["functions/*.yaml", "runs/?.yaml"], True),
    ("a.yaml", [], False),
])
def test_a_file_matches_when_any_glob_does(relative: str, patterns: list[str], expected: bool) -> None:
    assert matches(relative, patterns) is expected


def test_discover_applies_globs_then_ignore(tmp_path: Path) -> None:
    for name in ["dhsync.yaml", "a.yaml", "b.yml", "skip/c.yaml", "src/d.py", ".hidden/e.yaml"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("kind: python\n")
    assert discover(tmp_path, ["**/*.yaml", "**/*.yml"], ["skip/**"]) == ["a.yaml", "b.yml"]


@pytest.mark.parametrize(("folder", "patterns", "expected"), [
    ("functions/subdir", ["**/*.yaml"], True),
    ("functions/subdir", ["functions/**/*.yaml"], True),
    ("functions/subdir", ["functions/*/*.yaml"], True),
    ("functions/subdir", ["functions/*.yaml"], False),
    ("functions/subdir", ["functions/subdir"], False),
    ("docs", ["functions/**/*.yaml", "runs/*.yaml"], False),
    ("runs", ["functions/**/*.yaml", "runs/*.yaml"], True),
    ("a/b/c", ["a/**"], True),
    ("a1", ["a**b/*.yaml"], True),  # `**` inside a piece crosses folders: taken as reaching anything
])
def test_a_folder_may_hold_specs_when_a_glob_reaches_under_it(folder: str, patterns: list[str],
                                                               expected: bool) -> None:
    assert may_hold(folder, patterns) is expected
