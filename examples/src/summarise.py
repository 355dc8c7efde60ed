"""Mean, minimum and maximum of a list of numbers."""

from __future__ import annotations


def summarise(numbers: list[float]) -> tuple[float, float, float]:
    if not numbers:
        raise ValueError("numbers is empty: give at least one number")
    return sum(numbers) / len(numbers), min(numbers), max(numbers)
