"""Each backend type lands in the stack's `terraform.backend`, one state per stack."""
from __future__ import annotations

import copy
import json

import pytest

from stacks import build_app
from stacks.engine import get_engine

from .conftest import ENVIRONMENTS, FRAUD, make_catalog

STACK = "card-fraud-ranking-dev"

CASES = [
    ({"type": "local"}, {"local": {"path": "../../../state/card-fraud-ranking-dev.tfstate"}}),
    ({"type": "local", "directory": "infra/tfstate"},
     {"local": {"path": "../../../infra/tfstate/card-fraud-ranking-dev.tfstate"}}),
    ({"type": "s3", "bucket": "bank-tfstate", "region": "eu-west-2", "dynamodb_table": "tf-locks"},
     {"s3": {"bucket": "bank-tfstate", "key": "pilotfactory/card-fraud-ranking-dev.tfstate",
             "region": "eu-west-2", "encrypt": True, "dynamodb_table": "tf-locks"}}),
    ({"type": "s3", "bucket": "bank-tfstate", "region": "eu-west-2", "key_prefix": "analytics"},
     {"s3": {"bucket": "bank-tfstate", "key": "analytics/card-fraud-ranking-dev.tfstate",
             "region": "eu-west-2", "encrypt": True, "use_lockfile": True}}),
    ({"type": "azurerm", "resource_group_name": "rg-tfstate-uks", "storage_account_name": "banktfstateuks",
      "container_name": "tfstate"},
     {"azurerm": {"resource_group_name": "rg-tfstate-uks", "storage_account_name": "banktfstateuks",
                  "container_name": "tfstate", "key": "pilotfactory/card-fraud-ranking-dev.tfstate"}}),
    ({"type": "gcs", "bucket": "bank-tfstate-eu"},
     {"gcs": {"bucket": "bank-tfstate-eu", "prefix": "pilotfactory/card-fraud-ranking-dev"}}),
    ({"type": "cloud", "organization": "bank-platform", "project": "pilot-factory"},
     {"cloud": {"organization": "bank-platform", "hostname": "app.terraform.io",
                "workspaces": {"name": "card-fraud-ranking-dev", "project": "pilot-factory"}}}),
]


@pytest.mark.parametrize("backend,expected", CASES, ids=[f"{c[0]['type']}-{i}" for i, c in enumerate(CASES)])
def test_backend(backend, expected, tmp_path):
    environments = copy.deepcopy(ENVIRONMENTS)
    environments["environments"]["dev"]["backend"] = backend
    app = build_app(make_catalog(environments, (FRAUD,)), str(tmp_path))
    synthed = json.loads(get_engine().Testing.synth(app.node.find_child(STACK)))
    if "cloud" in expected:  # cdktf renders HCP Terraform as a `cloud` block, not a backend
        assert synthed["terraform"]["cloud"] == expected["cloud"]
    else:
        assert synthed["terraform"]["backend"] == expected
