"""A pilot's secret scope: declared keys only; values are put by people, never by Terraform."""
from __future__ import annotations

from dataclasses import dataclass

from .tf import Resource, Scope

__all__ = ["SecretScopeProps", "SecretScope"]


@dataclass(frozen=True, kw_only=True)
class SecretScopeProps:
    name: str
    reader: str            # run-as service principal application id: READ
    admins: str            # platform admins group: MANAGE
    protected: bool = False  # prevent_destroy: deleting a scope deletes its secrets


class SecretScope(Scope):
    def __init__(self, scope: Scope, id: str, props: SecretScopeProps):
        super().__init__(scope, id)
        self.resource = Resource(self, "Resource", "databricks_secret_scope", {"name": props.name},
                                 prevent_destroy=props.protected)
        # Ids name the role, not the principal, so a new service principal is an update, not a new ACL id.
        self.reader_acl = Resource(self, "RunAsRead", "databricks_secret_acl", {
            "scope": self.name, "principal": props.reader, "permission": "READ"})
        self.admin_acl = Resource(self, "AdminsManage", "databricks_secret_acl", {
            "scope": self.name, "principal": props.admins, "permission": "MANAGE"})

    @property
    def name(self) -> str:
        return self.resource.attr("name")
