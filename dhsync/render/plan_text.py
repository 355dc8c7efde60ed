"""The plan for people: one line per change with a symbol, the changed fields under it, a summary.

Rendered from the plan file's dict (`dhsync.plan.codec.to_dict`), never from Plan objects, so the
text, JSON and Markdown views cannot disagree.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from dhsync.render.values import one_line, paint, plural

# `recreate` (a task on a function's new version) reads as a create: the old version keeps its own task
SYMBOLS = {"create": "+", "new-version": "^", "update": "~", "recreate": "+", "delete": "-", "trigger": ">",
           "adopt": "<="}
COLORS = {"create": "green", "new-version": "yellow", "update": "yellow", "recreate": "green", "delete": "red",
          "trigger": "cyan", "adopt": "magenta"}
ACTION_WORDS = {"create": "create", "new-version": "new version", "update": "update in place",
                "recreate": "create", "delete": "delete", "trigger": "trigger", "adopt": "adopt"}
REASONS = {
    "not-in-backend": "not in the backend", "spec-changed": "spec changed",
    "metadata-changed": "description or labels changed", "function-new-version": "its function gets a new version",
    "not-declared": "no longer declared", "never-run-before": "never run before",
    "function-version-changed": "function version changed", "task-changed": "task changed",
    "declaration-changed": "run declaration changed", "always": "declared `trigger: always`",
    "resumed-interrupted-apply": "created by an interrupted apply, not executed yet",
    "made-outside-dhsync": "exists in the backend, made outside dhsync",
    "retry-failed-run": "its last run on this version failed (policies.retry_failed_runs)",
}
BLOCKED = {"protected": "protected; --ignore-protect", "empty-desired-set": "the repository declares nothing; "
           "--allow-empty", "takes-run-history": "takes run history; --cascade",
           "made-outside-dhsync": "not made by dhsync; --adopt or `dhsync import`"}
LEGEND = "+ create  ^ new version  ~ update in place  <= adopt  - delete  > trigger run  ! blocked"
FIELD_SYMBOLS = {"added": "+", "removed": "-", "changed": "~"}


def summary_line(counts: Mapping[str, int]) -> str:
    parts = [f"{counts.get('create', 0)} to create", plural(counts.get("new-version", 0), "new version"),
             f"{counts.get('update', 0)} to update", f"{counts.get('delete', 0)} to delete",
             f"{plural(counts.get('trigger', 0), 'run')} to trigger"]
    if counts.get("adopt"):
        parts.insert(3, f"{counts['adopt']} to adopt")
    if counts.get("blocked"):
        parts.append(f"{counts['blocked']} blocked")
    return "Plan: " + ", ".join(parts) + "."


def dependents_words(deps: Mapping[str, int] | None) -> str:
    if not deps:
        return ""
    parts = [plural(deps.get(key, 0), word) for key, word in (("versions", "version"), ("tasks", "task"),
                                                              ("runs", "run")) if deps.get(key)]
    return f"with {', '.join(parts)}" if parts else ""


def change_line(change: Mapping[str, Any], color: bool = False) -> str:
    action = str(change["action"])
    blocked = change.get("blocked")
    symbol = "!" if blocked else SYMBOLS.get(action, "?")
    why = REASONS.get(str(change["reason"]), str(change["reason"]))
    words = ACTION_WORDS.get(action, action)
    if blocked:
        words = f"{words} BLOCKED ({BLOCKED.get(str(blocked), str(blocked))})"
    taken = dependents_words(change.get("dependents"))
    tail = f"{words}: {why}" + (f", {taken}" if taken else "")
    head = f"{symbol:>3} {change['type']} {change['name']}"
    return f"{paint(head, 'red' if blocked else COLORS.get(action), color)}  ({change['kind']})  {tail}"


def field_line(field: Mapping[str, Any]) -> str:
    symbol = FIELD_SYMBOLS.get(str(field["change"]), "~")
    if field.get("secret"):
        return f"      {symbol} {field['path']}: (changed)"
    if field["change"] == "added":
        return f"      + {field['path']}: {one_line(field['after'])}"
    if field["change"] == "removed":
        return f"      - {field['path']}: {one_line(field['before'])}"
    return f"      ~ {field['path']}: {one_line(field['before'])} -> {one_line(field['after'])}"


def not_pruned_line(addresses: Sequence[str]) -> str | None:
    if not addresses:
        return None
    names = ", ".join(a.partition("/")[2] for a in addresses)
    them = "it" if len(addresses) == 1 else "them"
    return (f"Not pruned (pruning is off): {names}, created by dhsync and no longer declared; "
            f"`--prune` would delete {them}.")


def degraded_lines(plan: Mapping[str, Any]) -> list[str]:
    """Declared runs whose last execution on the current version did not complete: in sync, not healthy."""
    found: list[Mapping[str, Any]] = list(plan.get("degraded") or ())
    lines = []
    for item in found:
        message = f": {item['message']}" if item.get("message") else ""
        lines.append(f"  ! run {item['name']}: degraded, its last run {str(item['run'])[:12]} ended "
                     f"{item['state']}{message}")
    if not lines:
        return []
    how = f"`dhsync run {found[0]['name']}`" if len(found) == 1 else "`dhsync run NAME`"
    return ["Degraded (the backend matches, but what the repository declares did not succeed):", *lines,
            f"  {how} runs it again once the cause is fixed (or set policies.retry_failed_runs)."]


NO_CHANGES_SELECTED = "No changes in the selection (--select/--exclude)."


def _narrowed(plan: Mapping[str, Any]) -> bool:
    options = plan.get("options") or {}
    return bool(options.get("select") or options.get("exclude"))


def no_changes_line(plan: Mapping[str, Any]) -> str:
    return NO_CHANGES_SELECTED if _narrowed(plan) else "No changes. The backend matches the repository."


def quiet_line(plan: Mapping[str, Any]) -> str:
    """The plan in one line (`-q`)."""
    if plan["changes"] or plan.get("pending"):
        return summary_line(plan["summary"])
    return NO_CHANGES_SELECTED if _narrowed(plan) else "No changes."


def render(plan: Mapping[str, Any], color: bool = False) -> list[str]:
    """The lines of the text plan; the runs an interrupted apply left (`pending`) come first."""
    changes = [*(plan.get("pending") or ()), *plan["changes"]]
    lines = [f"Plan for project {plan['project']} on {plan.get('source', {}).get('backend', 'the backend')}", ""]
    if not changes:
        lines.append(no_changes_line(plan))
    else:
        lines += [f"  {LEGEND}", ""]
        for change in changes:
            lines.append(change_line(change, color))
            lines += [field_line(f) for f in change.get("fields") or ()]
        waiting = len(plan.get("pending") or ())
        resumed = f" Also {plural(waiting, 'run')} an interrupted apply left to execute." if waiting else ""
        lines += ["", summary_line(plan["summary"]) + resumed]
    note = not_pruned_line(plan.get("not_pruned") or ())
    degraded = degraded_lines(plan)
    return [*lines, *(["", note] if note else []), *(["", *degraded] if degraded else [])]
