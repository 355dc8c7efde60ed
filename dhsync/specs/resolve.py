"""From checked documents to the desired state: identities, duplicates, references by name, policies."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

from dhsync.model.diagnostics import Location
from dhsync.model.entities import DesiredEntity, Identity, TriggerPolicy, task_identity_name
from dhsync.model.kinds import EntityType, split_task_kind
from dhsync.model.refs import parse_function_ref, parse_task_ref
from dhsync.specs.checked import Checked
from dhsync.specs.issue import Issue
from dhsync.specs.suggest import did_you_mean


@dataclass(frozen=True)
class Placed:
    """A checked document and where it came from."""

    file: str
    origin: Location
    checked: Checked
    sources: tuple[tuple[str, str], ...] = ()


FileIssue = tuple[str, Issue]


def resolve(placed: Sequence[Placed], project: str, protect_patterns: Sequence[str] = (),
            declared: Mapping[str, Placed] | None = None) -> tuple[list[DesiredEntity], list[FileIssue]]:
    """The entities of `placed`; `declared` are functions of files resolved before (references to them
    resolve, they make no entities)."""
    issues: list[FileIssue] = []
    functions: dict[str, Placed] = dict(declared or {})
    for p in placed:
        if p.checked.type is EntityType.FUNCTION and isinstance(p.checked.content.get("name"), str):
            functions.setdefault(p.checked.content["name"], p)
    entities: list[DesiredEntity] = []
    seen: dict[Identity, Placed] = {}
    for item in placed:
        entity = _entity(item, project, functions, issues, protect_patterns)
        if entity is None or not item.checked.valid:
            continue
        first = seen.get(entity.identity)
        if first is not None:
            issues.append(_duplicate(item, first, entity))
            continue
        seen[entity.identity] = item
        entities.append(entity)
    return entities, issues


def _entity(item: Placed, project: str, functions: dict[str, Placed], issues: list[FileIssue],
            protect_patterns: Sequence[str]) -> DesiredEntity | None:
    content = item.checked.content
    doc = item.checked.doc
    declared = content.get("project")
    if declared is not None and declared != project:
        issues.append((item.file, Issue("wrong-project", f"document belongs to project `{declared}` but "
                                        f"dhsync.yaml manages `{project}`", doc, ("project",),
                                        "remove `project:` from the document or fix dhsync.yaml")))
        return None
    entity_type = item.checked.type
    if entity_type is EntityType.FUNCTION:
        return _function(item, project, protect_patterns) if item.checked.valid else None
    function_name = _referenced_function(item, project, functions, issues)
    if function_name is None:
        return None
    if entity_type is EntityType.TASK:
        return _task(item, project, function_name)
    return _run(item, project, function_name)


def _common(item: Placed, identity: Identity, spec: dict[str, Any], **extra: Any) -> DesiredEntity:
    content = item.checked.content
    return DesiredEntity(identity=identity, kind=item.checked.kind, metadata=content.get("metadata", {}),
                         spec=spec, origin=item.origin, protect=bool(content.get("protect", False)),
                         sources=dict(item.sources), **extra)


def _function(item: Placed, project: str, protect_patterns: Sequence[str]) -> DesiredEntity:
    name = str(item.checked.content["name"])
    entity = _common(item, Identity(EntityType.FUNCTION, project, name), dict(item.checked.content["spec"]))
    if not entity.protect and any(fnmatchcase(name, p) for p in protect_patterns):
        entity = DesiredEntity(**{**entity.__dict__, "protect": True})
    return entity


def _task(item: Placed, project: str, function_name: str) -> DesiredEntity:
    kind = item.checked.kind
    spec = {**item.checked.content["spec"], "function": function_name}
    identity = Identity(EntityType.TASK, project, task_identity_name(function_name, kind))
    parts = split_task_kind(kind)
    return _common(item, identity, spec, function=function_name, action=parts[1] if parts else None)


def _run(item: Placed, project: str, function_name: str) -> DesiredEntity:
    content = item.checked.content
    spec = {k: v for k, v in content["spec"].items() if k != "task"}
    spec["function"] = function_name
    parts = split_task_kind(item.checked.kind.removesuffix(":run"))
    trigger = content.get("trigger")
    return _common(item, Identity(EntityType.RUN, project, str(content["name"])), spec,
                   function=function_name, action=parts[1] if parts else None,
                   trigger=TriggerPolicy(trigger) if trigger else TriggerPolicy.ON_CHANGE)


def _referenced_function(item: Placed, project: str, functions: dict[str, Placed],
                         issues: list[FileIssue]) -> str | None:
    """The name of the function a task or run belongs to, checked against the declared functions."""
    spec, doc = item.checked.content["spec"], item.checked.doc
    owner_kind = item.checked.kind.removesuffix(":run").rpartition("+")[0]
    text, path = spec.get("function"), ("spec", "function")
    if not item.checked.valid and not isinstance(text, str):
        return None  # its own errors already say what is wrong with it
    if text is None and isinstance(spec.get("task"), str):
        return _function_of_task_ref(item, str(spec["task"]), issues)
    if text is None:
        issues.append((item.file, Issue("missing-field", "missing `spec.function`: the function (by name) this "
                                        "belongs to", doc, path)))
        return None
    ref = parse_function_ref(str(text))
    name = ref.name if ref else str(text)
    if ref is not None and ref.project != project:
        issues.append((item.file, Issue("wrong-project", f"`{text}` points into project `{ref.project}`, not "
                                        f"`{project}`", doc, path)))
        return None
    target = functions.get(name)
    if target is None:
        issues.append((item.file, Issue("dangling-reference", f"function `{name}` is not declared in this "
                                        "repository", doc, path, did_you_mean(name, functions))))
        return None
    if target.checked.kind != owner_kind and target.checked.valid:
        issues.append((item.file, Issue("kind-mismatch", f"`{item.checked.kind}` needs a `{owner_kind}` function, "
                                        f"but `{name}` is `{target.checked.kind}` (declared at {target.origin})",
                                        doc, ("kind",))))
        return None
    return name


def _function_of_task_ref(item: Placed, text: str, issues: list[FileIssue]) -> str | None:
    ref = parse_task_ref(text)
    detail = "a task id cannot be resolved before apply; name the function in `spec.function` instead"
    message = f"`spec.task` is `{text}`: {detail}" if ref else f"`spec.task` `{text}` is not a task reference"
    issues.append((item.file, Issue("unresolvable-task", message, item.checked.doc, ("spec", "task"))))
    return None


def _duplicate(item: Placed, first: Placed, entity: DesiredEntity) -> FileIssue:
    what = {EntityType.FUNCTION: f"function `{entity.name}`",
            EntityType.TASK: f"task `{entity.kind}` of function `{entity.function}`",
            EntityType.RUN: f"run `{entity.name}`"}.get(entity.type, entity.name)
    return (item.file, Issue("duplicate-entity", f"{what} is declared twice; first at {first.origin}",
                             item.checked.doc, ("kind",) if entity.type is EntityType.TASK else ("name",),
                             "keep one of them (one task per function and kind)"
                             if entity.type is EntityType.TASK else "rename or remove one of them"))
