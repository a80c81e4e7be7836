"""A small, realistic resolved catalog built straight from the pydantic models (no YAML loader)."""
from __future__ import annotations

import json
import os

import pytest

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
ESTATE = REPO / "tests" / "estate"

from pilotfactory.catalog.load import Catalog, load_catalog
from pilotfactory.diagnostics.diagnostic import Diagnostics
from pilotfactory.catalog.model.config import Environments, Gates, Roles, Standards
from pilotfactory.catalog.resolve import resolve
from pilotfactory.catalog.resolved import ResolvedCatalog
from pilotfactory.yamlio.source import Source

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "16,18,20")

SP_DEV = "0b7c1d2e-3f40-4a51-8b62-7c83d94ea5f6"
SP_STAGING = "1c8d2e3f-4051-4b62-9c73-8d94ea5fb607"
SP_PROD = "2d9e3f40-5162-4c73-8d84-9ea5fb60c718"
ACCOUNT_ID = "6f1a2b3c-4d5e-4f60-8a71-b2c3d4e5f607"

GATES = {
    "apiVersion": "pilotfactory/v1",
    "kind": "Gates",
    "intake": {"min_value_score": 3, "min_data_readiness_score": 3, "model_risk_review_above": 3},
    "exits": {},
}

ENVIRONMENTS = {
    "apiVersion": "pilotfactory/v1",
    "kind": "Environments",
    "account": {"id": ACCOUNT_ID, "metastore_id": "9e8d7c6b-5a49-4382-9170-6f5e4d3c2b1a"},
    "environments": {
        "dev": {
            "min_phase": "pilot",
            "workspace": {"host": "https://dbc-analytics-dev.cloud.databricks.com", "id": 1234567890123456},
            "catalog": "pilots_dev",
            "run_as": {"application_id": SP_DEV, "display_name": "sp-pilotfactory-dev"},
            "artifacts": "/Volumes/pilots_dev/releases/wheels",
        },
        "staging": {
            "min_phase": "staging",
            "workspace": {"host": "https://dbc-analytics-stg.cloud.databricks.com/", "id": 2345678901234567},
            "catalog": "pilots_staging",
            "run_as": {"application_id": SP_STAGING, "display_name": "sp-pilotfactory-staging"},
            "artifacts": "/Volumes/pilots_staging/releases/wheels",
            "backend": {"type": "s3", "bucket": "bank-tfstate-analytics", "region": "eu-west-2",
                        "dynamodb_table": "bank-tfstate-locks"},
        },
        "prod": {
            "min_phase": "production",
            "workspace": {"create": {
                "workspace_name": "analytics-prod", "deployment_name": "bank-analytics-prod",
                "region": "eu-west-2",
                "credentials_id": "7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c0d",
                "storage_configuration_id": "8b9c0d1e-2f3a-4b4c-9d5e-6f7a8b9c0d1e",
            }},
            "catalog": "pilots_prod",
            "run_as": {"application_id": SP_PROD, "display_name": "sp-pilotfactory-prod"},
            "artifacts": "/Volumes/pilots_prod/releases/wheels",
            "protected": True,
            "backend": {"type": "s3", "bucket": "bank-tfstate-analytics-prod", "region": "eu-west-2"},
        },
    },
}

STANDARDS = {
    "apiVersion": "pilotfactory/v1",
    "kind": "Standards",
    "spark_versions": ["15.4.x-scala2.12", "14.3.x-scala2.12"],
    "node_types": {"m6i.xlarge": {"dbu_per_hour": 0.69}, "m6i.2xlarge": {"dbu_per_hour": 1.37},
                   "r6i.2xlarge": {"dbu_per_hour": 1.5}},
    "autotermination_minutes": 60,
    "sizes": {
        "small": {"min_workers": 1, "max_workers": 4, "node_types": ["m6i.xlarge", "m6i.2xlarge"]},
        "medium": {"min_workers": 2, "max_workers": 8, "node_types": ["m6i.2xlarge", "r6i.2xlarge"]},
    },
}

ROLES = {
    "apiVersion": "pilotfactory/v1",
    "kind": "Roles",
    "platform_admins": "platform-admins",
    "roles": {"security": "security-review", "compliance": "compliance-officers"},
    "groups": {
        "platform-admins": {"members": ["dbx-admin@bank.example"]},
        "security-review": {"members": ["security-review@bank.example"], "managed": True},
        "compliance-officers": {"members": ["compliance-officer@bank.example"], "managed": True},
        "kyc-builders": {"members": ["a.khan@bank.example"]},
        "kyc-approvers": {"members": ["j.osei@bank.example"]},
        "fraud-builders": {"members": ["m.rossi@bank.example"]},
        "fraud-approvers": {"members": ["l.chen@bank.example"]},
        "kyc-oncall": {"members": ["kyc-oncall@bank.example"]},
        "fraud-oncall": {"members": ["fraud-oncall@bank.example"]},
    },
}

_INTAKE = {
    "value": {"score": 4, "business_case": "Cut case preparation time by 30-40%"},
    "risk": {"score": 2, "model_risk_tier": 2},
    "data_readiness": {"score": 4},
    "success_metrics": [{"name": "case_prep_minutes", "baseline": 45, "target": 30}],
}

