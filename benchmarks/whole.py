"""Each row of the speed issue measured as whole processes, against the whole-process floor in the same run.

Every measure is `repeat` paired rounds: the floor (benchmarks/floor.py, a fresh interpreter parsing every
spec file with CSafeLoader) and the command, in alternating order so that a burst of load on a shared
machine hits both sides of a ratio. Before a row's rounds its command runs once untimed: the first run
after a code change compiles .pyc files, which a user's installed dhsync already has.
"""

from __future__ import annotations

import re
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from benchmarks.process import Finished, dhsync_command, floor, python_pass, run
from benchmarks.series import RATIO, Series, median, peak_memory, ratios, seconds

# the cache distrusts stamps of files changed within 2 s before it was written ("racy git", see
# dhsync.specs.cache.RACY_NS); a repository at rest is older than that
SETTLE_S = 2.1
Round = tuple[Finished, Finished]


def settle() -> None:
    time.sleep(SETTLE_S)


@dataclass(frozen=True)
class Repo:
    root: Path
    n: int
    repeat: int

    def dhsync(self, *args: str) -> Finished:
        return run([*dhsync_command()[0], *args], cwd=self.root)

    @property
    def state(self) -> Path:
        return self.root / ".dhsync"

    def drop_cache(self) -> None:
        shutil.rmtree(self.state / "cache", ignore_errors=True)

    def drop_backend(self) -> None:
        """Everything in .dhsync but the spec cache: the database, its journal and lock."""
        for path in self.state.iterdir() if self.state.is_dir() else ():
            if path.name != "cache":
                shutil.rmtree(path) if path.is_dir() else path.unlink()

    def paired(self, command: Callable[[], Finished], before: Callable[[], object] = lambda: None,
               after: Callable[[], object] = lambda: None) -> list[Round]:
        rounds = []
        for i in range(self.repeat):
            if i % 2 == 0:
                base = floor(self.root)
                before()
                cmd = command()
            else:
                before()
                cmd = command()
                base = floor(self.root)
            after()
            rounds.append((base, cmd))
        return rounds


def startup(repo: Repo) -> dict[str, Series]:
    """`dhsync --version` and `python -c pass`, alternating; the floor's own seconds beside them."""
    def version() -> Finished:
        return repo.dhsync("--version").expect()
    version()
    versions, bare = [], []
    for i in range(repo.repeat):
        if i % 2 == 0:
            versions.append(version())
            bare.append(python_pass())
        else:
            bare.append(python_pass())
            versions.append(version())
    return {"version": seconds(versions, "dhsync --version"), "python": seconds(bare, "python -c pass"),
            "floor": seconds([floor(repo.root) for _ in range(repo.repeat)], "floor")}


def validate(repo: Repo) -> dict[str, Series]:
    def command() -> Finished:
        return repo.dhsync("validate").expect()
    repo.drop_cache()
    command()
    cold = repo.paired(command, before=repo.drop_cache)
    command()
    warm = repo.paired(command)
    return {"validate_cold": ratios(cold, "validate, cold"), "validate_warm": ratios(warm, "validate, warm")}


def plan_is_empty(repo: Repo) -> Finished:
    """`dhsync plan --detailed-exitcode` exits 0: the backend holds exactly what the repository declares."""
    return repo.dhsync("plan", "--detailed-exitcode").expect(0)


def plan(repo: Repo) -> tuple[dict[str, Series], list[Round], list[Round]]:
    """Nothing to change, cold and warm; the backend already holds the repository (see `fill_backend`)."""
    def command() -> Finished:
        return repo.dhsync("plan").expect()
    repo.drop_cache()
    plan_is_empty(repo)
    cold = repo.paired(command, before=repo.drop_cache)
    plan_is_empty(repo)
    warm = repo.paired(command)
    return ({"plan_cold": ratios(cold, "plan, no changes, cold"), "plan_warm": ratios(warm, "plan, no changes, warm")},
            cold, warm)


def edited_files(repo: Repo) -> list[Path]:
    """1% of the code files (at least one), spread evenly."""
    count = max(1, repo.n // 100)
    return [repo.root / "src" / f"fn_{i}.py" for i in range(0, repo.n, repo.n // count)][:count]


def plan_after_edit(repo: Repo) -> dict[str, Series]:
    """A warm repository at rest, then 1% of the code files change, then one plan; restored between rounds."""
    files = edited_files(repo)
    original = {path: path.read_bytes() for path in files}
    edits = iter(range(10**6))

    def edit() -> None:
        stamp = next(edits)
        for path, text in original.items():
            path.write_bytes(text + f"# benchmark edit {stamp}\n".encode())

    def restore() -> None:
        for path, text in original.items():
            path.write_bytes(text)
        settle()
        plan_is_empty(repo)  # warm again, and the restore left nothing to change

    restore()
    rounds = repo.paired(lambda: repo.dhsync("plan").expect(), before=edit, after=restore)
    return {"plan_edit": ratios(rounds, f"plan after {len(files)} code files changed")}


_CREATED = re.compile(r"(\d[\d,]*) created")


def apply_from_empty(repo: Repo, raw_writer: Callable[[], float]) -> dict[str, Series]:
    """`dhsync apply --auto-approve --no-run` into a fresh default backend (the spec cache warm) against
    `raw_writer`, which makes the same creates and returns its creates per second (inprocess.RawWriter)."""
    def command() -> Finished:
        repo.drop_backend()
        return repo.dhsync("apply", "--auto-approve", "--no-run").expect()
    repo.dhsync("validate").expect()
    command()
    applied, raw = [], []
    for i in range(repo.repeat):
        if i % 2 == 0:
            raw.append(raw_writer())
            done = command()
        else:
            done = command()
            raw.append(raw_writer())
        found = _CREATED.search(done.stdout)
        applied.append((int(found.group(1).replace(",", "")) if found else 2 * repo.n) / done.wall_s)
    plan_is_empty(repo)  # apply and the direct fill leave the same state
    detail = (f"apply from empty: {median(applied):,.0f} creates/s (whole process) vs the raw writer's "
              f"{median(raw):,.0f} creates/s (in-process, creates only), medians of {repo.repeat}")
    return {"apply": Series(tuple(a / r for a, r in zip(applied, raw, strict=True)), RATIO, detail)}


def memory(repo: Repo, cold: list[Round] | None = None, warm: list[Round] | None = None) -> dict[str, Series]:
    """Peak RSS of `dhsync plan` with nothing to change (from the plan rounds when they ran)."""
    if cold is None or warm is None:
        repo.drop_cache()
        cold_runs = [plan_is_empty(repo)]
        warm_runs = [plan_is_empty(repo) for _ in range(repo.repeat)]
    else:
        cold_runs, warm_runs = [c for _, c in cold], [c for _, c in warm]
    return {"memory_warm": peak_memory(warm_runs, "plan, warm"), "memory_cold": peak_memory(cold_runs, "plan, cold")}
