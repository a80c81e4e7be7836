"""The pilot's MLflow experiment in one environment, with its permissions."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from constructs import Construct

from pilotfactory.catalog.resolved import ResolvedPilot

from . import names
from .access import pilot_access
from .engine import Engine
from .permissions import ObjectPermissions, PermissionsProps

__all__ = ["ExperimentProps", "Experiment"]


@dataclass(frozen=True, kw_only=True)
class ExperimentProps:
    pilot: ResolvedPilot
    folder: Any               # the PilotFolder the experiment lives in


class Experiment(Construct):
    def __init__(self, scope: Construct, id: str, props: ExperimentProps):
        super().__init__(scope, id)
        rp = props.pilot
        engine = Engine.of(scope, child=self)
        # Runs and metrics are audit evidence: a protected environment never loses them to a destroy.
        lifecycle = engine.TerraformResourceLifecycle(prevent_destroy=True) if rp.env.protected else None
        self.resource = engine.databricks("mlflow_experiment").MlflowExperiment(
            self, "Resource", name=names.experiment_name(rp), lifecycle=lifecycle,
            depends_on=props.folder.dependants_wait_for)
        self.permissions = ObjectPermissions(self, "Permissions", PermissionsProps(
            object_type="experiment", object_id=self.resource.id, entries=pilot_access(rp, "experiment")))
