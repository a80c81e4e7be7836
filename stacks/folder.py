"""The pilot's own workspace folder in one environment, outside /Shared, with its access list."""
from __future__ import annotations

from dataclasses import dataclass

from constructs import Construct

from pilotfactory.catalog.resolved import ResolvedPilot

from . import names
from .access import folder_access
from .engine import Engine
from .permissions import ObjectPermissions, PermissionsProps

__all__ = ["PilotFolderProps", "PilotFolder"]


@dataclass(frozen=True, kw_only=True)
class PilotFolderProps:
    pilot: ResolvedPilot


class PilotFolder(Construct):
    """Created first: the experiment API and alerts do not create a missing parent folder."""

    def __init__(self, scope: Construct, id: str, props: PilotFolderProps):
        super().__init__(scope, id)
        rp = props.pilot
        self.path = names.pilot_folder(rp)
        engine = Engine.of(scope, child=self)
        # Its files, alerts and dashboard are what prod runs and reviewers read: no destroy by accident there.
        lifecycle = engine.TerraformResourceLifecycle(prevent_destroy=True) if rp.env.protected else None
        # mkdirs creates the missing parents; delete_recursive stays false so a destroy never empties it.
        self.resource = engine.databricks("directory").Directory(self, "Resource", path=self.path, lifecycle=lifecycle)
        self.permissions = ObjectPermissions(self, "Permissions", PermissionsProps(
            object_type="directory", object_id=self.resource.path, entries=folder_access(rp)))

    @property
    def dependants_wait_for(self) -> list:
        """What an object placed in the folder depends on: the folder and its access list."""
        return [self.resource, self.permissions.resource]
