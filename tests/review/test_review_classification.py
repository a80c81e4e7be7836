"""A pilot's data classification lowered is broadening (PFR037): restricted-catalog placement and
inference-table retention follow it. Read from the classification tag each stack's cluster policy
fixes (stacks/policy.py), so it works on synthesized stacks and plans alike."""
from __future__ import annotations

import pytest

from tests.review.test_review_risks import assert_flagged, policy, run, stack


def classified(level: str) -> dict:
    return stack(databricks_cluster_policy={"p": policy(**{"custom_tags.data_classification": {
        "type": "fixed", "value": level}})})


@pytest.mark.parametrize("was, now", [("restricted", "confidential"), ("confidential", "public"),
                                      ("internal", "public"), ("restricted", "secret-ish"),
                                      ("unheard-of", "restricted")])
def test_a_lower_or_unknown_classification_is_broadening(was, now):
    found = assert_flagged({"p-dev": classified(was)}, {"p-dev": classified(now)}, "PFR037")
    assert f"data classification {was} → {now}" in found["text"]


@pytest.mark.parametrize("was, now", [("public", "internal"), ("confidential", "restricted"),
                                      ("internal", "internal")])
def test_a_higher_classification_is_not(was, now):
    _, status, _, as_json = run({"p-dev": classified(was)}, {"p-dev": classified(now)})
    assert [f["rule"] for f in as_json["findings"] if f["kind"] == "broadening"] == [] and status == 0
