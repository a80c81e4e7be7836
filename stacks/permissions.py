"""`databricks_permissions` on one workspace object, checked against the levels that object accepts."""
from __future__ import annotations

from dataclasses import dataclass

from pilotfactory.diagnostics.diagnostic import PilotFactoryError
from pilotfactory.tfjson.objects import object_of_key

from .access import VALID_LEVELS, AccessEntry
from .tf import Resource, Scope

__all__ = ["PermissionsProps", "ObjectPermissions"]

@dataclass(frozen=True, kw_only=True)
class PermissionsProps:
    object_type: str          # a key of access.VALID_LEVELS
    object_id: str            # usually a reference to the object's id
    entries: tuple[AccessEntry, ...]


class ObjectPermissions(Scope):
    """The complete access list of one object: Terraform removes any entry not listed here."""

    def __init__(self, scope: Scope, id: str, props: PermissionsProps):
        super().__init__(scope, id)
        valid = VALID_LEVELS[props.object_type]
        bad = [e for e in props.entries if e.level not in valid]
        if bad:
            raise PilotFactoryError(
                f"{self.node_path}: {', '.join(e.level for e in bad)} is not a permission level of a "
                f"{props.object_type} (valid: {', '.join(sorted(valid))})")
        owners = [e for e in props.entries if e.level == "IS_OWNER"]
        if props.object_type == "job" and len(owners) != 1:
            raise PilotFactoryError(f"{self.node_path}: a job needs exactly one IS_OWNER, got {len(owners)}")
        self.resource = Resource(self, "Resource", "databricks_permissions", {
            "access_control": [{"permission_level": e.level, f"{e.principal.kind}_name": e.principal.name}
                               for e in props.entries],
            object_of_key(props.object_type).arguments[0]: props.object_id,
        })
