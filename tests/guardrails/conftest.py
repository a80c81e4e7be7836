"""One clean synth of the example repository, shared by the guardrail and hardening tests."""
from __future__ import annotations

from pathlib import Path

import pytest

from pilotfactory.pipeline import check
from pilotfactory.synth.build import synthesize

from ..conftest import ESTATE


@pytest.fixture(scope="session")
def example():
    checked = check(ESTATE)
    assert checked.ok, [d.render() for d in checked.diagnostics.errors]
    return checked


@pytest.fixture(scope="session")
def synthesized(example, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("synth") / "cdktf.out"
    synthesize(example.resolution.catalog, out)
    return out
