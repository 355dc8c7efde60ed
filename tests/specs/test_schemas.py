"""schemas/ stays in step with the models, and dhsync's documents stay within DHCore 0.15's schemas."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from dhsync.model.entities import DesiredEntity
from dhsync.model.kinds import EntityType
from dhsync.specs import dhcore
from dhsync.specs.dhsync_only import DHSYNC_ONLY_DOCUMENT_FIELDS, dhcore_spec, dhsync_only_spec_fields
from dhsync.specs.loader import load_repository
from dhsync.specs.models.config import Defaults
from dhsync.specs.models.tasks import DHSYNC_ONLY_ENV_FIELDS
from dhsync.specs.schema_gen import all_schemas, render
from dhsync.specs.validate import check_document
from tests.conftest import CORPUS, EXAMPLES, ROOT

SCHEMAS = ROOT / "schemas"


def test_committed_schemas_are_what_the_models_generate() -> None:
    generated = all_schemas()
    committed = {p.relative_to(SCHEMAS).as_posix() for p in SCHEMAS.rglob("*.json")}
    assert committed == set(generated), "run: python -m dhsync.specs.schema_gen schemas"
    for name, schema in generated.items():
        assert (SCHEMAS / name).read_text(encoding="utf-8") == render(schema), \
            f"schemas/{name} is stale; run: python -m dhsync.specs.schema_gen schemas"


def test_every_schema_is_a_valid_2020_12_schema() -> None:
    for name, schema in all_schemas().items():
        Draft202012Validator.check_schema(schema)
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema", name


# Documents the JSON Schema and the pydantic models must judge the same way.
_PY = {"kind": "python", "name": "f", "spec": {"python_version": "PYTHON3_11",
                                               "source": {"handler": "h", "source": "a.py"}}}
PARITY: list[tuple[str, dict[str, Any], bool]] = [
    ("python ok", _PY, True),
    ("python without handler", {**_PY, "spec": {"python_version": "PYTHON3_11", "source": {"source": "a.py"}}},
     False),
    ("python without code", {**_PY, "spec": {"python_version": "PYTHON3_11", "source": {"handler": "h"}}}, False),
    ("python code and base64", {**_PY, "spec": {"python_version": "PYTHON3_11",
                                               "source": {"handler": "h", "code": "x", "base64": "eA=="}}}, False),
    ("bad python_version", {**_PY, "spec": {**_PY["spec"], "python_version": "3.11"}}, False),
    ("unknown top field", {**_PY, "descripton": "x"}, False),
    ("bad name", {**_PY, "name": "a b"}, False),
    ("protect flag", {**_PY, "protect": True}, True),
    ("container without image", {"kind": "container", "name": "c", "spec": {"command": "x"}}, False),
    ("container ok", {"kind": "container", "name": "c", "spec": {"image": "busybox"}}, True),
    ("task ok", {"kind": "python+job", "spec": {"function": "f", "backoff_limit": 0}}, True),
    ("task negative backoff", {"kind": "python+job", "spec": {"function": "f", "backoff_limit": -1}}, False),
    ("task without function", {"kind": "python+job", "spec": {}}, False),
    ("task replicas on a job", {"kind": "python+job", "spec": {"function": "f", "replicas": 1}}, False),
    ("serve replicas zero", {"kind": "container+serve", "spec": {"function": "f", "replicas": 0}}, False),
    ("quantity as string", {"kind": "dbt+transform", "spec": {"function": "f", "resources": {"mem": "1Gi"}}},
     True),
    ("quantity with space", {"kind": "dbt+transform", "spec": {"function": "f", "resources": {"mem": "1 Gi"}}},
     False),
    ("env without value", {"kind": "python+job", "spec": {"function": "f", "envs": [{"name": "A"}]}}, False),
    ("toleration operator", {"kind": "python+job", "spec": {"function": "f",
                                                            "tolerations": [{"operator": "Maybe"}]}}, False),
    ("cron text", {"kind": "python+job", "spec": {"function": "f", "schedule": "daily"}}, False),
    ("cron macro", {"kind": "python+job", "spec": {"function": "f", "schedule": "@daily"}}, True),
    ("run ok", {"kind": "python+job:run", "name": "r", "spec": {"function": "f", "values": ["a"]}}, True),
    ("run bad trigger", {"kind": "python+job:run", "name": "r", "trigger": "sometimes", "spec": {}}, False),
    ("run without name", {"kind": "python+job:run", "spec": {"function": "f"}}, False),
    ("dbt outputs map", {"kind": "dbt+transform:run", "name": "r", "spec": {"outputs": {"t": "x"}}}, True),
    ("export fields", {**_PY, "id": "abc", "key": "store://p/function/python/f:abc", "status": {"state": "CREATED"},
                       "user": "u", "metadata": {"version": "v", "created": "2026-01-01T00:00:00Z"}}, True),
]
# Checks only the models make (JSON Schema cannot express them); listed so the divergence is deliberate.
MODEL_ONLY: list[tuple[str, dict[str, Any]]] = [
    ("cron minute out of range", {"kind": "python+job", "spec": {"function": "f", "schedule": "61 * * * *"}}),
    ("unknown quantity unit", {"kind": "python+job", "spec": {"function": "f", "resources": {"cpu": "1Gx"}}}),
]


def _schema_accepts(doc: dict[str, Any]) -> bool:
    validator = Draft202012Validator(json.loads((SCHEMAS / "document.json").read_text()))
    return validator.is_valid(doc)


def _models_accept(doc: dict[str, Any]) -> bool:
    checked, issues = check_document(doc, 0, Defaults())
    return checked is not None and checked.valid and not issues


@pytest.mark.parametrize(("doc", "valid"), [(d, v) for _, d, v in PARITY], ids=[n for n, _, _ in PARITY])
def test_json_schema_and_models_agree(doc: dict[str, Any], valid: bool) -> None:
    assert _models_accept(doc) is valid
    assert _schema_accepts(doc) is valid


@pytest.mark.parametrize("doc", [d for _, d in MODEL_ONLY], ids=[n for n, _ in MODEL_ONLY])
def test_semantic_checks_live_in_the_models_only(doc: dict[str, Any]) -> None:
    assert _schema_accepts(doc)
    assert not _models_accept(doc)


def _entities(root: Path) -> tuple[DesiredEntity, ...]:
    result = load_repository(root, use_cache=False)
    assert result.ok and result.state is not None, [d.one_line() for d in result.diagnostics]
    return result.state.entities


def _as_sent(entity: DesiredEntity) -> dict[str, Any]:
    """The spec dhsync sends DHCore: references resolved, dhsync-only fields set aside."""
    spec = dhcore_spec(entity.kind, entity.spec)
    fn_kind = entity.kind.removesuffix(":run").split("+")[0]
    if entity.type in (EntityType.TASK, EntityType.RUN):
        spec["function"] = f"{fn_kind}://{entity.project}/{entity.function}:0123456789abcdef0123456789abcdef"
    if entity.type is EntityType.RUN:
        spec["task"] = f"{entity.kind.removesuffix(':run')}://{entity.project}/fedcba9876543210fedcba9876543210"
    return spec


def test_the_dhsync_only_fields_are_exactly_these() -> None:
    """What dhsync accepts beyond DHCore 0.15; everything else must validate against DHCore's schemas."""
    k8s = {"node_selector", "affinity", "tolerations", "backoff_limit", "schedule"}
    assert {kind: dhsync_only_spec_fields(kind) for kind in ("python+job", "container+serve", "dbt+transform")} \
        == dict.fromkeys(("python+job", "container+serve", "dbt+transform"), k8s)
    assert dhsync_only_spec_fields("python+job:run") == {"outputs", "values"}
    assert dhsync_only_spec_fields("dbt+transform:run") == set()
    assert dhsync_only_spec_fields("container") == {"args"}
    assert dhsync_only_spec_fields("python") == set()
    assert DHSYNC_ONLY_ENV_FIELDS == {"secret"}
    assert DHSYNC_ONLY_DOCUMENT_FIELDS == {"protect", "trigger"}


