"""`dhsync validate` time as a ratio to parsing the same files with PyYAML's CSafeLoader (the floor).

    python -m benchmarks.bench_validate [--n 10000] [--repeat 3]

Cold: no cache in .dhsync/cache. Warm: nothing changed since the last run. Both in one process, best of
`--repeat`, against the floor measured in the same run. Targets: cold <= 2.0, warm <= 0.25.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import yaml

from benchmarks.generate_repo import generate
from dhsync.specs.cache import RACY_NS
from dhsync.specs.loader import load_repository


def floor(root: Path) -> None:
    """What any tool must at least do: read and parse every spec file (libyaml)."""
    for path in sorted((root / "functions").glob("*.yaml")):
        with path.open("rb") as handle:
            list(yaml.load_all(handle, Loader=yaml.CSafeLoader))


def best_of(repeat: int, action: Callable[[], object], before: Callable[[], None] = lambda: None) -> float:
    times = []
    for _ in range(repeat):
        before()
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = generate(Path(tmp) / "repo", args.n)
        cache = root / ".dhsync" / "cache"
        # Like git, the cache does not trust the stamps of files changed in the 2 s before it was
        # written; a repository at rest is older than that.
        time.sleep(RACY_NS / 1e9)

        def validate() -> None:
            result = load_repository(root)
            assert result.ok and result.state is not None and len(result.state.entities) == 2 * args.n

        floor_s = best_of(args.repeat, lambda: floor(root))
        cold_s = best_of(args.repeat, validate, before=lambda: shutil.rmtree(cache, ignore_errors=True))
        validate()
        warm_s = best_of(args.repeat, validate)
        load_repository(root, use_cache=False)
        cli_cold = best_of(1, lambda: _cli(root, "--no-cache"))
        cli_warm = best_of(args.repeat, lambda: _cli(root))
    print(f"files: {args.n} spec files (2 documents each) + {args.n} code files")
    print(f"floor (CSafeLoader parse): {floor_s:.3f} s")
    print(f"validate, cold:            {cold_s:.3f} s  ratio {cold_s / floor_s:.2f}  (target <= 2.0)")
    print(f"validate, warm:            {warm_s:.3f} s  ratio {warm_s / floor_s:.2f}  (target <= 0.25)")
    print(f"as a process (`dhsync validate`, incl. ~interpreter start): cold {cli_cold:.3f} s, warm {cli_warm:.3f} s")


def _cli(root: Path, *flags: str) -> None:
    proc = subprocess.run([sys.executable, "-m", "dhsync", "validate", str(root), *flags],
                          capture_output=True, check=False)
    assert proc.returncode == 0, proc.stderr


if __name__ == "__main__":
    main()
