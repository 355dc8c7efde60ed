"""Least-squares trend of a daily series, and a forecast `horizon` days ahead."""

from __future__ import annotations

SERIES: list[float] = []


def init() -> None:
    SERIES[:] = [120.0, 132.5, 128.0, 141.0, 150.5, 149.0, 160.0, 171.5]


def fit(horizon: int = 7) -> tuple[float, float, list[float]]:
    n = len(SERIES)
    xs = range(n)
    mean_x, mean_y = (n - 1) / 2, sum(SERIES) / n
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, SERIES)) / sum((x - mean_x) ** 2 for x in xs)
    intercept = mean_y - slope * mean_x
    forecast = [round(intercept + slope * (n + day), 2) for day in range(horizon)]
    return round(slope, 4), round(intercept, 4), forecast
