"""Whole processes, timed as a user waits for them: wall time from spawn to exit, with CPU and peak RSS.

Every command runs with its output captured to a file (it still formats and writes all of it), started
and reaped by benchmarks/launch.py with `os.wait4`, which gives that one child's resource usage (max RSS,
user and system CPU), not the running maximum over all children that `getrusage(RUSAGE_CHILDREN)` keeps,
and not inflated by this process's own memory (see launch.py).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

FLOOR_SCRIPT = Path(__file__).with_name("floor.py")
LAUNCHER = Path(__file__).with_name("launch.py")


@dataclass(frozen=True)
class Finished:
    """One whole process: what it cost and what it said."""

    argv: tuple[str, ...]
    wall_s: float
    cpu_s: float
    max_rss_mib: float
    returncode: int
    stdout: str
    stderr: str

    def expect(self, *codes: int) -> Finished:
        if self.returncode not in (codes or (0,)):
            raise RuntimeError(f"{' '.join(self.argv)} exited {self.returncode} (expected {codes or (0,)}):\n"
                               f"{self.stdout[-2000:]}\n{self.stderr[-2000:]}")
        return self


def dhsync_command() -> tuple[list[str], str]:
    """The console script users run (`dhsync` beside this interpreter), else `python -m dhsync`."""
    script = Path(sys.executable).parent / "dhsync"
    if script.is_file() and os.access(script, os.X_OK):
        return [str(script)], f"the console script `{script}`"
    return [sys.executable, "-m", "dhsync"], f"`{sys.executable} -m dhsync` (no console script found)"


def child_env() -> dict[str, str]:
    """This environment without the variables that would point dhsync elsewhere."""
    return {k: v for k, v in os.environ.items() if not k.startswith("DHSYNC_")}


def run(argv: Sequence[str], cwd: Path | None = None) -> Finished:
    """Runs `argv` through benchmarks/launch.py, which times it and reads its own resource usage."""
    with tempfile.TemporaryDirectory(prefix="run-") as tmp:
        out_path, err_path, result = (Path(tmp) / name for name in ("stdout", "stderr", "result.json"))
        with out_path.open("wb") as out, err_path.open("wb") as err:
            launcher = subprocess.run([sys.executable, str(LAUNCHER), str(result), *argv], cwd=cwd,
                                      stdin=subprocess.DEVNULL, stdout=out, stderr=err, env=child_env(), check=False)
        stdout, stderr = (p.read_text(errors="replace") for p in (out_path, err_path))
        if launcher.returncode != 0 or not result.is_file():
            raise RuntimeError(f"could not run {' '.join(argv)}: {stderr[-2000:]}")
        usage = json.loads(result.read_text())
    return Finished(tuple(argv), usage["wall_s"], usage["cpu_s"], usage["max_rss_kib"] / 1024, usage["returncode"],
                    stdout, stderr)


def floor(root: Path) -> Finished:
    """The whole-process floor: a fresh interpreter parses every spec file of `root` with CSafeLoader."""
    return run([sys.executable, str(FLOOR_SCRIPT), str(root)]).expect()


def python_pass() -> Finished:
    return run([sys.executable, "-c", "pass"]).expect()