KYC = {
    "apiVersion": "pilotfactory/v1", "kind": "Pilot",
    "name": "kyb-document-triage", "title": "KYC document classification and enrichment",
    "template": "agentic-workflow", "phase": "production",
    "cost_center": "CC-4711-KYC", "data_classification": "confidential",
    "owners": {"executive_sponsor": "kyc-sponsor@bank.example", "product_owner": "kyc-product@bank.example",
               "pmo_lead": "pmo@bank.example", "builders": "kyc-builders", "approvers": "kyc-approvers",
               "on_call": "kyc-oncall@bank.example", "on_call_group": "kyc-oncall"},
    "intake": _INTAKE,
    "data_contracts": [{
        "name": "kyc_documents", "table": "main.kyc.documents", "producer": "onboarding-platform",
        "schema": [{"name": "doc_id", "type": "string", "nullable": False},
                   {"name": "received_at", "type": "timestamp", "nullable": False},
                   {"name": "doc_type", "type": "string"}],
        "freshness": {"column": "received_at", "max_delay_minutes": 60},
        "quality": {"min_completeness": 0.98},
    }],
    "compute": {"size": "small"},
    "jobs": [{
        "name": "classify", "schedule": {"cron": "0 0/30 * * * ?", "timezone": "Europe/London"},
        "timeout_seconds": 3600,
        "tasks": [
            {"key": "contract_check", "contract": "kyc_documents"},
            {"key": "classify", "python_wheel": {"package": "kyc_triage", "entry_point": "classify",
                                                  "parameters": ["--batch-size", "200"]},
             "depends_on": ["contract_check"]},
        ],
    }],
    "model": {"name": "kyc_doc_classifier", "serving": {"workload_size": "Small", "scale_to_zero": True}},
    "secrets": {"keys": ["ocr_api_key"]},
    "release": {
        "strategy": "blue_green", "repo": "https://git.bank.example/pilots/kyb-document-triage",
        "slots": {"blue": {"version": "v1.4.0", "model_version": 7},
                  "green": {"version": "v1.5.0", "model_version": 8}},
        "active": {"dev": "green", "staging": "green", "prod": "blue"},
        "canary": {"prod": {"slot": "green", "percent": 10}},
    },
}

FRAUD = {
    "apiVersion": "pilotfactory/v1", "kind": "Pilot",
    "name": "card-fraud-ranking", "title": "Nightly card-not-present fraud scoring",
    "template": "batch-scoring", "phase": "staging",
    "cost_center": "CC-5120-FRAUD", "data_classification": "restricted",
    "owners": {"executive_sponsor": "fraud-sponsor@bank.example", "product_owner": "fraud-product@bank.example",
               "pmo_lead": "pmo@bank.example", "builders": "fraud-builders", "approvers": "fraud-approvers",
               "on_call": "fraud-oncall@bank.example", "on_call_group": "fraud-oncall"},
    "intake": _INTAKE,
    "compute": {"size": "medium", "max_workers": 6},
    "jobs": [{
        "name": "score-nightly", "schedule": {"cron": "0 15 2 * * ?", "timezone": "Europe/London"},
        "tasks": [
            {"key": "features", "notebook": {"path": "notebooks/build_features",
                                             "parameters": {"window_days": "90", "as_of": "yesterday"}}},
            {"key": "score", "python_file": {"path": "jobs/score.py", "parameters": ["--threshold", "0.82"]},
             "depends_on": ["features"]},
        ],
    }],
    "model": {"name": "cnp_fraud_scorer"},
    "release": {"repo": "https://git.bank.example/pilots/card-fraud-ranking",
                "slots": {"main": {"version": "v2.3.1", "model_version": 12}}},
}

def make_catalog(environments: dict = ENVIRONMENTS, pilots: tuple[dict, ...] = (KYC, FRAUD),
                 roles: dict = ROLES, standards: dict | None = None) -> ResolvedCatalog:
    """Run the real resolve step on in-memory documents (no YAML files involved)."""
    catalog = Catalog(ESTATE)
    catalog.templates = load_catalog(ESTATE, Diagnostics()).templates
    catalog.environments = Environments.model_validate(environments)
    # Looked up at call time, so a test may monkeypatch the module's STANDARDS.
    catalog.standards = Standards.model_validate(standards if standards is not None else STANDARDS)
    catalog.roles = Roles.model_validate(roles)
    catalog.gates = Gates.model_validate(GATES)
    catalog.pilot_sources = [Source(f"catalog/pilots/{raw['name']}.yaml", raw) for raw in pilots]
    diags = Diagnostics()
    resolution = resolve(catalog, diags)
    assert not diags.has_errors, [d.render() for d in diags]
    return resolution.catalog


@pytest.fixture(scope="session")
def catalog() -> ResolvedCatalog:
    return make_catalog()


@pytest.fixture(scope="session", params=["cdktf"])
def synthed(catalog, tmp_path_factory, request) -> dict[str, dict]:
    """Every stack of the catalog, synthesized once per session: stack id -> Terraform JSON."""
    return synth_catalog(catalog, tmp_path_factory.mktemp("out"), request.param)


def synth_catalog(catalog: ResolvedCatalog, folder, engine: str = "cdktf") -> dict[str, dict]:
    """Every stack of `catalog` through the engine's Testing.synth: stack id -> Terraform JSON."""
    from stacks import build_app
    from stacks.engine import get_engine

    app = build_app(catalog, str(folder), engine)
    testing = get_engine(engine).Testing
    return {stack.node.id: json.loads(testing.synth(stack)) for stack in _stacks(app)}


def _stacks(app) -> list:
    return [c for c in app.node.children if type(c).__name__ == "TerraformStack"]


def resources(stack: dict, type_: str) -> dict[str, dict]:
    return stack.get("resource", {}).get(type_, {})
