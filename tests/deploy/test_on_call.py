"""Item 6 (on-call): a rota's mailing list is a notification destination, never a workspace user.

Citations are to databricks/terraform-provider-databricks at tag v1.99.0.
"""
from __future__ import annotations

import re

from .conftest import pilot_stacks, resources


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
