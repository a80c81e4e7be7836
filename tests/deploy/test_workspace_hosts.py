"""Item 7: a workspace the `account` stack creates gives its URL to the other stacks through that
stack's state, and gets its metastore there first.

Citations are to databricks/terraform-provider-databricks at tag v1.99.0.
"""
from __future__ import annotations

import re

from .conftest import resources


def _host(stack: dict) -> str:
    (provider,) = stack["provider"]["databricks"]
    return provider["host"]


def _env_stacks(stacks: dict, env_name: str) -> dict[str, dict]:
    return {k: v for k, v in stacks.items() if k == f"platform-{env_name}" or
            (k.endswith(f"-{env_name}") and not k.startswith("platform-"))}


def test_new_workspaces_take_their_url_from_the_account_stack(catalog_and_stacks):
    """docs/resources/mws_workspaces.md: `workspace_url` is exported once the workspace exists; the
    URL is not derivable from `deployment_name` (an account may carry a deployment-name prefix)."""
    catalog, stacks = catalog_and_stacks
    account = stacks["account"]
    created = [n for n, e in catalog.environments.environments.items() if e.workspace.create is not None]
    assert created
    account_state = account["terraform"]["backend"]
    for env_name in created:
        (mws_name,) = [k for k, v in resources(account, "databricks_mws_workspaces").items()
                       if v["workspace_name"] == catalog.environments.environments[env_name].workspace.create.workspace_name]
        output = account["output"][f"workspace_url_{env_name}"]
        assert output["value"] == f"${{databricks_mws_workspaces.{mws_name}.workspace_url}}"
        for stack_id, stack in _env_stacks(stacks, env_name).items():
            match = re.fullmatch(r"\$\{data\.terraform_remote_state\.([^.]+)\.outputs\.(\w+)\}", _host(stack))
            assert match and match.group(2) == f"workspace_url_{env_name}", (stack_id, _host(stack))
            state = stack["data"]["terraform_remote_state"][match.group(1)]
            ((kind, config),) = account_state.items()
            assert state["backend"] == kind, stack_id
            for key in {"path", "bucket", "key", "region", "prefix", "container_name"} & set(config):
                assert state["config"][key] == config[key], (stack_id, key)


def test_existing_workspaces_keep_their_configured_host(catalog_and_stacks):
    catalog, stacks = catalog_and_stacks
    for env_name, env in catalog.environments.environments.items():
        if env.workspace.create is None:
            for stack_id, stack in _env_stacks(stacks, env_name).items():
                assert _host(stack) == env.workspace.url, stack_id
                assert "terraform_remote_state" not in stack.get("data", {}), stack_id


def test_each_new_workspace_gets_the_metastore_in_the_account_stack(catalog_and_stacks):
    """docs/resources/metastore_assignment.md:31-32 `metastore_id` and `workspace_id` (both required)."""
    catalog, stacks = catalog_and_stacks
    account = stacks["account"]
    workspaces = resources(account, "databricks_mws_workspaces")
    assignments = list(resources(account, "databricks_metastore_assignment").values())
    assert len(assignments) == len(workspaces)
    for assignment in assignments:
        assert assignment["metastore_id"] == catalog.environments.account.metastore_id
        name = assignment["workspace_id"].split(".")[1]
        assert name in workspaces
