"""Items 5 and 6: what the stacks do not own is looked up; managed groups live at account level.

Citations are to databricks/terraform-provider-databricks at tag v1.99.0.
"""
from __future__ import annotations

import re

from .conftest import pilot_stacks, resources


def _data(stack: dict, type_: str) -> dict[str, dict]:
    return stack.get("data", {}).get(type_, {})


def test_each_pilot_stack_looks_up_its_run_as_principal_groups_catalog_and_warehouse(catalog_and_stacks):
    """docs/data-sources/service_principal.md, group.md, catalog.md, sql_warehouse.md: each fails the
    plan when the object does not exist, before anything is applied."""
    catalog, stacks = catalog_and_stacks
    by_stack = {rp.stack_id: rp for rp in catalog.pilots}
    for stack_id, stack in pilot_stacks(stacks).items():
        rp = by_stack[stack_id]
        sps = [v["application_id"] for v in _data(stack, "databricks_service_principal").values()]
        assert sps == [rp.env.run_as.application_id]
        groups = {v["display_name"] for v in _data(stack, "databricks_group").values()}
        owners = rp.pilot.owners
        assert groups == {owners.builders, owners.approvers, owners.on_call_group, rp.platform_admins} - {None}
        # the catalog the pilot's data lives in: restricted pilots' is the environment's restricted_catalog
        assert [v["name"] for v in _data(stack, "databricks_catalog").values()] == [rp.catalog]
        warehouses = [v["id"] for v in _data(stack, "databricks_sql_warehouse").values()]
        assert warehouses == ([rp.env.sql_warehouse_id] if rp.env.sql_warehouse_id else [])


def test_no_workspace_stack_creates_a_group(catalog_and_stacks):
    """docs/resources/group.md: a group made by a workspace-level provider is workspace-local, and
    Unity Catalog grants (docs/resources/grants.md) need account-level principals."""
    catalog, stacks = catalog_and_stacks
    for stack_id, stack in stacks.items():
        if stack_id != "account":
            assert not resources(stack, "databricks_group"), stack_id


def test_managed_groups_are_made_filled_and_assigned_in_the_account_stack(catalog_and_stacks):
    """docs/resources/mws_permission_assignment.md:8 account-level provider, :73-75 workspace_id,
    principal_id, permissions; docs/resources/group_member.md:44-45 group_id and member_id (SCIM ids)."""
    catalog, stacks = catalog_and_stacks
    account = stacks["account"]
    managed = {n: g for n, g in catalog.roles.groups.items() if g.managed}
    groups = {v["display_name"]: name for name, v in resources(account, "databricks_group").items()}
    assert set(groups) == set(managed)
    assert not {n for n, g in catalog.roles.groups.items() if not g.managed} & set(groups)
    users = {name: v["user_name"] for name, v in _data(account, "databricks_user").items()}
    members = {}
    for v in resources(account, "databricks_group_member").values():
        group = v["group_id"].split(".")[1]
        user = v["member_id"].removeprefix("${data.").split(".")[1]
        members.setdefault(group, set()).add(users[user])
    for display, name in groups.items():
        assert members.get(name, set()) == set(managed[display].members)
    assigned = {}
    for v in resources(account, "databricks_mws_permission_assignment").values():
        assert v["permissions"] == ["USER"]
        group = re.search(r"databricks_group\.([^.]+)\.id", v["principal_id"]).group(1)
        assigned.setdefault(group, set()).add(str(v["workspace_id"]))
    for name in groups.values():
        assert len(assigned[name]) == len(catalog.environments.environments)
