"""Item 6 (on-call): a rota's mailing list is a notification destination, never a workspace user.

Citations are to databricks/terraform-provider-databricks at tag v1.99.0.
"""
from __future__ import annotations

import re

from .conftest import pilot_stacks, resources, synth_all


def test_alerts_notify_on_call_through_a_destination(catalog_and_stacks):
    """docs/resources/notification_destination.md:80-83 `display_name` and `config.email.addresses`;
    an alert v2 subscription names either a `user_email` (a workspace user) or a `destination_id`."""
    catalog, stacks = catalog_and_stacks
    by_stack = {rp.stack_id: rp for rp in catalog.pilots}
    seen = 0
    for stack_id, stack in pilot_stacks(stacks).items():
        destinations = resources(stack, "databricks_notification_destination")
        for alert in resources(stack, "databricks_alert_v2").values():
            seen += 1
            for subscription in alert["evaluation"]["notification"]["subscriptions"]:
                assert "user_email" not in subscription, stack_id
                name = re.fullmatch(r"\$\{databricks_notification_destination\.([^.]+)\.id\}",
                                    subscription["destination_id"]).group(1)
                assert destinations[name]["config"]["email"]["addresses"] == [by_stack[stack_id].pilot.owners.on_call]
    assert seen or not any(rp.env.sql_warehouse_id for rp in catalog.pilots)


def test_the_runbook_still_names_who_hears_each_alert(stacks):
    from pilotfactory.tfjson.stackfacts import StackFacts

    for stack_id, stack in pilot_stacks(stacks).items():
        for alert in StackFacts(stack_id, stack).alerts():
            assert alert["notify"] and all("@" in who for who in alert["notify"]), stack_id


def _on_call_entries(stack: dict, group: str) -> list[dict]:
    return [entry for perm in resources(stack, "databricks_permissions").values()
            for entry in perm["access_control"] if entry.get("group_name") == group]


def test_on_call_is_granted_through_its_group_never_as_a_user(catalog_and_stacks):
    """docs/resources/permissions.md:1031-1035: exactly one of `user_name` (a workspace user),
    `service_principal_name` or `group_name` names an entry's principal; a rota's mailing list is no
    workspace user, so on-call is granted to `owners.on_call_group` by `group_name`."""
    catalog, stacks = catalog_and_stacks
    by_stack = {rp.stack_id: rp for rp in catalog.pilots}
    for stack_id, stack in pilot_stacks(stacks).items():
        owners = by_stack[stack_id].pilot.owners
        for perm in resources(stack, "databricks_permissions").values():
            assert all(e.get("user_name") != owners.on_call for e in perm["access_control"]), stack_id
            assert not any("user_name" in e for e in perm["access_control"]), stack_id
        assert _on_call_entries(stack, owners.on_call_group), stack_id
        # docs/data-sources/group.md: the group is read, so a missing one fails the plan early
        looked_up = {v["display_name"] for v in stack["data"]["databricks_group"].values()}
        assert owners.on_call_group in looked_up, stack_id


def test_a_pilot_without_an_on_call_group_grants_on_call_nothing(tmp_path):
    """Where validate lets the group be left out (dev only, one slot), no entry names on-call at all."""
    from tests.stacks.conftest import FRAUD, make_catalog

    fraud = {**FRAUD, "phase": "pilot", "owners": {k: v for k, v in FRAUD["owners"].items() if k != "on_call_group"}}
    catalog = make_catalog(pilots=[fraud])
    (rp,) = catalog.pilots
    stacks = synth_all(catalog, "cdktf", str(tmp_path))
    entries = [e for perm in resources(stacks[rp.stack_id], "databricks_permissions").values()
               for e in perm["access_control"]]
    groups = {e["group_name"] for e in entries if "group_name" in e}
    assert groups == {FRAUD["owners"]["builders"], FRAUD["owners"]["approvers"], rp.platform_admins}
    assert not any("user_name" in e for e in entries)


def test_a_blue_green_pilot_gives_the_on_call_group_its_emergency_rights(catalog_and_stacks):
    """pilotfactory/catalog/emergency_access.py: the emergency rollback needs CAN_MANAGE on jobs and endpoint."""
    from pilotfactory.catalog.emergency_access import EMERGENCY_LEVEL

    catalog, stacks = catalog_and_stacks
    seen = 0
    for rp in catalog.pilots:
        if not rp.blue_green:
            continue
        stack = stacks[rp.stack_id]
        for perm in resources(stack, "databricks_permissions").values():
            kind = next((k for k in ("job", "serving_endpoint") if f"{k}_id" in perm), None)
            # housekeeping jobs (retention, pilot_metrics) are never moved by a rollback: no emergency level
            if kind is None or "housekeeping_" in str(perm.get("job_id")):
                continue
            levels = [e["permission_level"] for e in perm["access_control"]
                      if e.get("group_name") == rp.pilot.owners.on_call_group]
            assert levels == [EMERGENCY_LEVEL[kind]], (rp.stack_id, kind, levels)
            seen += 1
    assert seen
