"""Fields dhsync accepts that DHCore 0.15 does not, and the spec DHCore is sent once they are set aside.

- tasks: the Kubernetes fields of DHCore's 2025-02 schemas (node_selector, affinity, tolerations,
  backoff_limit, schedule), which dhsync's executors honour; `envs[].secret` (masking in outputs);
- container functions: `args` (2025-02 schema);
- declared runs: `outputs` and `values` of python runs (DHCore's python run has neither);
- every document: `protect`, and `trigger` on runs (top-level, never part of a spec).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dhsync.model.kinds import EntityType, entity_type_of_kind
from dhsync.specs.models.runs import DHSYNC_ONLY_DBT_RUN_FIELDS, DHSYNC_ONLY_RUN_FIELDS
from dhsync.specs.models.tasks import DHSYNC_ONLY_ENV_FIELDS, DHSYNC_ONLY_TASK_FIELDS

DHSYNC_ONLY_DOCUMENT_FIELDS: frozenset[str] = frozenset({"protect", "trigger"})
DHSYNC_ONLY_FUNCTION_FIELDS: dict[str, frozenset[str]] = {"container": frozenset({"args"})}


def dhsync_only_spec_fields(kind: str) -> frozenset[str]:
    entity_type = entity_type_of_kind(kind)
    if entity_type is EntityType.TASK:
        return DHSYNC_ONLY_TASK_FIELDS
    if entity_type is EntityType.RUN:
        return DHSYNC_ONLY_DBT_RUN_FIELDS if kind.startswith("dbt+") else DHSYNC_ONLY_RUN_FIELDS
    return DHSYNC_ONLY_FUNCTION_FIELDS.get(kind, frozenset())


def dhcore_spec(kind: str, spec: Mapping[str, Any]) -> dict[str, Any]:
    """`spec` without the fields DHCore 0.15 does not know (references must be resolved by the caller)."""
    drop = dhsync_only_spec_fields(kind)
    out = {k: v for k, v in spec.items() if k not in drop}
    if isinstance(out.get("envs"), list):
        out["envs"] = [{k: v for k, v in env.items() if k not in DHSYNC_ONLY_ENV_FIELDS}
                       for env in out["envs"]]
    return out
