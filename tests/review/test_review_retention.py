"""Inference-table retention as a control (PFR039): raising `inference_retention_days` in
config/standards.yaml (90 → 3650 days for confidential data) changed only the retention job's SQL
file and description, and `review` passed it as routine updates, prod included. The days are read
from the SQL the job runs (pilotfactory/tfjson/retention.py)."""
from __future__ import annotations

import base64
import copy

import pytest

from pilotfactory.tfjson.retention import is_retention_file, retention_days
from tests.review.test_review_risks import run
from tests.stacks.conftest import ENVIRONMENTS, KYC, STANDARDS, make_catalog, resources, synth_catalog

WAREHOUSE = "0a1b2c3d4e5f6789"


def _stacks(tmp_path_factory, days: dict | None) -> dict[str, dict]:
    envs = copy.deepcopy(ENVIRONMENTS)
    for env in envs["environments"].values():
        env["sql_warehouse_id"] = WAREHOUSE
    standards = {**STANDARDS, **({"inference_retention_days": days} if days else {})}
    return synth_catalog(make_catalog(envs, (KYC,), standards=standards), tmp_path_factory.mktemp("out"))


RETENTION = {"public": 365, "internal": 180, "confidential": 90, "restricted": 30}


@pytest.fixture(scope="module")
def kept_90(tmp_path_factory):
    return _stacks(tmp_path_factory, RETENTION)


def _file(stack: dict) -> dict:
    [found] = [v for v in resources(stack, "databricks_workspace_file").values() if is_retention_file(v)]
    return found


def test_the_days_read_back_are_the_days_the_generator_wrote(kept_90):
    # KYC is confidential: every stack of it keeps 90 days
    assert {name: retention_days(_file(stack)) for name, stack in kept_90.items() if name.startswith("kyb-")} == \
        {"kyb-document-triage-dev": 90, "kyb-document-triage-staging": 90, "kyb-document-triage-prod": 90}


def test_more_days_are_a_weakened_control_in_every_environment(kept_90, tmp_path_factory):
    longer = _stacks(tmp_path_factory, {**RETENTION, "confidential": 3650})
    pilots = lambda stacks: {k: v for k, v in stacks.items() if k.startswith("kyb-")}  # noqa: E731
    review, status, markdown, as_json = run(pilots(kept_90), pilots(longer))
    found = [f for f in as_json["findings"] if f["rule"] == "PFR039"]
    assert status == 1 and "PFR039" in markdown
    assert len(found) == 3 and "90 → **3650** days" in markdown   # dev, staging and prod
    assert all("90 → 3650 days" in f["text"] and f["kind"] == "broadening" for f in found)
    # fewer days: narrower, no finding
    review, status, markdown, as_json = run(pilots(longer), pilots(kept_90))
    assert not [f for f in as_json["findings"] if f["rule"] == "PFR039"]


def test_no_retention_any_more_is_flagged(kept_90, tmp_path_factory):
    without = _stacks(tmp_path_factory, None)   # no retention configured: no job, no file
    base = {"kyb-document-triage-prod": kept_90["kyb-document-triage-prod"]}
    head = {"kyb-document-triage-prod": without["kyb-document-triage-prod"]}
    assert not [v for v in resources(head["kyb-document-triage-prod"], "databricks_workspace_file").values()
                if is_retention_file(v)]
    review, status, markdown, as_json = run(base, head)
    [found] = [f for f in as_json["findings"] if f["rule"] == "PFR039"]
    assert status == 1 and "(90 days) no longer enforced" in found["text"]


def _with_sql(stack: dict, sql: str) -> dict:
    out = copy.deepcopy(stack)
    _file(out)["content_base64"] = base64.b64encode(sql.encode()).decode()
    return out


def test_sql_the_reader_cannot_read_is_flagged_and_unreadable_values_are_none(kept_90):
    prod = kept_90["kyb-document-triage-prod"]
    changed = _with_sql(prod, "DELETE FROM t WHERE request_date < date_sub(current_date(), 90) OR true;\n"
                              "DELETE FROM t WHERE request_date < date_sub(current_date(), 9000);\n")
    review, status, markdown, as_json = run({"kyb-document-triage-prod": prod}, {"kyb-document-triage-prod": changed})
    [found] = [f for f in as_json["findings"] if f["rule"] == "PFR039"]
    assert "cannot be read" in found["text"] and status == 1
    assert retention_days({"content_base64": "${databricks_x.y.z}"}) is None
    assert retention_days({"content_base64": base64.b64encode(b"SELECT 1").decode()}) is None
    assert retention_days({"content_base64": "not base64!"}) is None
    assert not is_retention_file({"path": "/pilotfactory/p/dev/housekeeping/pilot-metrics.sql"})
