"""Declared run specs: what to run (function and action), with what, and when to trigger it."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from dhsync.specs.models.common import Name, NonEmpty, StrictModel


class RunSpecBase(StrictModel):
    function: NonEmpty | None = Field(
        None, description="the function by name (or `<kind>://<project>/<name>[:<id>]`)")
    task: NonEmpty | None = Field(
        None, description="a task reference `<task-kind>://<project>/<task-id>` (exports); usually omitted")
    local_execution: bool | None = Field(None, description="execute on this machine")


class PythonRunSpec(RunSpecBase):
    parameters: dict[str, Any] | None = Field(None, description="keyword arguments of the handler")
    init_parameters: dict[str, Any] | None = None
    inputs: dict[str, NonEmpty] | None = Field(None, description="name -> a path or a store:// key")
    outputs: list[Name] | dict[Name, Name] | None = Field(
        None, description="dhsync-only: returned values stored as artifacts (names, or name -> artifact name)")
    values: list[Name] | None = Field(None, description="dhsync-only: returned values kept as results")


class ContainerRunSpec(RunSpecBase):
    args: list[str] | None = None


class DbtRunSpec(RunSpecBase):
    parameters: dict[str, Any] | None = None
    inputs: dict[str, NonEmpty] | None = None
    outputs: dict[str, NonEmpty] | None = None


RUN_SPECS: dict[str, type[StrictModel]] = {
    "python": PythonRunSpec,
    "container": ContainerRunSpec,
    "dbt": DbtRunSpec,
}

# Fields of declared runs that DHCore 0.15's run schemas do not have. (`function` is in them, through
# the task spec they include; dhsync resolves the name to `<kind>://<project>/<name>:<id>`, and adds `task`.)
DHSYNC_ONLY_RUN_FIELDS: frozenset[str] = frozenset({"outputs", "values"})
DHSYNC_ONLY_DBT_RUN_FIELDS: frozenset[str] = frozenset()
