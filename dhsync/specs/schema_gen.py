"""JSON Schemas (2020-12) generated from the pydantic models, for editors and for `schemas/`.

`python -m dhsync.specs.schema_gen schemas` rewrites the repository's `schemas/` folder; a test checks
that the committed files equal what this module generates.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from pydantic.json_schema import models_json_schema

from dhsync.model.kinds import EntityType, entity_type_of_kind
from dhsync.specs.models.config_schema import Config
from dhsync.specs.models.documents import DOCUMENT_MODELS

DIALECT = "https://json-schema.org/draft/2020-12/schema"
DOCUMENT_SCHEMA = "document.json"
CONFIG_SCHEMA = "dhsync.json"


def kind_schema(kind: str) -> dict[str, Any]:
    schema = DOCUMENT_MODELS[kind].model_json_schema()
    return {"$schema": DIALECT, "title": f"dhsync {kind} document", **schema}


def document_schema() -> dict[str, Any]:
    """Any dhsync document: the `kind` picks the schema, so multi-kind files validate in an editor."""
    kinds = list(DOCUMENT_MODELS)
    refs, defs = models_json_schema([(DOCUMENT_MODELS[k], "validation") for k in kinds],
                                    ref_template="#/$defs/{model}")
    branches = [{"if": {"properties": {"kind": {"const": k}}, "required": ["kind"]},
                 "then": refs[(DOCUMENT_MODELS[k], "validation")]} for k in kinds]
    return {
        "$schema": DIALECT,
        "title": "dhsync document (function, task or declared run)",
        "type": "object",
        "required": ["kind"],
        "properties": {"kind": {"type": "string", "description": "e.g. " + ", ".join(kinds[:4]) + " …"}},
        "allOf": branches,
        "$defs": defs.get("$defs", {}),
    }


def config_schema() -> dict[str, Any]:
    return {"$schema": DIALECT, "title": "dhsync.yaml", **Config.model_json_schema()}


def all_schemas() -> dict[str, dict[str, Any]]:
    """Relative file name -> schema, for everything `schemas/` holds."""
    out = {DOCUMENT_SCHEMA: document_schema(), CONFIG_SCHEMA: config_schema()}
    folders = {EntityType.FUNCTION: "function", EntityType.TASK: "task", EntityType.RUN: "run"}
    for kind in DOCUMENT_MODELS:
        folder = folders[entity_type_of_kind(kind)]
        out[f"{folder}/{kind.removesuffix(':run')}.json"] = kind_schema(kind)
    return out


def render(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"


def write(dest: Path, names: tuple[str, ...] | None = None) -> list[Path]:
    written = []
    for name, schema in all_schemas().items():
        if names is not None and name not in names:
            continue
        target = dest / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(render(schema), encoding="utf-8")
        written.append(target)
    return written


if __name__ == "__main__":
    for path in write(Path(sys.argv[1] if len(sys.argv) > 1 else "schemas")):
        print(path)