@pytest.mark.parametrize("root", [EXAMPLES, CORPUS / "good"], ids=["examples", "good-corpus"])
def test_documents_validate_against_dhcore_0_15_once_dhsync_only_fields_are_set_aside(root: Path) -> None:
    entities = _entities(root)
    assert entities
    for entity in entities:
        validator = dhcore.spec_validator(entity.kind)
        assert validator is not None, entity.kind
        errors = [e.message for e in validator.iter_errors(_as_sent(entity))]
        assert errors == [], f"{entity.origin} {entity.kind}: {errors}"


def test_the_examples_use_dhsync_only_fields_so_the_set_aside_matters() -> None:
    used = set()
    for entity in _entities(EXAMPLES):
        used |= set(entity.spec) - set(dhcore_spec(entity.kind, entity.spec))
    assert {"node_selector", "tolerations", "backoff_limit", "schedule", "affinity", "values"} <= used


def test_the_shipped_dhcore_schemas_are_the_reference_ones(shared: Path) -> None:
    reference = shared / "reference" / "dhcore-0.15" / "schemas"
    shipped = ROOT / "dhsync" / "specs" / "dhcore_schemas"
    for folder in ("function", "task", "run"):
        for ref in (reference / folder).glob("*.json"):
            assert (shipped / folder / ref.name).read_bytes() == ref.read_bytes(), ref.name


def test_example_files_point_editors_at_a_schema_that_exists() -> None:
    for path in [*EXAMPLES.rglob("*.yaml")]:
        first = path.read_text().splitlines()[0]
        assert first.startswith("# yaml-language-server: $schema="), path
        target = (path.parent / first.split("$schema=", 1)[1]).resolve()
        assert target.is_file(), f"{path}: {target} does not exist"
