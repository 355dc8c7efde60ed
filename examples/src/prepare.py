"""Keep the well-formed rows of a sales CSV (date,region,amount) whose amount is at least `min_amount`."""

from __future__ import annotations

import csv
import os
from pathlib import Path


def prepare(raw: str, min_amount: float = 0.0) -> tuple[str, int, int]:
    currency = os.environ.get("CURRENCY", "EUR")
    kept: list[dict[str, str]] = []
    dropped = 0
    with open(raw, newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            try:
                amount = float(row["amount"])
            except (KeyError, TypeError, ValueError):
                dropped += 1
                continue
            if amount < min_amount or not row.get("date"):
                dropped += 1
                continue
            kept.append({"date": row["date"], "region": row.get("region", ""),
                         "amount": f"{amount:.2f}", "currency": currency})
    clean = Path("clean_sales.csv")
    with clean.open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=["date", "region", "amount", "currency"])
        writer.writeheader()
        writer.writerows(kept)
    print(f"{Path(raw).name}: kept {len(kept)} rows, dropped {dropped} (malformed, undated or below {min_amount})")
    return str(clean), len(kept), dropped
