"""A small spec repository written into a test's folder: dhsync.yaml plus documents, edited like a user does."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

CONFIG = "project: demo\nbackend: sqlite:///.dhsync/state.db\n"


def python_function(name: str, code: str = "def main(x=1):\n    return x * 2\n", *, handler: str = "main",
                    labels: str = "[]", description: str = "a function", extra: str = "") -> str:
    body = "\n".join("      " + line for line in code.splitlines())
    return dedent(f"""\
        kind: python
        name: {name}
        metadata: {{description: "{description}", labels: {labels}}}
        spec:
          python_version: PYTHON3_11
          source:
            handler: {handler}
            code: |
        """) + body + "\n" + extra


def task(function: str, kind: str = "python+job", spec: str = "") -> str:
    lines = f"kind: {kind}\nspec:\n  function: {function}\n"
    return lines + "".join(f"  {line}\n" for line in spec.splitlines())


def declared_run(name: str, function: str, *, trigger: str = "on-change", kind: str = "python+job:run",
                 spec: str = "") -> str:
    lines = f"kind: {kind}\nname: {name}\ntrigger: {trigger}\nspec:\n  function: {function}\n  local_execution: true\n"
    return lines + "".join(f"  {line}\n" for line in spec.splitlines())


def write_repo(root: Path, files: dict[str, str], config: str = CONFIG) -> Path:
    """Write `dhsync.yaml` and `files` (relative path -> YAML; lists of documents joined with ---)."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "dhsync.yaml").write_text(config)
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def documents(*docs: str) -> str:
    return "---\n".join(docs)
