"""get_or_create_project from several processes at once: every one gets the project (review finding)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SCRIPT = """
import sys
import dhsync as dh
project = dh.get_or_create_project("demo", backend=sys.argv[1])
print(project.name)
"""


def test_processes_racing_to_create_a_project_all_get_it(tmp_path: Path) -> None:
    for round_ in range(3):
        url = f"sqlite:///{tmp_path}/state-{round_}.db"
        procs = [subprocess.Popen([sys.executable, "-c", SCRIPT, url], stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True) for _ in range(4)]
        outcomes = [proc.communicate(timeout=60) for proc in procs]
        assert [p.returncode for p in procs] == [0, 0, 0, 0], [err for _, err in outcomes]
        assert [out.strip() for out, _ in outcomes] == ["demo"] * 4
