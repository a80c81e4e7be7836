"""Synthesized stacks a first `cdktf deploy` would apply: a generated estate's and a built one's."""
from __future__ import annotations

import copy
import json

import pytest

from pilotfactory.pipeline import check
from tests.factory import specs, write_estate
from tests.stacks.conftest import ENVIRONMENTS, FRAUD, KYC, STANDARDS, make_catalog

PROVIDER_TAG = "v1.99.0"   # every citation in this suite is to terraform-provider-databricks at this tag


def synth_all(catalog, engine: str, outdir: str) -> dict[str, dict]:
    """stack id -> Terraform JSON, straight from the constructs (no manifest, no cache)."""
    from stacks import build_app
    from stacks.engine import get_engine

    app = build_app(catalog, outdir, engine)
    testing = get_engine(engine).Testing
    return {c.node.id: json.loads(testing.synth(c)) for c in app.node.children
            if type(c).__name__ == "TerraformStack"}


@pytest.fixture(scope="session")
def example_catalog(tmp_path_factory):
    """Written by the catalog factory: every template, phase, serving and slot count."""
    checked = check(write_estate(tmp_path_factory.mktemp("estate"), specs(4), account=True).root)
    assert checked.ok, [d.render() for d in checked.diagnostics.errors]
    return checked.resolution.catalog


@pytest.fixture(scope="session")
def built_catalog():
    return make_catalog()


def full_catalog():
    """Every optional block stacks/ can write, for the schema check: workspace security settings and
    IP access lists, audit log delivery, library allowlists, a SQL warehouse (alerts, dashboard,
    housekeeping jobs), model monitors on the inference table and on a scored table."""
    envs = copy.deepcopy(ENVIRONMENTS)
    envs["account"]["audit_logs"] = {"credentials_id": "7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
                                     "storage_configuration_id": "8b2c3d4e-5f6a-4b7c-9d8e-0f1a2b3c4d5e"}
    for name, env in envs["environments"].items():
        env["sql_warehouse_id"] = f"0a1b2c3d4e5f67{len(name):02d}"
        env["security"] = {
            "max_token_lifetime_days": 14, "disable_legacy_access": True, "disable_legacy_dbfs": True,
            "ip_access_lists": [{"label": "office", "addresses": ["198.51.100.0/24"]},
                                {"label": "known-bad", "list_type": "BLOCK", "addresses": ["192.0.2.7"]}],
            "compliance_standards": ["PCI_DSS", "HIPAA"], "enhanced_security_monitoring": True}
    kyc, fraud = copy.deepcopy(KYC), copy.deepcopy(FRAUD)
    kyc["model"]["monitoring"] = {"problem_type": "classification"}
    fraud["model"]["monitoring"] = {
        "problem_type": "regression", "scored_table": "cnp_scores", "training_table": "main.ml.cnp_fraud_training",
        "timestamp_column": "scored_at", "prediction_column": "fraud_score", "model_id_column": "model_version",
        "label_column": "confirmed_fraud"}
    libraries = {"pypi": ["databricks-sdk==0.38.0"], "maven": ["com.databricks:spark-xml_2.12:0.18.0"],
                 "jar": ["/Volumes/platform/libraries/approved/udfs-1.0.0.jar"]}
    return make_catalog(envs, (kyc, fraud), standards={**STANDARDS, "libraries": libraries})


@pytest.fixture(scope="session", params=["example", "built"])
def catalog_and_stacks(request, example_catalog, built_catalog, tmp_path_factory):
    """(resolved catalog, its stacks) for the example catalog and for one this suite builds."""
    catalog = example_catalog if request.param == "example" else built_catalog
    return catalog, synth_all(catalog, "cdktf", str(tmp_path_factory.mktemp(request.param)))


@pytest.fixture(scope="session")
def stacks(catalog_and_stacks) -> dict[str, dict]:
    return catalog_and_stacks[1]


def resources(stack: dict, type_: str) -> dict[str, dict]:
    return stack.get("resource", {}).get(type_, {})


def pilot_stacks(stacks: dict[str, dict]) -> dict[str, dict]:
    return {k: v for k, v in stacks.items() if k != "account" and not k.startswith("platform-")}


def address(stack: dict, value: dict) -> str:
    """`type.name` of a resource value, for depends_on checks."""
    for type_, items in stack.get("resource", {}).items():
        for name, v in items.items():
            if v is value:
                return f"{type_}.{name}"
    raise KeyError(value)
