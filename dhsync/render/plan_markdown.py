"""The plan as a pull-request comment: the summary line first, destructive changes called out, the
details folded, and the whole kept under GitHub's comment limit (65,536) with a note when cut."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dhsync.render.plan_text import (
    ACTION_WORDS,
    BLOCKED,
    REASONS,
    SYMBOLS,
    degraded_lines,
    dependents_words,
    field_line,
    not_pruned_line,
    summary_line,
)
from dhsync.render.values import one_line

LIMIT = 60_000
# deletes named in the warning at the top; the rest are in the table (or counted in its cut note)
WARNED_DELETES = 30
_CUT_NOTE = ("\n*Cut here to stay under the comment size limit: {n} more change(s). "
             "`dhsync plan --format json` has them all.*\n")


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _row(change: Mapping[str, Any]) -> str:
    symbol = "!" if change.get("blocked") else SYMBOLS.get(str(change["action"]), "?")
    action = ACTION_WORDS.get(str(change["action"]), str(change["action"]))
    if change.get("blocked"):
        action += f" **blocked** ({BLOCKED.get(str(change['blocked']), change['blocked'])})"
    why = REASONS.get(str(change["reason"]), str(change["reason"]))
    taken = dependents_words(change.get("dependents"))
    return (f"| `{symbol}` | {change['type']} `{_cell(str(change['name']))}` | {_cell(str(change['kind']))} | "
            f"{action} | {_cell(why)}{', ' + taken if taken else ''} |")


def _destructive(plan: Mapping[str, Any]) -> list[str]:
    deletes = [c for c in plan["changes"] if c["action"] == "delete"]
    if not deletes:
        return []
    lines = ["> [!WARNING]", f"> **Destructive changes: {len(deletes)} delete{'s' if len(deletes) != 1 else ''}**"]
    for change in deletes[:WARNED_DELETES]:
        taken = dependents_words(change.get("dependents"))
        state = " — **blocked**" if change.get("blocked") else ""
        lines.append(f"> - delete {change['type']} `{change['name']}`{' ' + taken if taken else ''}{state}")
    if len(deletes) > WARNED_DELETES:
        lines.append(f"> - … and {len(deletes) - WARNED_DELETES} more (`dhsync plan --prune` lists them all)")
    return [*lines, ""]


def _adopted(plan: Mapping[str, Any]) -> list[str]:
    adopts = [c for c in plan["changes"] if c["action"] == "adopt"]
    if not adopts:
        return []
    names = ", ".join(f"`{c['name']}`" for c in adopts[:WARNED_DELETES])
    more = f" and {len(adopts) - WARNED_DELETES} more" if len(adopts) > WARNED_DELETES else ""
    return ["> [!CAUTION]", f"> **Taking over {len(adopts)} function(s) made outside dhsync:** {names}{more}. "
            "Once adopted, removing the declaration may prune them.", ""]


def _degraded(plan: Mapping[str, Any]) -> list[str]:
    lines = degraded_lines(plan)
    if not lines:
        return []
    return ["> [!IMPORTANT]", *(f"> {line.strip()}" for line in lines), ""]


def _diff_lines(field: Mapping[str, Any]) -> str:
    """A changed field as a `-` and a `+` line, so GitHub colours the ```diff block."""
    if field["change"] != "changed" or field.get("secret"):
        return field_line(field).strip()
    return (f"- {field['path']}: {one_line(field['before'])}\n"
            f"+ {field['path']}: {one_line(field['after'])}")


def _details(change: Mapping[str, Any]) -> str:
    fields = change.get("fields") or []
    if not fields:
        return ""
    body = "\n".join(_diff_lines(f) for f in fields)
    return (f"<details><summary>{change['type']} <code>{change['name']}</code>: "
            f"{len(fields)} changed field(s)</summary>\n\n```diff\n{body}\n```\n</details>\n")


def render(plan: Mapping[str, Any], limit: int = LIMIT) -> str:
    changes = plan["changes"]
    head = [f"**{summary_line(plan['summary'])}** Project `{plan['project']}`.", ""]
    if not changes:
        head[0] = f"**No changes.** Project `{plan['project']}` matches the repository."
    head += _destructive(plan) + _adopted(plan) + _degraded(plan)
    note = not_pruned_line(plan.get("not_pruned") or ())
    tail = [note, ""] if note else []
    parts = ["\n".join(head) + "\n"]  # a blank line: the table must not continue the warning
    if changes:
        parts.append("| | entity | kind | action | why |\n|---|---|---|---|---|\n")
    size = sum(len(p) for p in parts) + sum(len(t) + 1 for t in tail) + len(_CUT_NOTE) + 16
    shown = 0
    for change in changes:
        piece = _row(change) + "\n"
        if size + len(piece) > limit:
            break
        parts.append(piece)
        size += len(piece)
        shown += 1
    details = []
    for change in changes[:shown]:
        piece = _details(change)
        if size + len(piece) > limit:
            break
        details.append(piece)
        size += len(piece)
    parts += ["\n", *details]
    if shown < len(changes):
        parts.append(_CUT_NOTE.format(n=len(changes) - shown))
    elif len(details) < sum(1 for c in changes if c.get("fields")):
        parts.append("\n*Some field details were cut to stay under the comment size limit; "
                     "`dhsync plan --format json` has them all.*\n")
    return "".join(parts) + "\n".join(tail)
