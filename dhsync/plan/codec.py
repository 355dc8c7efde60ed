"""The plan file: a Plan as a versioned JSON document, and back.

This dict is the one serialised form: `plan --out` writes it, `plan --format json` prints it, and
the text and Markdown views are rendered from it. It is a public format: within one
`format_version` changes are additive only.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from dhsync.model.entities import Identity
from dhsync.model.errors import InvalidInputError
from dhsync.model.kinds import EntityType
from dhsync.model.plan import (
    FORMAT_VERSION,
    Action,
    Blocked,
    Change,
    Dependents,
    FieldChange,
    FieldChangeKind,
    Plan,
    PlanOptions,
    Reason,
)


def address(identity: Identity) -> str:
    return f"{identity.type}/{identity.name}"


def summary(changes: Iterable[Change]) -> dict[str, int]:
    """Counts for the summary line; blocked changes are counted apart, recreated tasks as creates."""
    counts: Counter[str] = Counter()
    for change in changes:
        if change.blocked is not None:
            counts["blocked"] += 1
        elif change.action is Action.RECREATE:
            counts[Action.CREATE] += 1
        else:
            counts[change.action] += 1
    return {key: counts[key] for key in (*(str(a) for a in Action if a is not Action.RECREATE), "blocked")}


def _field(f: FieldChange) -> dict[str, Any]:
    return {"path": f.path, "change": str(f.change), "before": f.before, "after": f.after, "secret": f.secret}


def _change(c: Change) -> dict[str, Any]:
    deps = c.dependents
    return {
        "address": address(c.identity), "type": str(c.identity.type), "name": c.identity.name, "kind": c.kind,
        "action": str(c.action), "reason": str(c.reason), "function": c.function,
        "before": c.before, "after": c.after, "fields": [_field(f) for f in c.fields],
        "dependents": None if deps is None else {"versions": deps.versions, "tasks": deps.tasks, "runs": deps.runs},
        "blocked": None if c.blocked is None else str(c.blocked),
        "requires": [address(r) for r in c.requires],
    }


def _options(o: PlanOptions) -> dict[str, Any]:
    return {"prune": o.prune, "allow_empty": o.allow_empty, "select": list(o.select), "exclude": list(o.exclude),
            "ignore_changes": list(o.ignore_changes), "protect": list(o.protect),
            "resumed_triggers": sorted(o.resumed_triggers)}


def to_dict(plan: Plan) -> dict[str, Any]:
    return {
        "format_version": plan.format_version,
        "project": plan.project,
        "source": dict(plan.source),
        "actual_fingerprint": plan.actual_fingerprint,
        "desired_hash": plan.desired_hash,
        "options": _options(plan.options),
        "summary": summary(plan.changes),
        "changes": [_change(c) for c in plan.changes],
        "not_pruned": [address(i) for i in plan.not_pruned],
    }


def _identity(text: str, project: str) -> Identity:
    kind, _, name = text.partition("/")
    return Identity(EntityType(kind), project, name)


def _field_from(d: Mapping[str, Any]) -> FieldChange:
    return FieldChange(d["path"], FieldChangeKind(d["change"]), d.get("before"), d.get("after"),
                       bool(d.get("secret")))


def _change_from(d: Mapping[str, Any], project: str) -> Change:
    deps = d.get("dependents")
    return Change(
        action=Action(d["action"]), identity=_identity(d["address"], project), kind=d["kind"],
        reason=Reason(d["reason"]), before=d.get("before"), after=d.get("after"),
        fields=tuple(_field_from(f) for f in d.get("fields") or ()),
        dependents=None if deps is None else Dependents(deps["versions"], deps["tasks"], deps["runs"]),
        blocked=None if d.get("blocked") is None else Blocked(d["blocked"]),
        requires=tuple(_identity(r, project) for r in d.get("requires") or ()), function=d.get("function"),
    )


def _options_from(d: Mapping[str, Any]) -> PlanOptions:
    return PlanOptions(prune=bool(d.get("prune")), allow_empty=bool(d.get("allow_empty")), select=tuple(d.get("select") or ()),
                       exclude=tuple(d.get("exclude") or ()), ignore_changes=tuple(d.get("ignore_changes") or ()),
                       protect=tuple(d.get("protect") or ()),
                       resumed_triggers=frozenset(d.get("resumed_triggers") or ()))


def from_dict(data: Mapping[str, Any]) -> Plan:
    """A Plan from its file form; InvalidInputError when it is not a plan this dhsync can read."""
    version = data.get("format_version") if isinstance(data, Mapping) else None
    if version != FORMAT_VERSION:
        raise InvalidInputError(
            f"this is not a dhsync plan file of format {FORMAT_VERSION} (format_version: {version!r}); "
            f"make the plan again with this dhsync (`dhsync plan --out FILE`)")
    try:
        project = str(data["project"])
        return Plan(project, tuple(_change_from(c, project) for c in data["changes"]),
                    str(data["actual_fingerprint"]), str(data["desired_hash"]), _options_from(data["options"]),
                    tuple(_identity(a, project) for a in data.get("not_pruned") or ()),
                    source=dict(data.get("source") or {}))
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidInputError(f"the plan file is damaged ({type(exc).__name__}: {exc}); make the plan again "
                                f"(`dhsync plan --out FILE`)") from exc
