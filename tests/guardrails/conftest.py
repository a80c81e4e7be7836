"""One clean synth of a generated estate (every template, phase, serving and slot count), shared by the
guardrail and hardening tests."""
from __future__ import annotations

from pathlib import Path

import pytest

from pilotfactory.pipeline import check
from pilotfactory.synth.build import synthesize

from tests.factory import specs, write_estate


@pytest.fixture(scope="session")
def estate_root(tmp_path_factory) -> Path:
    pilots = specs(4)
    pilots[0].extra = {"compute": {"size": "small", "max_workers": 3}}  # a production pilot's own limit
    return write_estate(tmp_path_factory.mktemp("estate"), pilots, account=True).root


@pytest.fixture(scope="session")
def example(estate_root):
    checked = check(estate_root)
    assert checked.ok, [d.render() for d in checked.diagnostics.errors]
    return checked


@pytest.fixture(scope="session")
def synthesized(example, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("synth") / "cdktf.out"
    synthesize(example.resolution.catalog, out)
    return out
