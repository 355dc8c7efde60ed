"""The benchmarks still run end to end and report every row of the speed issue; no timing is asserted
(speed stays out of the tests: the machines are shared and noisy)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CELL = re.compile(r"^\d[\d,]*\.?\d*( s| MiB)?( \(\d[\d,]*\.?\d*–\d[\d,]*\.?\d*\))?$")


@pytest.fixture(autouse=True)
def _benchmarks_importable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(ROOT))


def test_run_all_reports_every_row_with_numbers(capsys: pytest.CaptureFixture[str]) -> None:
    from benchmarks import run_all

    assert run_all.main(["--n", "20", "--repeat", "1"]) == 0
    out = capsys.readouterr().out
    rows = {line.split(" | ")[0].lstrip("| "): line.strip("|").split(" | ")
            for line in out.splitlines() if line.startswith("| ") and "---" not in line}
    for _, label, _, _ in run_all.ROWS:
        assert label in rows, f"row missing: {label}\n{out}"
        cell = rows[label][1].strip()
        assert CELL.match(cell), f"{label}: not a number: {cell!r}"
    assert re.search(r"Machine: \d+ cores", out)
    assert sys.executable  # the console script beside it, or python -m dhsync, is named in the footer
    assert "dhsync run as" in out


def test_only_and_limits_skip_rows(capsys: pytest.CaptureFixture[str]) -> None:
    from benchmarks import run_all

    assert run_all.main(["--n", "10,20", "--repeat", "1", "--only", "startup,memory", "--timed-max-n", "10"]) == 0
    out = capsys.readouterr().out
    version = next(line for line in out.splitlines() if line.startswith("| `dhsync --version`"))
    assert version.split(" | ")[2] == "—"  # above --timed-max-n only the memory row runs
    memory = next(line for line in out.splitlines() if line.startswith("| peak memory (max RSS) of plan, warm"))
    assert "MiB" in memory.split(" | ")[2]
    assert "validate, warm" not in out
