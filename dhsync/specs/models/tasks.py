"""Task specs per kind: DHCore 0.15's fields plus the Kubernetes fields of the original SDK docs.

`node_selector`, `affinity`, `tolerations`, `backoff_limit` and `schedule` have the shapes of DHCore's
2025-02 schemas; 0.15 dropped them, dhsync keeps them for its executors (see DHSYNC_ONLY_TASK_FIELDS).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from dhsync.specs.models.common import Cron, NonEmpty, Quantity, StrictModel


class Env(StrictModel):
    name: NonEmpty
    value: NonEmpty
    # None (not False) when absent, so a loaded spec equals what a backend stores and plans stay empty
    secret: bool | None = Field(None, description="dhsync-only: mask the value in every output")


class Resources(StrictModel):
    cpu: Quantity | None = None
    mem: Quantity | None = None
    gpu: Quantity | None = None
    disk: Quantity | None = None


class Volume(StrictModel):
    volume_type: Literal["shared_volume", "persistent_volume_claim", "ephemeral", "empty_dir", "image"]
    name: NonEmpty
    mount_path: NonEmpty
    spec: dict[str, str] | None = None


class NodeSelector(StrictModel):
    key: NonEmpty
    value: str


class Toleration(StrictModel):
    key: str | None = None
    operator: Literal["Equal", "Exists"] | None = None
    value: str | None = None
    effect: Literal["NoSchedule", "PreferNoSchedule", "NoExecute"] | None = None
    tolerationSeconds: int | None = None


class Affinity(StrictModel):
    """Kubernetes' V1Affinity; the terms inside keep Kubernetes' own (camelCase) shape."""

    nodeAffinity: dict[str, Any] | None = None
    podAffinity: dict[str, Any] | None = None
    podAntiAffinity: dict[str, Any] | None = None


class Port(StrictModel):
    port: int = Field(ge=1, le=65535)
    target_port: int = Field(ge=1, le=65535)


ServiceType = Literal["ExternalName", "ClusterIP", "NodePort", "LoadBalancer"]


class TaskSpecBase(StrictModel):
    function: NonEmpty = Field(description="the function by name, or `<kind>://<project>/<name>[:<id>]`")
    volumes: list[Volume] | None = None
    envs: list[Env] | None = None
    resources: Resources | None = None
    secrets: list[NonEmpty] | None = None
    profile: NonEmpty | None = None
    node_selector: list[NodeSelector] | None = None
    affinity: Affinity | None = None
    tolerations: list[Toleration] | None = None


class _Job(StrictModel):
    backoff_limit: int | None = Field(None, ge=0)
    schedule: Cron | None = Field(None, description="cron: minute hour day month weekday, or @daily …")


class _Security(StrictModel):
    run_as_user: int | None = Field(None, ge=1)
    run_as_group: int | None = Field(None, ge=1)
    fs_group: int | None = Field(None, ge=1)


class _Service(StrictModel):
    service_type: ServiceType | None = None
    service_name: NonEmpty | None = None


class PythonJobSpec(TaskSpecBase, _Job):
    pass


class BuildSpec(TaskSpecBase):
    instructions: list[str] | None = None


class PythonServeSpec(TaskSpecBase, _Service):
    replicas: int | None = Field(None, ge=0)


class ContainerJobSpec(TaskSpecBase, _Job, _Security):
    pass


class ContainerDeploySpec(TaskSpecBase, _Security):
    replicas: int | None = Field(None, ge=0)


class ContainerServeSpec(TaskSpecBase, _Security, _Service):
    replicas: int | None = Field(None, ge=1)
    service_ports: list[Port] | None = None


class DbtTransformSpec(TaskSpecBase):
    pass


TASK_SPECS: dict[str, type[StrictModel]] = {
    "python+job": PythonJobSpec,
    "python+build": BuildSpec,
    "python+serve": PythonServeSpec,
    "container+job": ContainerJobSpec,
    "container+build": BuildSpec,
    "container+deploy": ContainerDeploySpec,
    "container+serve": ContainerServeSpec,
    "dbt+transform": DbtTransformSpec,
}

# Fields dhsync accepts that DHCore 0.15's task schemas do not have.
DHSYNC_ONLY_TASK_FIELDS: frozenset[str] = frozenset(
    {"node_selector", "affinity", "tolerations", "backoff_limit", "schedule"}
)
DHSYNC_ONLY_ENV_FIELDS: frozenset[str] = frozenset({"secret"})
