"""The generated check a `contract` task runs, deployed as a workspace file."""
from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

from generators.contract_check import render_contract_check
from pilotfactory.catalog.model.pilot import DataContract

from .tf import Resource, Scope

__all__ = ["ContractCheckProps", "ContractCheck"]


@dataclass(frozen=True, kw_only=True)
class ContractCheckProps:
    contract: DataContract
    path: str              # workspace path, without the /Workspace prefix
    source: str            # repository-relative pilot file, written into the script's header
    folder: Any            # the PilotFolder the file lives below


class ContractCheck(Scope):
    def __init__(self, scope: Scope, id: str, props: ContractCheckProps):
        super().__init__(scope, id)
        self.script = render_contract_check(props.contract, source=props.source)
        self.resource = Resource(self, "Resource", "databricks_workspace_file", {
            "path": props.path,
            "content_base64": base64.b64encode(self.script.encode("utf-8")).decode("ascii"),
        }, depends_on=props.folder.dependants_wait_for)

    @property
    def workspace_path(self) -> str:
        """Reference to the /Workspace/... path a spark_python_task with source WORKSPACE runs."""
        return self.resource.attr("workspace_path")
