"""What the emergency rollback needs on each object, the one home of that fact.

The stacks grant it to on-call (stacks/access.py) and the emergency path checks the caller holds
it before it acts (pilotfactory/live/emergency.py). Databricks documents no level below CAN_MANAGE
that may edit a job's settings (its schedule pause state) or a serving endpoint's config (its
traffic); setting a Unity Catalog alias needs ownership of the model (or a metastore admin), which
on-call is not given: alias moves are left to the deploy when the caller lacks it.
"""
from __future__ import annotations

__all__ = ["EMERGENCY_LEVEL"]

# Terraform object type -> the permission level the emergency path needs on it.
EMERGENCY_LEVEL: dict[str, str] = {"job": "CAN_MANAGE", "serving_endpoint": "CAN_MANAGE"}
