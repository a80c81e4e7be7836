"""Where a stack keeps its Terraform state: the environment's backend, one state per stack."""
from __future__ import annotations

import posixpath

from pilotfactory.catalog.model.config import (
    AzurermBackend, Backend, CloudBackend, GcsBackend, LocalBackend, S3Backend,
)

from .tf import Stack

__all__ = ["STACK_DIR_DEPTH", "local_state_path", "add_backend", "remote_state"]

# Terraform runs in <repo>/cdktf.out/stacks/<stack>/ (cdktf.json "output"), three levels below the repo.
STACK_DIR_DEPTH = 3


def local_state_path(directory: str, stack_id: str) -> str:
    """State file path relative to the stack's working directory, so no absolute path is synthesized."""
    return posixpath.join(*([".."] * STACK_DIR_DEPTH), directory.strip("/"), f"{stack_id}.tfstate")


def add_backend(scope: Stack, backend: Backend, stack_id: str) -> None:
    engine, stack = scope.engine, scope.tf
    match backend:
        case LocalBackend():
            engine.LocalBackend(stack, path=local_state_path(backend.directory, stack_id))
        case S3Backend():
            s3 = engine.S3Backend(
                stack, bucket=backend.bucket, key=f"{backend.key_prefix}/{stack_id}.tfstate",
                region=backend.region, encrypt=backend.encrypt, dynamodb_table=backend.dynamodb_table)
            if backend.dynamodb_table is None:
                # S3 native locking; cdktf 0.21 has no `use_lockfile` argument, so set it directly.
                s3.add_override("use_lockfile", True)
        case AzurermBackend():
            engine.AzurermBackend(
                stack, resource_group_name=backend.resource_group_name,
                storage_account_name=backend.storage_account_name,
                container_name=backend.container_name, key=f"{backend.key_prefix}/{stack_id}.tfstate")
        case GcsBackend():
            engine.GcsBackend(stack, bucket=backend.bucket, prefix=f"{backend.prefix}/{stack_id}")
        case CloudBackend():
            engine.CloudBackend(
                stack, organization=backend.organization, hostname=backend.hostname,
                workspaces=engine.NamedCloudWorkspace(name=stack_id, project=backend.project))
        case _:
            raise AssertionError(f"unknown backend {backend!r}")


def remote_state(stack: Stack, id: str, backend: Backend, stack_id: str):
    """Another stack's state, read through the same backend settings `add_backend` wrote for it
    (an engine element at the top of `stack`)."""
    engine, scope, id = stack.engine, stack.tf, stack.reserve(id)
    match backend:
        case LocalBackend():
            return engine.DataTerraformRemoteStateLocal(scope, id, path=local_state_path(backend.directory, stack_id))
        case S3Backend():
            return engine.DataTerraformRemoteStateS3(scope, id, bucket=backend.bucket,
                                                     key=f"{backend.key_prefix}/{stack_id}.tfstate",
                                                     region=backend.region)
        case AzurermBackend():
            return engine.DataTerraformRemoteStateAzurerm(
                scope, id, resource_group_name=backend.resource_group_name,
                storage_account_name=backend.storage_account_name, container_name=backend.container_name,
                key=f"{backend.key_prefix}/{stack_id}.tfstate")
        case GcsBackend():
            return engine.DataTerraformRemoteStateGcs(scope, id, bucket=backend.bucket,
                                                      prefix=f"{backend.prefix}/{stack_id}")
        case CloudBackend():
            return engine.DataTerraformRemoteState(
                scope, id, organization=backend.organization, hostname=backend.hostname,
                workspaces=engine.NamedCloudWorkspace(name=stack_id, project=backend.project))
        case _:
            raise AssertionError(f"unknown backend {backend!r}")
