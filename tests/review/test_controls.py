"""Weakened controls (issue 12): a quality monitor or artifact allowlist removed, an allowlist
widened, a policy's libraries removed are broadening with their own rule ids, failing by default,
not a generic destroy (PFR050). Facts: provider v1.99.0 catalog/resource_quality_monitor.go:132
(destroy deletes the monitor), catalog/resource_artifact_allowlist.go:100-103 (destroy sets the
list empty), docs/resources/cluster_policy.md:153-155 (a policy's libraries are installed on its clusters).
"""
from __future__ import annotations

import pytest

from .test_review_risks import assert_flagged, run, stack

MONITOR = {"table_name": "dev.p.inference_payload", "assets_dir": "/pilotfactory/p/dev/monitoring/inference",
           "output_schema_name": "dev.p", "inference_log": {"problem_type": "PROBLEM_TYPE_CLASSIFICATION"}}
ALLOW = {"artifact_type": "LIBRARY_JAR", "artifact_matcher": [
    {"artifact": "/Volumes/platform/libraries/approved/udfs-1.4.0.jar", "match_type": "PREFIX_MATCH"}]}
POLICY = {"name": "p-policy", "definition": "{}", "libraries": [{"pypi": {"package": "databricks-sdk==0.38.0"}},
                                                                   {"jar": "/Volumes/platform/libraries/approved/u.jar"}]}


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_a_quality_monitor_deleted_is_a_weakened_control_not_a_routine_destroy(env):
    base = {f"p-{env}": stack(databricks_quality_monitor={"m": MONITOR}, databricks_schema={"s": {"name": "p"}})}
    head = {f"p-{env}": stack(databricks_schema={"s": {"name": "p"}})}
    found = assert_flagged(base, head, "PFR034", words="nothing watches")
    assert "dev.p.inference_payload" in found["text"] and found["severity"] == "high"
    review = run(base, head)[0]
    assert [f.rule_id for f in review.findings if f.resource == "databricks_quality_monitor.m"] == ["PFR034"]


def test_a_quality_monitor_replaced_is_flagged_and_an_edit_is_not():
    """A plan may replace a monitor (`replace_paths`); a synthesized edit of its folder is an update."""
    from pilotfactory.review import build_review, exit_code
    from pilotfactory.review.diff import resource_change, stack_ref
    moved = {**MONITOR, "table_name": "dev.p.other"}
    change = resource_change(stack_ref("p-dev", {"dev": False}), "databricks_quality_monitor", "m", MONITOR, moved,
                             "quality monitor", action="replace")
    review = build_review("state", "plan", [change], rates={})
    assert [f.rule_id for f in review.findings if "unwatched in between" in f.text] == ["PFR034"]
    assert exit_code(review, "broadening")[0] == 1
    base = {"p-dev": stack(databricks_quality_monitor={"m": MONITOR})}
    edited = {"p-dev": stack(databricks_quality_monitor={"m": {**MONITOR, "assets_dir": "/pilotfactory/p/dev/m2"}})}
    assert [f for f in run(base, edited)[0].findings if f.rule_id == "PFR034"] == []


def test_an_artifact_allowlist_deleted_or_widened_is_flagged_and_narrowed_is_not():
    base = {"platform-prod": stack(databricks_artifact_allowlist={"jar": ALLOW})}
    assert_flagged(base, {"platform-prod": stack()}, "PFR035", words="LIBRARY_JAR")
    wider = {**ALLOW, "artifact_matcher": [*ALLOW["artifact_matcher"], {"artifact": "/Volumes/",
                                                                          "match_type": "PREFIX_MATCH"}]}
    assert_flagged(base, {"platform-prod": stack(databricks_artifact_allowlist={"jar": wider})}, "PFR035",
                   words="+ /Volumes/")
    review, status, _, _ = run({"platform-prod": stack(databricks_artifact_allowlist={"jar": wider})}, base)
    assert [f for f in review.findings if f.rule_id == "PFR035"] == [] and status == 0


def test_a_policys_libraries_removed_is_flagged_and_added_is_not():
    base = {"p-dev": stack(databricks_cluster_policy={"c": POLICY})}
    fewer = {**POLICY, "libraries": POLICY["libraries"][:1]}
    found = assert_flagged(base, {"p-dev": stack(databricks_cluster_policy={"c": fewer})}, "PFR036",
                           words="/Volumes/platform/libraries/approved/u.jar")
    assert "databricks-sdk" not in found["text"]
    none = {k: v for k, v in POLICY.items() if k != "libraries"}
    assert_flagged(base, {"p-dev": stack(databricks_cluster_policy={"c": none})}, "PFR036", words="pypi databricks-sdk")
    review = run({"p-dev": stack(databricks_cluster_policy={"c": fewer})}, base)[0]
    assert [f for f in review.findings if f.rule_id == "PFR036"] == []


def test_a_removed_stacks_monitor_goes_with_its_pilot():
    """The whole pilot disappearing is PFR052 (blocking in a protected environment), not a weakened control."""
    base = {"p-prod": stack(databricks_quality_monitor={"m": MONITOR}), "q-prod": stack()}
    review = run(base, {"q-prod": stack()})[0]
    assert [f.rule_id for f in review.findings] == ["PFR052"]
