"""Account-level groups the platform owns, their members, and their assignment to each workspace.

Unity Catalog grants need account-level principals: a group made by a workspace-level provider is
workspace-local, and `databricks_grants` cannot find it. So managed groups (config/roles.yaml,
`managed: true`) are made here with the account-level provider, filled from roles.yaml, and
assigned to every environment's workspace; identity-provider groups are never created.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from pilotfactory.catalog.model.config import Roles

from .tf import DataSource, Resource, Scope

__all__ = ["AccountGroupsProps", "AccountGroups"]


@dataclass(frozen=True, kw_only=True)
class AccountGroupsProps:
    roles: Roles
    workspace_ids: Mapping[str, Any]   # environment -> workspace id (a number, or a token of a new workspace)


class AccountGroups(Scope):
    def __init__(self, scope: Scope, id: str, props: AccountGroupsProps):
        super().__init__(scope, id)
        managed = sorted((n, g) for n, g in props.roles.groups.items() if g.managed)
        # One lookup per person: an unknown e-mail fails the plan with the provider's message.
        people = Scope(self, "users")
        user_ids = {email: DataSource(people, email, "databricks_user", {"user_name": email}).id
                    for email in sorted({m for _, g in managed for m in g.members})}
        self.groups = {}
        for name, spec in managed:
            scope_ = Scope(self, name)
            group = Resource(scope_, "Resource", "databricks_group", {"display_name": name})
            self.groups[name] = group
            for email in sorted(spec.members):
                Resource(scope_, f"member-{email}", "databricks_group_member", {
                    "group_id": group.id, "member_id": user_ids[email]})
            # principal_id is a number in the provider schema; the group's SCIM id is one (Terraform
            # converts the referenced string).
            for env_name, workspace_id in props.workspace_ids.items():
                Resource(scope_, f"workspace-{env_name}", "databricks_mws_permission_assignment", {
                    "workspace_id": workspace_id, "principal_id": group.id, "permissions": ["USER"]})
