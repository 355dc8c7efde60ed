"""Function specs per kind, after DHCore 0.15's schemas (`function/<kind>.json`)."""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field, model_validator
from pydantic.config import JsonDict

from dhsync.specs.models.common import NonEmpty, StrictModel

PythonVersion = Literal["PYTHON3_10", "PYTHON3_11", "PYTHON3_12", "PYTHON3_13"]
SourceLang = Literal["python", "java", "javascript", "typescript", "dockerfile", "markdown", "html", "json",
                     "sql", "css", "yaml", "text", "sh"]


# The same rules as the validators below, written for JSON Schema so that editors enforce them too.
_CODE_ONCE: JsonDict = {"not": {"required": ["code", "base64"]}}
_HAS_CODE: JsonDict = {"anyOf": [{"required": ["source"]}, {"required": ["code"]}, {"required": ["base64"]}]}


class _Source(StrictModel):
    model_config = ConfigDict(json_schema_extra=_CODE_ONCE)

    source: NonEmpty | None = Field(None, description="a file in the repository, or a git+https://, http(s):// "
                                                      "or s3:// URI")
    code: str | None = Field(None, description="inline code (dhsync sends it as base64, like the SDK)")
    base64: str | None = Field(None, description="the code, base64-encoded")
    handler: NonEmpty | None = Field(None, description="`func` or `module:func`")

    @model_validator(mode="after")
    def _one_place_for_code(self) -> _Source:
        if self.code is not None and self.base64 is not None:
            raise ValueError("give the code once: `code` or `base64`, not both")
        return self


class PythonSource(_Source):
    model_config = ConfigDict(json_schema_extra={**_CODE_ONCE, **_HAS_CODE})

    handler: NonEmpty = Field(description="`func` or `module:func`")
    init_function: NonEmpty | None = Field(None, description="called once before the handler")
    lang: Literal["python"] = "python"


class ContainerSource(_Source):
    lang: SourceLang | None = None


class DbtSource(_Source):
    model_config = ConfigDict(json_schema_extra={**_CODE_ONCE, **_HAS_CODE})

    lang: Literal["sql", "python"] = "sql"


class PythonFunctionSpec(StrictModel):
    source: PythonSource
    python_version: PythonVersion
    image: NonEmpty | None = None
    base_image: NonEmpty | None = None
    requirements: list[NonEmpty] | None = None

    @model_validator(mode="after")
    def _has_code(self) -> PythonFunctionSpec:
        _require_code(self.source, "a python function needs its code")
        return self


class ContainerFunctionSpec(StrictModel):
    model_config = ConfigDict(json_schema_extra={"anyOf": [{"required": ["image"]}, {"required": ["base_image"]}]})

    image: NonEmpty | None = None
    base_image: NonEmpty | None = None
    image_pull_policy: Literal["IfNotPresent", "Always", "Never"] | None = None
    command: NonEmpty | None = None
    args: list[str] | None = Field(None, description="dhsync-only (from DHCore's 2025-02 schema)")
    source: ContainerSource | None = None

    @model_validator(mode="after")
    def _runnable(self) -> ContainerFunctionSpec:
        if self.image is None and self.base_image is None:
            raise ValueError("a container function needs `image` (or `base_image` to build one)")
        return self


class DbtFunctionSpec(StrictModel):
    source: DbtSource

    @model_validator(mode="after")
    def _has_sql(self) -> DbtFunctionSpec:
        _require_code(self.source, "a dbt function needs its SQL")
        return self


def _require_code(source: _Source, what: str) -> None:
    if source.source is None and source.code is None and source.base64 is None:
        raise ValueError(f"{what}: `source.source` (a file), `source.code` or `source.base64`")


FUNCTION_SPECS: dict[str, type[StrictModel]] = {
    "python": PythonFunctionSpec,
    "container": ContainerFunctionSpec,
    "dbt": DbtFunctionSpec,
}
