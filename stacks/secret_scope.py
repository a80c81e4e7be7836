"""A pilot's secret scope: declared keys only; values are put by people, never by Terraform."""
from __future__ import annotations

from dataclasses import dataclass

from constructs import Construct

from .engine import Engine

__all__ = ["SecretScopeProps", "SecretScope"]


@dataclass(frozen=True, kw_only=True)
class SecretScopeProps:
    name: str
    reader: str            # run-as service principal application id: READ
    admins: str            # platform admins group: MANAGE
    protected: bool = False  # prevent_destroy: deleting a scope deletes its secrets


class SecretScope(Construct):
    def __init__(self, scope: Construct, id: str, props: SecretScopeProps):
        super().__init__(scope, id)
        engine = Engine.of(scope, child=self)
        lifecycle = engine.TerraformResourceLifecycle(prevent_destroy=True) if props.protected else None
        self.resource = engine.databricks("secret_scope").SecretScope(
            self, "Resource", name=props.name, lifecycle=lifecycle)
        acl = engine.databricks("secret_acl").SecretAcl
        # Ids name the role, not the principal, so a new service principal is an update, not a new ACL id.
        self.reader_acl = acl(self, "RunAsRead", scope=self.resource.name,
                              principal=props.reader, permission="READ")
        self.admin_acl = acl(self, "AdminsManage", scope=self.resource.name,
                             principal=props.admins, permission="MANAGE")

    @property
    def name(self) -> str:
        return self.resource.name
