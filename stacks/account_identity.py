"""Account-level groups the platform owns, their members, and their assignment to each workspace.

Unity Catalog grants need account-level principals: a group made by a workspace-level provider is
workspace-local, and `databricks_grants` cannot find it. So managed groups (config/roles.yaml,
`managed: true`) are made here with the account-level provider, filled from roles.yaml, and
assigned to every environment's workspace; identity-provider groups are never created.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from constructs import Construct

from pilotfactory.catalog.model.config import Roles

from .engine import Engine

__all__ = ["AccountGroupsProps", "AccountGroups"]


@dataclass(frozen=True, kw_only=True)
class AccountGroupsProps:
    roles: Roles
    workspace_ids: Mapping[str, Any]   # environment -> workspace id (a number, or a token of a new workspace)


class AccountGroups(Construct):
    def __init__(self, scope: Construct, id: str, props: AccountGroupsProps):
        super().__init__(scope, id)
        engine = Engine.of(scope, child=self)
        group_cls = engine.databricks("group").Group
        member_cls = engine.databricks("group_member").GroupMember
        user_ds = engine.databricks("data_databricks_user").DataDatabricksUser
        assign = engine.databricks("mws_permission_assignment").MwsPermissionAssignment
        managed = sorted((n, g) for n, g in props.roles.groups.items() if g.managed)
        # One lookup per person: an unknown e-mail fails the plan with the provider's message.
        people = Construct(self, "users")
        user_ids = {email: user_ds(people, email, user_name=email).id
                    for email in sorted({m for _, g in managed for m in g.members})}
        self.groups = {}
        for name, spec in managed:
            scope_ = Construct(self, name)
            group = group_cls(scope_, "Resource", display_name=name)
            self.groups[name] = group
            # Each token read once per group: every read is a jsii call, and this stack grows with the catalog.
            group_id = group.id
            for email in sorted(spec.members):
                member_cls(scope_, f"member-{email}", group_id=group_id, member_id=user_ids[email])
            # principal_id is a number in the provider schema; the group's SCIM id is one.
            principal_id = engine.Token.as_number(group_id) if props.workspace_ids else None
            for env_name, workspace_id in props.workspace_ids.items():
                assign(scope_, f"workspace-{env_name}", workspace_id=workspace_id,
                       principal_id=principal_id, permissions=["USER"])
