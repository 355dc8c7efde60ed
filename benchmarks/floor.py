"""The floor: what any tool must at least do, read and parse every spec file with libyaml.

    python benchmarks/floor.py ROOT [GLOB ...]

Run as a whole process (interpreter start, `import yaml`, the parse, one line of output), it is what the
whole-process benchmarks divide by; `parse_all` is the same work in-process. Self-contained on purpose:
it is run by path, without the `benchmarks` package on sys.path. GLOB defaults to the generated
repository's `functions/*.yaml` (benchmarks/generate_repo.py).
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

SPEC_GLOB = "functions/*.yaml"


def parse_all(root: Path, *globs: str) -> int:
    """Reads and parses every spec file under `root`; returns how many documents it found."""
    documents = 0
    for pattern in globs or (SPEC_GLOB,):
        for path in sorted(root.glob(pattern)):
            with path.open("rb") as handle:
                documents += len(list(yaml.load_all(handle, Loader=yaml.CSafeLoader)))
    return documents


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__, file=sys.stderr)
        return 1
    print(f"{parse_all(Path(argv[0]), *argv[1:])} documents parsed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
