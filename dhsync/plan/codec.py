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
    Degraded,
    Dependents,
    FieldChange,
    FieldChangeKind,
    Plan,
    PlanOptions,
    Reason,
    SecretRules,
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
    return {"prune": o.prune, "allow_empty": o.allow_empty, "cascade": o.cascade, "ignore_protect": o.ignore_protect,
            "select": list(o.select), "exclude": list(o.exclude),
            "ignore_changes": list(o.ignore_changes), "protect": list(o.protect),
            "resumed_triggers": sorted(o.resumed_triggers), "adopt": o.adopt,
            "retry_failed_runs": o.retry_failed_runs,
            "secrets": {"mask": list(o.secrets.mask), "show": list(o.secrets.show)}}


def _degraded(d: Degraded) -> dict[str, Any]:
    return {"address": f"run/{d.name}", "name": d.name, "run": d.run, "state": d.state, "message": d.message}


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
        "pending": [_change(c) for c in plan.pending],
        "degraded": [_degraded(d) for d in plan.degraded],
    }


def _identity(text: str, project: str) -> Identity:
    kind, sep, name = text.partition("/")
    if not sep or not name:
        raise ValueError(f"`{text}` is not an address like `function/<name>`")
    return Identity(EntityType(kind), project, name)


def _field_from(d: Mapping[str, Any]) -> FieldChange:
    d = _mapping(d, "a field change")
    return FieldChange(str(d["path"]), FieldChangeKind(d["change"]), d.get("before"), d.get("after"),
                       bool(d.get("secret")))


def _dependents_from(d: Any) -> Dependents | None:
    if d is None:
        return None
    d = _mapping(d, "dependents")
    return Dependents(int(d["versions"]), int(d["tasks"]), int(d["runs"]))


def _change_from(d: Mapping[str, Any], project: str) -> Change:
    return Change(
        action=Action(d["action"]), identity=_identity(str(d["address"]), project), kind=str(d["kind"]),
        reason=Reason(d["reason"]), before=_optional_mapping(d.get("before"), "before"),
        after=_optional_mapping(d.get("after"), "after"),
        fields=tuple(_field_from(f) for f in _list(d.get("fields"))),
        dependents=_dependents_from(d.get("dependents")),
        blocked=None if d.get("blocked") is None else Blocked(d["blocked"]),
        requires=tuple(_identity(str(r), project) for r in _list(d.get("requires"))),
        function=None if d.get("function") is None else str(d["function"]),
    )


def _optional_mapping(value: Any, what: str) -> Mapping[str, Any] | None:
    return None if value is None else _mapping(value, what)


def _options_from(d: Mapping[str, Any]) -> PlanOptions:
    def names(key: str) -> tuple[str, ...]:
        return tuple(str(v) for v in _list(d.get(key)))

    secrets = _mapping(d.get("secrets") or {}, "options.secrets")
    return PlanOptions(prune=bool(d.get("prune")), allow_empty=bool(d.get("allow_empty")), select=names("select"),
                       exclude=names("exclude"), ignore_changes=names("ignore_changes"), protect=names("protect"),
                       cascade=bool(d.get("cascade")), ignore_protect=bool(d.get("ignore_protect")),
                       resumed_triggers=frozenset(names("resumed_triggers")), adopt=bool(d.get("adopt")),
                       retry_failed_runs=bool(d.get("retry_failed_runs")),
                       secrets=SecretRules(tuple(str(v) for v in _list(secrets.get("mask"))),
                                           tuple(str(v) for v in _list(secrets.get("show")))))


def _degraded_from(d: Any) -> Degraded:
    d = _mapping(d, "a degraded run")
    return Degraded(str(d["name"]), str(d["run"]), str(d["state"]), str(d.get("message") or ""))


def _list(value: Any) -> list[Any]:
    """A JSON array (null as empty); anything else is a damaged file, not a list of characters."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise TypeError(f"expected a list, got {type(value).__name__}")
    return value


def _mapping(value: Any, what: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise TypeError(f"{what} is {type(value).__name__}, not an object")
    return value


_DAMAGED = (KeyError, TypeError, ValueError, AttributeError)


def _changes_from(data: Mapping[str, Any], project: str, key: str = "changes") -> tuple[Change, ...]:
    changes = []
    for number, item in enumerate(_list(data.get(key) if key == "pending" else data[key]), start=1):
        try:
            changes.append(_change_from(_mapping(item, "the change"), project))
        except _DAMAGED as exc:
            raise InvalidInputError(f"change {number} of the plan file is damaged ({_what(exc)}); make the plan "
                                    f"again (`dhsync plan --out FILE`)") from exc
    return tuple(changes)


def _what(exc: Exception) -> str:
    return f"missing {exc}" if isinstance(exc, KeyError) else f"{type(exc).__name__}: {exc}"


def from_dict(data: Mapping[str, Any]) -> Plan:
    """A Plan from its file form; InvalidInputError when it is not a plan this dhsync can read."""
    version = data.get("format_version") if isinstance(data, Mapping) else None
    if type(version) is not int or version != FORMAT_VERSION:  # `true` and `1.0` are not format 1
        raise InvalidInputError(
            f"this is not a dhsync plan file of format {FORMAT_VERSION} (format_version: {version!r}); "
            f"make the plan again with this dhsync (`dhsync plan --out FILE`)")
    try:
        project = str(data["project"])
        return Plan(project, _changes_from(data, project),
                    str(data["actual_fingerprint"]), str(data["desired_hash"]),
                    _options_from(_mapping(data["options"], "options")),
                    tuple(_identity(str(a), project) for a in _list(data.get("not_pruned"))),
                    source={str(k): str(v) for k, v in _mapping(data.get("source") or {}, "source").items()},
                    pending=_changes_from(data, project, "pending"),
                    degraded=tuple(_degraded_from(d) for d in _list(data.get("degraded"))))
    except _DAMAGED as exc:
        raise InvalidInputError(f"the plan file is damaged ({_what(exc)}); make the plan again "
                                f"(`dhsync plan --out FILE`)") from exc
