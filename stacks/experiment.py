"""The pilot's MLflow experiment in one environment, with its permissions."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pilotfactory.catalog.resolved import ResolvedPilot

from . import names
from .access import pilot_access
from .permissions import ObjectPermissions, PermissionsProps
from .tf import Resource, Scope

__all__ = ["ExperimentProps", "Experiment"]


@dataclass(frozen=True, kw_only=True)
class ExperimentProps:
    pilot: ResolvedPilot
    folder: Any               # the PilotFolder the experiment lives in


class Experiment(Scope):
    def __init__(self, scope: Scope, id: str, props: ExperimentProps):
        super().__init__(scope, id)
        rp = props.pilot
        # Runs and metrics are audit evidence: a protected environment never loses them to a destroy.
        self.resource = Resource(self, "Resource", "databricks_mlflow_experiment", {
            "name": names.experiment_name(rp)},
            depends_on=props.folder.dependants_wait_for, prevent_destroy=rp.env.protected)
        self.permissions = ObjectPermissions(self, "Permissions", PermissionsProps(
            object_type="experiment", object_id=self.resource.id, entries=pilot_access(rp, "experiment")))
