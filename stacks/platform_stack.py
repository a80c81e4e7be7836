"""The `platform-<env>` stack: guardrails shared by every pilot of one environment."""
from __future__ import annotations

from typing import Any

from pilotfactory.catalog.resolved import ResolvedCatalog

from . import names
from .backend import add_backend
from .access import AccessEntry, Principal
from .permissions import ObjectPermissions, PermissionsProps
from .policy import ClusterPolicy, ClusterPolicyProps, PolicyRules
from .tf import Resource, Scope, Stack
from .workspace_host import workspace_host
from .artifact_allowlist import ArtifactAllowlists, allowlist_environment
from .workspace_security import WorkspaceSecurity, WorkspaceSecurityProps

__all__ = ["define_platform_stack"]


def define_platform_stack(app: Any, catalog: ResolvedCatalog, env_name: str) -> Any:
    env = catalog.environments.environments[env_name]
    stack_id = names.platform_stack(env_name)
    stack = Stack(app, stack_id)
    add_backend(stack, env.backend, stack_id)
    stack.provider({"host": workspace_host(stack, env_name, env, catalog.environments.account_backend)})

    # Namespaces keep tier names and group names from ever colliding as construct ids.
    policies = Scope(stack, "policies")
    for tier_name, tier in catalog.standards.sizes.items():
        ClusterPolicy(policies, tier_name, ClusterPolicyProps(
            name=f"{stack_id}-{tier_name}",
            description=f"Pilot Factory baseline for size {tier_name} in {env_name} (config/standards.yaml)",
            rules=PolicyRules.baseline(catalog.standards, tier, env_name),
            libraries=catalog.standards.libraries,
        ))
    # The root of every pilot folder: only the platform admins manage it, nothing is inherited from /Shared.
    root = Scope(stack, "folder")
    directory = Resource(root, "Resource", "databricks_directory", {"path": names.WORKSPACE_ROOT},
                         prevent_destroy=env.protected)
    ObjectPermissions(root, "Permissions", PermissionsProps(
        object_type="directory", object_id=directory.attr("path"), entries=(AccessEntry(
            principal=Principal(kind="group", name=catalog.roles.platform_admins), level="CAN_MANAGE"),)))
    WorkspaceSecurity(stack, "security", WorkspaceSecurityProps(security=env.security))
    if catalog.standards.libraries is not None and env_name == allowlist_environment(catalog.environments):
        ArtifactAllowlists(stack, "artifact-allowlist", catalog.standards.libraries)
    # Managed groups are account-level (the `account` stack): a workspace-local group cannot be granted in UC.
    return stack.close()
