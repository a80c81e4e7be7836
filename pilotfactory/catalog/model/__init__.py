"""The catalog's typed model. Knows nothing of cdktf or Terraform."""
from pilotfactory.catalog.model.fields import API_VERSION, PHASES
from pilotfactory.catalog.model.config import (
    DEFAULT_ACCESS, Environment, Environments, Gates, Roles, SizeTier, Standards, Template,
)
from pilotfactory.catalog.model.pilot import Job, Overlay, Pilot, PilotDefaults, Task

__all__ = [
    "API_VERSION", "PHASES", "DEFAULT_ACCESS", "Environment", "Environments", "Gates", "Roles",
    "SizeTier", "Standards", "Template", "Job", "Overlay", "Pilot", "PilotDefaults", "Task",
]
