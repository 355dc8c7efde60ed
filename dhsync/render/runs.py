"""Runs for people and scripts: the `dhsync runs` table, its JSON, and the report of one run.

Every view starts from `summary(run)`, one plain dict per run (what `--format json` prints), so the
table and the JSON cannot disagree.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson

from dhsync.diff.marks import trigger_record
from dhsync.model.redact import redact_text
from dhsync.model.refs import parse_function_ref
from dhsync.model.runstate import RunState
from dhsync.model.secret_values import hide
from dhsync.render.values import one_line, paint
from dhsync.runtimes import FINAL_STATES, duration, state_of

COLUMNS = ("RUN", "NAME", "FUNCTION", "STATE", "STARTED", "DURATION", "RESULTS")
SHORT_ID = 8
RESULTS_WIDTH = 60
_STATE_COLORS: dict[str, str] = {RunState.COMPLETED: "green", RunState.ERROR: "red", RunState.STOPPED: "yellow",
                                 RunState.RUNNING: "cyan", RunState.STOP: "yellow"}


def _shown(message: Any) -> str | None:
    return None if message is None else redact_text(str(message))


def summary(run: Mapping[str, Any]) -> dict[str, Any]:
    status: Mapping[str, Any] = run.get("status") or {}
    spec: Mapping[str, Any] = run.get("spec") or {}
    ref = parse_function_ref(str(spec.get("function", "")))
    record = trigger_record(run)
    transitions = status.get("transitions") or []
    return {
        "id": run["id"], "key": run.get("key"), "kind": run["kind"],
        "name": record.declaration if record is not None else None,
        "function": ref.name if ref else None, "function_id": ref.id if ref else None,
        "state": state_of(run), "created": (run.get("metadata") or {}).get("created"),
        "started": next((t["time"] for t in transitions if t.get("status") == "RUNNING"), None),
        "ended": next((t["time"] for t in reversed(transitions) if t.get("status") in FINAL_STATES), None),
        # results under credential names and messages quoting a token are shown masked
        "duration": duration(run), "results": hide(dict(status.get("results") or {})),
        "outputs": dict(status.get("outputs") or {}), "message": _shown(status.get("message")),
    }


def as_json(summaries: Sequence[Mapping[str, Any]]) -> str:
    return orjson.dumps(list(summaries), option=orjson.OPT_INDENT_2).decode()


def table(summaries: Sequence[Mapping[str, Any]], color: bool = False) -> list[str]:
    rows = [_cells(s) for s in summaries]
    widths = [max(len(cell) for cell in column) for column in zip(COLUMNS, *rows, strict=True)]
    lines = [_line(COLUMNS, widths, color, header=True)]
    lines += [_line(row, widths, color) for row in rows]
    return lines


def _cells(s: Mapping[str, Any]) -> tuple[str, ...]:
    return (str(s["id"])[:SHORT_ID], s["name"] or "-", _function(s), s["state"], local_time(s["started"]),
            format_duration(s["duration"]), _cut(produced(s), RESULTS_WIDTH))


def _line(cells: Sequence[str], widths: Sequence[int], color: bool, header: bool = False) -> str:
    padded = [cell.ljust(width) for cell, width in zip(cells[:-1], widths, strict=False)]
    if color and header:
        padded = [paint(cell, "bold", True) for cell in padded]
    elif color:
        padded[3] = paint(padded[3], _STATE_COLORS.get(cells[3]), True)
    return "  ".join([*padded, cells[-1]]).rstrip()


def _function(s: Mapping[str, Any]) -> str:
    action = str(s["kind"]).removesuffix(":run").rpartition("+")[2]
    return f"{s['function'] or '?'} ({action})"


def label_of(s: Mapping[str, Any]) -> str:
    """What a run is called: its declared run, else its function and action."""
    action = str(s["kind"]).removesuffix(":run").rpartition("+")[2]
    return str(s["name"] or f"function {s['function'] or '?'}, action {action}")


def produced(s: Mapping[str, Any]) -> str:
    """Results and outputs in short, or why the run did not complete."""
    if s["state"] != RunState.COMPLETED:
        return str(s["message"] or "")
    parts = [f"{name}={one_line(value, 24)}" for name, value in s["results"].items()]
    if s["outputs"]:
        parts.append("outputs: " + " ".join(s["outputs"]))
    return ", ".join(parts)


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def local_time(iso: str | None) -> str:
    if not iso:
        return "-"
    return datetime.fromisoformat(iso).astimezone().strftime("%Y-%m-%d %H:%M:%S")


def format_duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(int(seconds), 60)
    if minutes < 60:
        return f"{minutes} m {rest:02d} s"
    return f"{minutes // 60} h {minutes % 60:02d} m"


def report(s: Mapping[str, Any], files: Mapping[str, Path | None], color: bool = False) -> list[str]:
    """The run `dhsync run` and `dhsync stop` show: id, state, time taken, results, outputs and their files."""
    label = label_of(s)
    state = paint(s["state"], _STATE_COLORS.get(s["state"]), color)
    took = "" if s["duration"] is None or s["state"] not in FINAL_STATES else (
        f" in {format_duration(s['duration'])}" if s["state"] == RunState.COMPLETED else
        f" after {format_duration(s['duration'])}")
    lines = [f"Run {s['id']} ({label}) {state}{took}"]
    if s["results"]:
        lines += ["Results:", *(f"  {name}: {one_line(value, 100)}" for name, value in s["results"].items())]
    if s["outputs"]:
        lines.append("Outputs:")
        for name, key in s["outputs"].items():
            lines.append(f"  {name}: {key}")
            if files.get(name) is not None:
                lines.append(f"    file: {files[name]}")
    return lines
