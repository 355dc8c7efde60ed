"""Whole documents (the DigitalHub envelope around a spec), one pydantic model per built-in kind.

Server-owned fields (`id`, `key`, `status`, `user`, metadata audit fields) are accepted so that files
exported by the DigitalHub SDK load as they are; the loader sets them aside, they are never desired state.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, create_model

from dhsync.model.kinds import BUILTIN_ACTIONS, EntityType, run_kind, task_kind
from dhsync.specs.models.common import Name, NonEmpty, StrictModel
from dhsync.specs.models.functions import FUNCTION_SPECS
from dhsync.specs.models.runs import RUN_SPECS
from dhsync.specs.models.tasks import TASK_SPECS

Trigger = Literal["on-change", "always", "manual"]


class Relationship(StrictModel):
    type: NonEmpty
    dest: NonEmpty
    source: str | None = None


class Metadata(StrictModel):
    description: str | None = None
    labels: list[NonEmpty] | None = None
    embedded: bool | None = None
    # server-owned, set aside by the loader
    project: str | None = None
    name: str | None = None
    version: str | None = None
    created: str | None = None
    updated: str | None = None
    created_by: str | None = None
    updated_by: str | None = None
    relationships: list[Relationship] | None = None
    ref: str | None = None


class DocumentBase(StrictModel):
    project: Name | None = Field(None, description="defaults to the project of dhsync.yaml")
    metadata: Metadata | None = None
    protect: bool = Field(False, description="dhsync-only: never delete this entity")
    # server-owned, set aside by the loader
    id: str | None = None
    key: str | None = None
    status: dict[str, Any] | None = None
    user: str | None = None
    extensions: list[Any] | None = None


class FunctionDocumentBase(DocumentBase):
    name: Name


class TaskDocumentBase(DocumentBase):
    name: str | None = Field(None, description="server-owned (a task's name is its id)")


class RunDocumentBase(DocumentBase):
    name: Name = Field(description="the declared run's name, unique in the project")
    trigger: Trigger = Field("on-change", description="dhsync-only: on-change, always or manual")


def _document(model_name: str, base: type[DocumentBase], kind: str,
              spec: type[StrictModel]) -> type[DocumentBase]:
    model: type[DocumentBase] = create_model(
        model_name, __base__=base, kind=(Literal[kind], ...), spec=(spec, ...),  # type: ignore[arg-type]
    )
    return model


def _title(kind: str) -> str:
    return "".join(part.capitalize() for part in kind.replace(":", "+").replace("-", "+").split("+"))


def _build_registry() -> dict[str, type[DocumentBase]]:
    registry: dict[str, type[DocumentBase]] = {}
    for fn_kind, actions in BUILTIN_ACTIONS.items():
        registry[fn_kind] = _document(f"{_title(fn_kind)}Function", FunctionDocumentBase, fn_kind,
                                      FUNCTION_SPECS[fn_kind])
        for action in actions:
            t_kind = task_kind(fn_kind, action)
            registry[t_kind] = _document(f"{_title(t_kind)}Task", TaskDocumentBase, t_kind, TASK_SPECS[t_kind])
            r_kind = run_kind(t_kind)
            registry[r_kind] = _document(f"{_title(t_kind)}Run", RunDocumentBase, r_kind, RUN_SPECS[fn_kind])
    return registry


DOCUMENT_MODELS: dict[str, type[DocumentBase]] = _build_registry()


class GenericDocument(DocumentBase):
    """A kind outside the built-in runtimes: the envelope is checked here, the spec by its DHCore schema."""

    kind: NonEmpty
    name: Name | None = None
    trigger: Trigger | None = None
    spec: dict[str, Any] = Field(default_factory=dict)


class PluginFunctionDocument(FunctionDocumentBase):
    """A function of a kind a runtime plugin serves: DHCore has no schema for it, so its spec is free
    (the plugin's check_function says what it needs, as a runtime check)."""

    kind: NonEmpty
    spec: dict[str, Any] = Field(default_factory=dict)


class PluginTaskDocument(TaskDocumentBase):
    kind: NonEmpty
    spec: dict[str, Any] = Field(default_factory=dict)


class PluginRunDocument(RunDocumentBase):
    kind: NonEmpty
    spec: dict[str, Any] = Field(default_factory=dict)


# The envelope of a document whose kind a runtime plugin serves, by what the kind names.
PLUGIN_DOCUMENTS: dict[EntityType, type[DocumentBase]] = {
    EntityType.FUNCTION: PluginFunctionDocument,
    EntityType.TASK: PluginTaskDocument,
    EntityType.RUN: PluginRunDocument,
}
