"""Pure planning: desired + actual -> Plan. No I/O, no printing."""

from __future__ import annotations

from dhsync.plan.make import make_plan

__all__ = ["make_plan"]
