"""Every row of the speed issue (#9) as whole processes against a whole-process floor, in one run, with the
in-process figures beside them; prints one Markdown table for the README.

    python -m benchmarks.run_all [--n 1000,10000,30000] [--repeat 5] [--only validate,plan,...]

Groups for --only: startup, validate, plan, edit, apply, memory, inprocess. Timed rows run at N up to
--timed-max-n (default 10,000); larger N measure the peak memory of `dhsync plan` only. Repositories are
generated (benchmarks/generate_repo.py) into a temporary folder removed at the end. dhsync runs as the
console script beside this interpreter (`.venv/bin/dhsync`), as users run it. Not a timed test.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path

from benchmarks import inprocess, whole
from benchmarks.generate_repo import generate
from benchmarks.process import dhsync_command
from benchmarks.series import Series

GROUPS = ("startup", "validate", "plan", "edit", "apply", "memory", "inprocess")
# key, label, target, group
ROWS: tuple[tuple[str, str, str, str], ...] = (
    ("version", "`dhsync --version` (s)", "≤ 0.08 s", "startup"),
    ("python", "`python -c pass` (s), beside it", "—", "startup"),
    ("floor", "the floor: CSafeLoader parse of every spec file, whole process (s)", "—", "startup"),
    ("validate_warm", "validate, warm (× floor)", "≤ 0.20", "validate"),
    ("validate_cold", "validate, cold (× floor)", "≤ 1.30", "validate"),
    ("plan_warm", "plan, no changes, warm (× floor)", "≤ 0.35", "plan"),
    ("plan_cold", "plan, no changes, cold (× floor)", "≤ 1.60", "plan"),
    ("plan_edit", "plan after 1% of the code files changed (× floor)", "≤ 0.45", "edit"),
    ("apply", "apply from empty: creates/s ÷ the raw writer's", "≥ 0.85", "apply"),
    ("memory_warm", "peak memory (max RSS) of plan, warm", "≤ 200 MiB at 30,000", "memory"),
    ("memory_cold", "peak memory (max RSS) of plan, cold", "—", "memory"),
    ("inproc_validate_warm", "in-process: validate, warm (× in-process floor)", "≤ 0.25 (old)", "inprocess"),
    ("inproc_validate_cold", "in-process: validate, cold (× in-process floor)", "≤ 2.0 (old)", "inprocess"),
    ("inproc_plan_warm", "in-process: plan, warm: load + read_state + make_plan", "≤ 0.5 (old)", "inprocess"),
    ("inproc_plan_cold", "in-process: plan, cold: load + read_state + make_plan", "≤ 2.5 (old)", "inprocess"),
)


def progress(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def measure(folder: Path, n: int, repeat: int, groups: set[str]) -> dict[str, Series]:
    """The rows of `groups` at N functions, on a repository generated for them."""
    repo = whole.Repo(generate(folder / f"repo-{n}", n), n, repeat)
    whole.settle()
    out: dict[str, Series] = {}

    def step(group: str, label: str) -> bool:
        if group in groups:
            progress(f"N={n:,}: {label}")
        return group in groups

    if step("startup", "--version, python -c pass, floor"):
        out.update(whole.startup(repo))
    if step("validate", "validate cold and warm"):
        out.update(whole.validate(repo))
    if step("inprocess", "in-process validate"):
        out.update(inprocess.validate(repo.root, repeat))
    if groups & {"plan", "edit", "memory", "inprocess"}:
        progress(f"N={n:,}: writing the backend directly ({2 * n:,} creates)")
        inprocess.fill_backend(repo.root)
    cold = warm = None
    if step("plan", "plan with nothing to change, cold and warm"):
        rows, cold, warm = whole.plan(repo)
        out.update(rows)
    if step("memory", "peak memory of plan"):
        out.update(whole.memory(repo, cold, warm))
    if step("edit", "plan after 1% of the code files changed"):
        out.update(whole.plan_after_edit(repo))
    if step("inprocess", "in-process plan"):
        out.update(inprocess.plan(repo.root, repeat))
    if step("apply", "apply from empty vs the raw writer"):
        out.update(whole.apply_from_empty(repo, inprocess.RawWriter(repo.root, folder)))
    return out


def table(results: dict[int, dict[str, Series]], groups: Iterable[str]) -> str:
    ns = sorted(results)
    wanted = set(groups)
    lines = ["| measure | " + " | ".join(f"N={n:,}" for n in ns) + " | target (at N=10,000) |",
             "|---|" + "---|" * len(ns) + "---|"]
    for key, label, target, group in ROWS:
        if group in wanted:
            cells = [results[n][key].cell() if key in results[n] else "—" for n in ns]
            lines.append(f"| {label} | " + " | ".join(cells) + f" | {target} |")
    return "\n".join(lines)


def details(results: dict[int, dict[str, Series]]) -> list[str]:
    return [f"- N={n:,}: {series.detail}" for n in sorted(results) for series in results[n].values() if series.detail]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--n", default="1000,10000", help="comma-separated function counts (default 1000,10000)")
    parser.add_argument("--repeat", type=int, default=5, help="paired rounds per measure")
    parser.add_argument("--only", default=",".join(GROUPS), help=f"comma-separated groups of {', '.join(GROUPS)}")
    parser.add_argument("--timed-max-n", type=int, default=10_000,
                        help="above this N only the memory row runs (default 10,000)")
    args = parser.parse_args(argv)
    args.ns = sorted({int(n.replace("_", "")) for n in args.n.split(",") if n.strip()})
    args.groups = {g.strip() for g in args.only.split(",") if g.strip()}
    unknown = args.groups - set(GROUPS)
    if unknown or args.repeat < 1 or not args.ns or min(args.ns) < 1:
        parser.error(f"unknown group(s) {sorted(unknown)}" if unknown else "--n and --repeat must be positive")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    results: dict[int, dict[str, Series]] = {}
    with tempfile.TemporaryDirectory(prefix="dhsync-bench-") as tmp:
        for n in args.ns:
            groups = args.groups if n <= args.timed_max_n else args.groups & {"memory"}
            results[n] = measure(Path(tmp), n, args.repeat, groups) if groups else {}
    print(table(results, [g for g in GROUPS if g in args.groups]))
    print()
    print(f"Machine: {os.cpu_count()} cores, {platform.python_implementation()} {platform.python_version()} "
          f"on {platform.system()}; dhsync run as {dhsync_command()[1]}; {args.repeat} paired rounds per measure "
          f"(floor and command alternating), cells: median (min–max) of the per-round figure; whole processes "
          f"unless marked in-process; {time.perf_counter() - started:,.0f} s in all.")
    print()
    print("\n".join(details(results)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
