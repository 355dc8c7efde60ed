"""`dhsync validate` time as a ratio to parsing the same files with PyYAML's CSafeLoader (the floor).

    python -m benchmarks.bench_validate [--n 10000] [--repeat 5]

Cold: no cache in .dhsync/cache. Warm: nothing changed since the last run. Both in one process. Each of
`--repeat` rounds times the floor and then the load right after it, so that a burst of load on a shared
machine hits both sides of a ratio; the median ratio is the result, the lowest and highest show the noise.
Targets: cold <= 2.0, warm <= 0.25.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from benchmarks.floor import parse_all
from benchmarks.generate_repo import generate
from dhsync.specs.cache import RACY_NS
from dhsync.specs.loader import load_repository


def floor(root: Path) -> None:
    """What any tool must at least do: read and parse every spec file (libyaml)."""
    parse_all(root)


def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def best_of(repeat: int, action: Callable[[], object], before: Callable[[], None] = lambda: None) -> float:
    times = []
    for _ in range(repeat):
        before()
        times.append(timed(action))
    return min(times)


def paired(repeat: int, root: Path, action: Callable[[], object],
           before: Callable[[], None] = lambda: None) -> list[tuple[float, float]]:
    """(floor time, `action` time right after it), `repeat` times."""
    out = []
    for _ in range(repeat):
        floor_s = timed(lambda: floor(root))
        before()
        out.append((floor_s, timed(action)))
    return out


def summary(pairs: list[tuple[float, float]]) -> str:
    ratios = [action / floor_s for floor_s, action in pairs]
    median_s = statistics.median(action for _, action in pairs)
    return (f"{median_s:.3f} s  ratio {statistics.median(ratios):.2f} (median of {len(ratios)}, "
            f"{min(ratios):.2f}-{max(ratios):.2f})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
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

        validate()  # imports, schema builds and the page cache are not what is measured
        cold = paired(args.repeat, root, validate, before=lambda: shutil.rmtree(cache, ignore_errors=True))
        validate()
        warm = paired(args.repeat, root, validate)
        load_repository(root, use_cache=False)
        cli_cold = best_of(1, lambda: _cli(root, "--no-cache"))
        cli_warm = best_of(args.repeat, lambda: _cli(root))
    print(f"files: {args.n} spec files (2 documents each) + {args.n} code files")
    floor_s = statistics.median(floor_s for floor_s, _ in cold + warm)
    print(f"floor (CSafeLoader parse): {floor_s:.3f} s (median)")
    print(f"validate, cold:            {summary(cold)}  target <= 2.0")
    print(f"validate, warm:            {summary(warm)}  target <= 0.25")
    print(f"as a process (`dhsync validate`, incl. ~interpreter start): cold {cli_cold:.3f} s, warm {cli_warm:.3f} s")


def _cli(root: Path, *flags: str) -> None:
    proc = subprocess.run([sys.executable, "-m", "dhsync", "validate", str(root), *flags],
                          capture_output=True, check=False)
    assert proc.returncode == 0, proc.stderr


if __name__ == "__main__":
    main()
