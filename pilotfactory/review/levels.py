"""Permission levels and their order, per object type: what counts as more access."""
from __future__ import annotations

__all__ = ["LEVELS", "SECRET_ACL", "rank", "EVERYONE", "is_everyone"]

# Lowest first. Databricks documents these per object; a level outside the table ranks by _GENERIC.
LEVELS: dict[str, tuple[str, ...]] = {
    "job": ("CAN_VIEW", "CAN_MANAGE_RUN", "CAN_MANAGE", "IS_OWNER"),
    "cluster policy": ("CAN_USE",),
    "experiment": ("CAN_READ", "CAN_EDIT", "CAN_MANAGE"),
    "serving endpoint": ("CAN_VIEW", "CAN_QUERY", "CAN_MANAGE"),
    "cluster": ("CAN_ATTACH_TO", "CAN_RESTART", "CAN_MANAGE"),
    "notebook": ("CAN_READ", "CAN_RUN", "CAN_EDIT", "CAN_MANAGE"),
    "directory": ("CAN_READ", "CAN_RUN", "CAN_EDIT", "CAN_MANAGE"),
    "SQL warehouse": ("CAN_VIEW", "CAN_MONITOR", "CAN_USE", "CAN_MANAGE", "IS_OWNER"),
    "pipeline": ("CAN_VIEW", "CAN_RUN", "CAN_MANAGE", "IS_OWNER"),
    "model": ("CAN_READ", "CAN_EDIT", "CAN_MANAGE_STAGING_VERSIONS", "CAN_MANAGE_PRODUCTION_VERSIONS",
              "CAN_MANAGE"),
}
SECRET_ACL = ("READ", "WRITE", "MANAGE")

_GENERIC = {"CAN_VIEW": 1, "CAN_READ": 1, "READ": 1, "CAN_MONITOR": 1, "CAN_QUERY": 2, "CAN_USE": 2,
            "CAN_RUN": 2, "CAN_ATTACH_TO": 2, "WRITE": 2, "CAN_MANAGE_RUN": 3, "CAN_EDIT": 3,
            "CAN_RESTART": 3, "CAN_MANAGE": 4, "MANAGE": 4, "IS_OWNER": 5}

# Principals that mean everyone in the workspace or account: any grant to them is broadening.
EVERYONE = frozenset({"users", "account users"})


def rank(level: str, object_kind: str | None = None) -> int:
    order = LEVELS.get(object_kind or "", ())
    if level in order:
        return order.index(level) + 1
    if level in SECRET_ACL and object_kind == "secret scope":
        return SECRET_ACL.index(level) + 1
    return _GENERIC.get(level, 0)


def is_everyone(principal: str) -> bool:
    return principal.strip().lower() in EVERYONE
