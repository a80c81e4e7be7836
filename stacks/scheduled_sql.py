"""A pilot's housekeeping job: one SQL file in the pilot folder, run on a schedule by a `databricks_job`
with one `sql_task` on the environment's SQL warehouse, as the pilot's run-as principal."""
from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

from pilotfactory.catalog.resolved import ResolvedPilot

from . import names
from .access import pilot_access
from .permissions import ObjectPermissions, PermissionsProps
from .tf import Resource, Scope

__all__ = ["ScheduledSqlProps", "ScheduledSql", "HOUSEKEEPING_TIMEOUT_SECONDS"]

# A housekeeping statement that runs an hour is stuck; the next day's run starts clean.
HOUSEKEEPING_TIMEOUT_SECONDS = 3600


@dataclass(frozen=True, kw_only=True)
class ScheduledSqlProps:
    pilot: ResolvedPilot
    key: str            # catalog-key id: the job name's suffix, the task key and the file name
    description: str
    sql: str
    cron: str           # Quartz, read in UTC
    warehouse_id: str   # the environment's sql_warehouse_id
    folder: Any         # the PilotFolder the SQL file lives in


class ScheduledSql(Scope):
    def __init__(self, scope: Scope, id: str, props: ScheduledSqlProps):
        super().__init__(scope, id)
        rp = props.pilot
        self.sql = props.sql
        self.file = Resource(self, "File", "databricks_workspace_file", {
            "path": names.housekeeping_file_path(rp, props.key),
            "content_base64": base64.b64encode(props.sql.encode("utf-8")).decode("ascii"),
        }, depends_on=props.folder.dependants_wait_for)
        self.resource = Resource(self, "Resource", "databricks_job", {
            "name": names.housekeeping_job_name(rp, props.key),
            "description": props.description,
            "task": [{"task_key": props.key, "sql_task": {
                "warehouse_id": props.warehouse_id,
                "file": {"path": self.file.attr("workspace_path"), "source": "WORKSPACE"}}}],
            "schedule": {"quartz_cron_expression": props.cron, "timezone_id": "UTC", "pause_status": "UNPAUSED"},
            "run_as": {"service_principal_name": rp.env.run_as.application_id},
            "max_concurrent_runs": 1,
            "timeout_seconds": HOUSEKEEPING_TIMEOUT_SECONDS,
            "tags": dict(rp.tags),
            "email_notifications": {"on_failure": [rp.pilot.owners.on_call]},
        })
        self.permissions = ObjectPermissions(self, "Permissions", PermissionsProps(
            object_type="job", object_id=self.resource.id, entries=pilot_access(rp, "job", emergency=False)))
