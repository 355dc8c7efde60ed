"""dhsync: GitOps for DigitalHub functions, tasks and runs."""

from __future__ import annotations

__version__ = "0.1.0"
