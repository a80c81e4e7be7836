"""Synthesized stacks a first `cdktf deploy` would apply: a generated estate's and a built one's."""
from __future__ import annotations

import json

import pytest

from pilotfactory.pipeline import check
from tests.factory import specs, write_estate
from tests.stacks.conftest import make_catalog

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
