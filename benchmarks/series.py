"""Repeated measurements and how they are reported: median (min–max) over paired rounds, with N."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from benchmarks.process import Finished

RATIO, SECONDS, MIB = "×", "s", "MiB"
_DIGITS = {RATIO: 2, SECONDS: 3, MIB: 0}


@dataclass(frozen=True)
class Series:
    """One figure measured `len(values)` times (a ratio per paired round, seconds, or MiB)."""

    values: tuple[float, ...]
    unit: str
    detail: str = ""  # the absolute figures behind a ratio

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    def cell(self) -> str:
        digits = _DIGITS[self.unit]
        lo, mid, hi = (f"{v:,.{digits}f}" for v in (min(self.values), self.median, max(self.values)))
        suffix = "" if self.unit == RATIO else f" {self.unit}"
        return f"{mid}{suffix} ({lo}–{hi})" if len(self.values) > 1 else f"{mid}{suffix}"


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def ratios(rounds: Sequence[tuple[Finished, Finished]], label: str) -> Series:
    """Command time / floor time per round (floor first in each pair)."""
    values = tuple(cmd.wall_s / base.wall_s for base, cmd in rounds)
    cmd_s = median([cmd.wall_s for _, cmd in rounds])
    detail = (f"{label}: {cmd_s:.3f} s (cpu {median([c.cpu_s for _, c in rounds]):.3f} s, "
              f"{max(c.max_rss_mib for _, c in rounds):.0f} MiB) vs floor "
              f"{median([b.wall_s for b, _ in rounds]):.3f} s, medians of {len(rounds)}")
    return Series(values, RATIO, detail)


def seconds(runs: Sequence[Finished], label: str) -> Series:
    return Series(tuple(r.wall_s for r in runs), SECONDS,
                  f"{label}: {median([r.wall_s for r in runs]):.3f} s wall, "
                  f"{median([r.cpu_s for r in runs]):.3f} s cpu, {max(r.max_rss_mib for r in runs):.0f} MiB")


def peak_memory(runs: Sequence[Finished], label: str) -> Series:
    return Series(tuple(r.max_rss_mib for r in runs), MIB,
                  f"{label}: max RSS {max(r.max_rss_mib for r in runs):.0f} MiB over {len(runs)} runs, "
                  f"{median([r.wall_s for r in runs]):.3f} s wall")
