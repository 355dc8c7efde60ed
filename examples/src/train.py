"""Least-squares trend of a daily series and a forecast `horizon` days ahead, saved as model.json."""

from __future__ import annotations

import json
from pathlib import Path

SERIES: list[float] = []


def init() -> None:
    SERIES[:] = [120.0, 132.5, 128.0, 141.0, 150.5, 149.0, 160.0, 171.5]


def fit(horizon: int = 7) -> dict[str, object]:
    n = len(SERIES)
    xs = range(n)
    mean_x, mean_y = (n - 1) / 2, sum(SERIES) / n
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, SERIES)) / sum((x - mean_x) ** 2 for x in xs)
    intercept = mean_y - slope * mean_x
    forecast = [round(intercept + slope * (n + day), 2) for day in range(horizon)]
    model = Path("model.json")
    model.write_text(json.dumps({"slope": slope, "intercept": intercept, "days": n, "forecast": forecast},
                                indent=2) + "\n", encoding="utf-8")
    print(f"fitted a trend to {n} days: {slope:+.2f} per day from {intercept:.2f}")
    print(f"forecast for the next {horizon} days: {forecast}")
    # `model` is stored as a file (the run's `outputs`), the others are kept as results (`values`)
    return {"model": str(model), "slope": round(slope, 4), "intercept": round(intercept, 4), "forecast": forecast}
