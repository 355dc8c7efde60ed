"""Generate a spec repository of N python functions, each with its code file and a task.

    python -m benchmarks.generate_repo DEST [--n 10000]
"""

from __future__ import annotations

import argparse
from pathlib import Path

SPEC = """\
kind: python
name: fn-{i}
metadata:
  description: generated function {i}
  labels: [bench, group-{group}]
spec:
  python_version: PYTHON3_11
  source:
    source: src/fn_{i}.py
    handler: main
  requirements: [numpy]
---
kind: python+job
spec:
  function: fn-{i}
  resources:
    cpu: 500m
    mem: 256Mi
  envs:
    - name: INDEX
      value: "{i}"
  schedule: "{minute} 3 * * *"
"""

CODE = "def main(x: int = {i}) -> int:\n    return x * 2\n"


def generate(dest: Path, n: int) -> Path:
    (dest / "functions").mkdir(parents=True, exist_ok=True)
    (dest / "src").mkdir(exist_ok=True)
    (dest / "dhsync.yaml").write_text("project: bench\nspecs: ['functions/*.yaml']\n")
    for i in range(n):
        (dest / "functions" / f"fn_{i}.yaml").write_text(SPEC.format(i=i, group=i % 10, minute=i % 60))
        (dest / "src" / f"fn_{i}.py").write_text(CODE.format(i=i))
    return dest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("dest", type=Path)
    parser.add_argument("--n", type=int, default=10_000)
    args = parser.parse_args()
    generate(args.dest, args.n)
    print(f"{args.n} functions with a task each in {args.dest}")


if __name__ == "__main__":
    main()
