"""The pilot's own workspace folder in one environment, outside /Shared, with its access list."""
from __future__ import annotations

from dataclasses import dataclass

from pilotfactory.catalog.resolved import ResolvedPilot

from . import names
from .access import folder_access
from .permissions import ObjectPermissions, PermissionsProps
from .tf import Resource, Scope

__all__ = ["PilotFolderProps", "PilotFolder"]


@dataclass(frozen=True, kw_only=True)
class PilotFolderProps:
    pilot: ResolvedPilot


class PilotFolder(Scope):
    """Created first: the experiment API and alerts do not create a missing parent folder."""

    def __init__(self, scope: Scope, id: str, props: PilotFolderProps):
        super().__init__(scope, id)
        rp = props.pilot
        self.path = names.pilot_folder(rp)
        # Its files, alerts and dashboard are what prod runs and reviewers read: no destroy by accident there.
        # mkdirs creates the missing parents; delete_recursive stays false so a destroy never empties it.
        self.resource = Resource(self, "Resource", "databricks_directory", {"path": self.path},
                                 prevent_destroy=rp.env.protected)
        self.permissions = ObjectPermissions(self, "Permissions", PermissionsProps(
            object_type="directory", object_id=self.resource.attr("path"), entries=folder_access(rp)))

    @property
    def dependants_wait_for(self) -> list[Resource]:
        """What an object placed in the folder depends on: the folder and its access list."""
        return [self.resource, self.permissions.resource]
