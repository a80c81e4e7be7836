"""One entry per principal in every access list, at the highest level any of its roles gives.

Citations are to databricks/terraform-provider-databricks at tag v1.99.0. `access_control` is a set
hashed on every non-empty field, the level included (permissions/resource_permissions.go:189-209),
so two entries for one group at different levels both reach the one Permissions.Set call
(:41-45); the read keeps one entry per direct level the API returns
(permissions/permission_definitions.go:240-250), and the API holds one level per principal: the
plan never converges (issue #1750, "only one permission is applied", closed as invalid usage).
"""
from __future__ import annotations

from collections import Counter

from pilotfactory.tfjson.objects import object_of_argument, rank
from tests.stacks.conftest import FRAUD, KYC, ROLES, make_catalog

from .conftest import pilot_stacks, resources, synth_all



def _principal(entry: dict) -> tuple[str, str]:
    return next((k, v) for k, v in entry.items() if k.endswith("_name"))


def _one_group_everywhere(pilot: dict, group: str) -> dict:
    """builders, approvers and on-call all one group, which also administers the platform."""
    owners = {**pilot["owners"], "builders": group, "approvers": group, "on_call_group": group}
    return {**pilot, "owners": owners}


def test_one_group_in_every_role_gets_one_entry_at_its_highest_level(tmp_path):
    group = ROLES["platform_admins"]
    catalog = make_catalog(pilots=(_one_group_everywhere(KYC, group), _one_group_everywhere(FRAUD, group)))
    stacks = synth_all(catalog, "cdktf", str(tmp_path))
    by_stack = {rp.stack_id: rp for rp in catalog.pilots}
    seen = 0
    for stack_id, stack in pilot_stacks(stacks).items():
        rp = by_stack[stack_id]
        access = rp.env.job_access
        for perm in resources(stack, "databricks_permissions").values():
            entries = perm["access_control"]
            counts = Counter(_principal(e) for e in entries)
            assert all(n == 1 for n in counts.values()), (stack_id, counts)
            kind = next(object_of_argument(k) for k in perm if object_of_argument(k))
            levels = [e["permission_level"] for e in entries if e.get("group_name") == group]
            # on jobs: its highest role, never lower than any single role would give
            if kind.key == "job":
                (level,) = levels
                roles = [access.builders, access.approvers, access.on_call]
                assert rank(level, kind) >= max(rank(r, kind) for r in roles), (stack_id, level)
            if kind.key == "directory":
                assert levels == ["CAN_MANAGE"], (stack_id, levels)  # the platform admins manage every folder
            seen += 1
    assert seen


def test_every_access_list_names_each_principal_once(catalog_and_stacks):
    _, stacks = catalog_and_stacks
    for stack_id, stack in stacks.items():
        for name, perm in resources(stack, "databricks_permissions").items():
            counts = Counter(_principal(e) for e in perm["access_control"])
            assert max(counts.values()) == 1, (stack_id, name, counts)
