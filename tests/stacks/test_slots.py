"""Blue/green slots in the synthesized stack: jobs per slot, serving traffic, model aliases."""
from __future__ import annotations

import copy
import json

import pytest

from .conftest import KYC, make_catalog, resources

PROD, DEV = "kyb-document-triage-prod", "kyb-document-triage-dev"


def _variant(**release) -> dict:
    pilot = copy.deepcopy(KYC)
    pilot["release"].update(release)
    return pilot


VARIANTS = {
    "example": KYC,
    "no-canary": _variant(canary={}),
    # green staged with code but no model yet; blue live everywhere
    "green-without-model": _variant(slots={"blue": {"version": "v1.4.0", "model_version": 7},
                                           "green": {"version": "v1.5.0"}},
                                    active={"dev": "blue", "staging": "blue", "prod": "blue"},
                                    canary={}),
    # green never staged at all
    "green-empty": _variant(slots={"blue": {"version": "v1.4.0", "model_version": 7}, "green": {}},
                            active={"dev": "blue", "staging": "blue", "prod": "blue"}, canary={}),
}


@pytest.fixture(scope="module")
def stacks(tmp_path_factory) -> dict[str, dict[str, dict]]:
    """variant -> stack id -> Terraform JSON."""
    from stacks import build_app
    from stacks.engine import get_engine

    out = {}
    for name, pilot in VARIANTS.items():
        app = build_app(make_catalog(pilots=(pilot,)), str(tmp_path_factory.mktemp(name)))
        out[name] = {s.node.id: json.loads(get_engine().Testing.synth(s)) for s in app.node.children
                     if s.node.id.startswith("kyb-")}
    return out


def jobs(stack: dict) -> dict[str, dict]:
    return {j["name"]: j for j in resources(stack, "databricks_job").values()}


def traffic(stack: dict) -> dict[str, int]:
    (endpoint,) = resources(stack, "databricks_model_serving").values()
    return {r["served_entity_name"]: r["traffic_percentage"] for r in endpoint["config"]["traffic_config"]["routes"]}


def served(stack: dict) -> dict[str, str]:
    (endpoint,) = resources(stack, "databricks_model_serving").values()
    return {e["name"]: e["entity_version"] for e in endpoint["config"]["served_entities"]}


def aliases(stack: dict) -> dict[str, int]:
    (model,) = resources(stack, "databricks_registered_model").values()
    return {a["alias_name"]: a["version_num"] for a in model.get("aliases", [])}


def test_each_job_exists_once_per_slot_with_that_slots_code(stacks):
    prod = jobs(stacks["example"][PROD])
    assert sorted(prod) == ["kyb-document-triage-classify-blue", "kyb-document-triage-classify-green"]
    for slot, version in (("blue", "1.4.0"), ("green", "1.5.0")):
        job = prod[f"kyb-document-triage-classify-{slot}"]
        assert job["tags"]["slot"] == slot
        assert job["task"][1]["library"] == [
            {"whl": f"/Volumes/pilots_prod/releases/wheels/kyc_triage-{version}-py3-none-any.whl"}]


@pytest.mark.parametrize("variant, stack_id, expected", [
    ("no-canary", PROD, {"blue": "UNPAUSED", "green": "PAUSED"}),
    ("example", DEV, {"green": "UNPAUSED", "blue": "PAUSED"}),
    # the canary takes traffic, so its jobs run on schedule beside the active slot's
    ("example", PROD, {"blue": "UNPAUSED", "green": "UNPAUSED"}),
])
def test_slots_taking_traffic_run_and_idle_slots_are_paused(stacks, variant, stack_id, expected):
    states = {n.rsplit("-", 1)[1]: j["schedule"]["pause_status"] for n, j in jobs(stacks[variant][stack_id]).items()}
    assert states == expected


def test_serving_sends_the_canary_share_to_the_standby(stacks):
    assert traffic(stacks["example"][PROD]) == {"blue": 90, "green": 10}
    assert traffic(stacks["example"][DEV]) == {"blue": 0, "green": 100}
    assert served(stacks["example"][PROD]) == {"blue": "7", "green": "8"}


def test_without_a_canary_the_active_slot_takes_all_traffic(stacks):
    assert traffic(stacks["no-canary"][PROD]) == {"blue": 100, "green": 0}
    assert served(stacks["no-canary"][PROD]) == {"blue": "7", "green": "8"}


def test_aliases_follow_the_active_slot(stacks):
    assert aliases(stacks["example"][PROD]) == {"champion": 7, "challenger": 8}
    assert aliases(stacks["example"][DEV]) == {"champion": 8, "challenger": 7}


def test_a_slot_without_model_version_gets_no_served_entity_and_no_alias(stacks):
    prod = stacks["green-without-model"][PROD]
    assert served(prod) == {"blue": "7"} and traffic(prod) == {"blue": 100}
    assert aliases(prod) == {"champion": 7}
    assert jobs(prod)["kyb-document-triage-classify-green"]["schedule"]["pause_status"] == "PAUSED"


def test_a_slot_without_version_runs_no_job(stacks):
    prod = stacks["green-empty"][PROD]
    assert list(jobs(prod)) == ["kyb-document-triage-classify-blue"]
    assert served(prod) == {"blue": "7"} and aliases(prod) == {"champion": 7}
