"""A serving endpoint's inference logging switched off or removed is a weakened control (PFR038),
failing by default in any environment: the endpoint then serves without a record of requests and
predictions, which its monitors, alerts and retention job read. Provider v1.99.0
docs/resources/model_serving.md:84-89 (`ai_gateway { inference_table_config { enabled = true ... } }`),
:261-262 (`enabled`, the flag that turns it on)."""
from __future__ import annotations

import copy

import pytest

from pilotfactory.review import build_review, exit_code
from pilotfactory.review.diff import resource_change, stack_ref

from .test_review_risks import assert_flagged, run, stack

LOGGED = {"name": "p-dev", "config": {"served_entities": [{"name": "blue", "entity_name": "dev.p.m",
                                                           "entity_version": "3"}]},
          "ai_gateway": {"inference_table_config": {"enabled": True, "catalog_name": "dev", "schema_name": "p",
                                                    "table_name_prefix": "inference"}}}


def endpoint(**gateway) -> dict:
    body = copy.deepcopy(LOGGED)
    if gateway.get("drop"):
        del body["ai_gateway"]
    else:
        body["ai_gateway"]["inference_table_config"].update(gateway)
    return stack(databricks_model_serving={"e": body})


@pytest.mark.parametrize("head", [endpoint(enabled=False), endpoint(drop=True)], ids=["disabled", "removed"])
def test_inference_logging_off_is_a_weakened_control(head):
    found = assert_flagged({"p-dev": endpoint()}, {"p-dev": head}, "PFR038", words="no longer recorded")
    assert found["kind"] == "broadening"


def test_inference_logging_turned_on_or_kept_is_not_flagged():
    for base, head in ((endpoint(enabled=False), endpoint()),
                       (endpoint(), endpoint(table_name_prefix="inference2"))):
        review, status, _, _ = run({"p-dev": base}, {"p-dev": head})
        assert [f for f in review.findings if f.rule_id == "PFR038"] == [] and status == 0


def test_a_plan_with_one_item_block_lists_is_read_too():
    """`terraform show -json` writes nested blocks as lists."""
    as_plan = lambda v: {**v, "ai_gateway": [{"inference_table_config": [v["ai_gateway"]["inference_table_config"]]}]}  # noqa: E731
    off = copy.deepcopy(LOGGED)
    off["ai_gateway"]["inference_table_config"]["enabled"] = False
    change = resource_change(stack_ref("p-dev", {"dev": False}), "databricks_model_serving", "e",
                             as_plan(LOGGED), as_plan(off), "serving endpoint `p-dev`", action="update")
    review = build_review("state", "plan", [change], rates={})
    assert [f.rule_id for f in review.findings] == ["PFR038"] and exit_code(review, "broadening")[0] == 1
