"""Installing a runtime plugin for a test: a fake distribution on sys.path with a `dhsync.runtimes` entry
point, found by importlib.metadata like any installed one."""

from __future__ import annotations

import uuid
from pathlib import Path

PLUGIN = '''
class EchoRuntime:
    function_kind = "echo"
    actions = ("job",)

    def check_function(self, spec):
        return [] if "text" in spec else ["an echo function needs `text`"]

    def execute(self, backend, run, options=None):
        function_id = run["spec"]["function"].rpartition(":")[2]
        text = backend.get_function(run["project"], function_id)["spec"]["text"]
        status = {"state": "COMPLETED", "results": {"echo": text}}
        return backend.update_run(run["project"], run["id"], {"kind": run["kind"], "status": status})


class Plain:
    """Not a runtime: no function_kind, actions, check_function or execute."""
'''


def install_plugin(site: Path, entry_point: str) -> str:
    """Install a distribution holding PLUGIN as a module of a fresh name (modules stay imported across
    tests) with one entry point `<entry_point>` where `MODULE` stands for that name; returns the line."""
    module = f"runtime_plugin_{uuid.uuid4().hex[:12]}"
    (site / f"{module}.py").write_text(PLUGIN)
    info = site / f"{module}-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {module}\nVersion: 1.0\n")
    line = entry_point.replace("MODULE", module)
    (info / "entry_points.txt").write_text(f"[dhsync.runtimes]\n{line}\n")
    return line
