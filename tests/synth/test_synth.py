"""Synthesis of the example catalog, end to end: stacks, determinism, engines, snapshots."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from syrupy.extensions.json import JSONSnapshotExtension

from pilotfactory.pipeline import check
from pilotfactory.synth.build import synthesize

from tests.conftest import REPO, ESTATE
from tests.synth.conftest import tree

EXPECTED_STACKS = {
    "account", "platform-dev", "platform-staging", "platform-prod",
    "aml-alert-triage-dev", "aml-alert-triage-staging", "card-fraud-scoring-dev",
    "kyc-document-triage-dev", "kyc-document-triage-staging", "kyc-document-triage-prod",
}


@pytest.fixture(scope="module")
def example_out(tmp_path_factory) -> Path:
    checked = check(ESTATE)
    assert checked.ok, [d.render() for d in checked.diagnostics.errors]
    out = tmp_path_factory.mktemp("synth") / "cdktf.out"
    synthesize(checked.resolution.catalog, out)
    return out


def stack(out: Path, name: str) -> dict:
    return json.loads((out / "stacks" / name / "cdk.tf.json").read_text())


def test_every_stack_the_phases_reach_is_written(make_estate, tmp_path: Path):
    estate = make_estate(3)  # phases production, staging, pilot
    out = tmp_path / "cdktf.out"
    synthesize(check(estate.root).resolution.catalog, out)
    expected = {"account", "platform-dev", "platform-staging", "platform-prod",
                "pilot-000-dev", "pilot-000-staging", "pilot-000-prod", "pilot-001-dev", "pilot-001-staging",
                "pilot-002-dev"}
    assert {p.name for p in (out / "stacks").iterdir()} == expected
    assert set(json.loads((out / "manifest.json").read_text())["stacks"]) == expected


def test_a_pilot_reaches_only_the_environments_its_phase_earns(example_out: Path):
    names = {p.name for p in (example_out / "stacks").iterdir()}
    assert "card-fraud-scoring-staging" not in names  # phase pilot: dev only
    assert "aml-alert-triage-prod" not in names       # phase staging: dev and staging


def test_two_syntheses_are_byte_identical(example_out: Path, tmp_path: Path):
    checked = check(ESTATE)
    again = tmp_path / "elsewhere" / "cdktf.out"
    synthesize(checked.resolution.catalog, again)
    assert tree(again) == tree(example_out)


def test_no_absolute_path_or_timestamp_in_the_output(example_out: Path):
    timestamp = re.compile(rb"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
    for name, data in tree(example_out).items():
        assert str(example_out.parent).encode() not in data, name
        assert str(REPO).encode() not in data, name
        assert not timestamp.search(data), name


def test_synth_replaces_the_output_whole_and_leaves_no_scratch(example_out: Path, tmp_path: Path):
    out = tmp_path / "cdktf.out"
    (out / "stacks" / "retired-pilot-dev").mkdir(parents=True)
    synthesize(check(ESTATE).resolution.catalog, out)
    assert not (out / "stacks" / "retired-pilot-dev").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cdktf.out"]


def test_the_account_stack_creates_only_new_workspaces(example_out: Path):
    account = stack(example_out, "account")
    workspaces = account["resource"]["databricks_mws_workspaces"]
    assert [w["workspace_name"] for w in workspaces.values()] == ["bank-analytics-prod"]
    assert "account_id" in account["provider"]["databricks"][0]


@pytest.mark.parametrize("name", sorted(EXPECTED_STACKS))
def test_stack_snapshot(example_out: Path, name: str, snapshot):
    """One JSON snapshot per stack, as a reviewer reads it; `pytest --snapshot-update` after an
    intended change, and the diff of tests/synth/__snapshots__/ goes into the pull request."""
    assert stack(example_out, name) == snapshot.use_extension(JSONSnapshotExtension)


def test_cdktn_synthesizes_the_same_json_apart_from_its_own_version(example_out: Path, tmp_path: Path):
    env = {**os.environ, "PILOTFACTORY_ENGINE": "cdktn"}
    out = tmp_path / "cdktf.out"
    subprocess.run([sys.executable, "-m", "pilotfactory", "synth", "--root", str(ESTATE), "--out", str(out)],
                   check=True, env=env, capture_output=True, text=True)
    versions = set()
    for name in EXPECTED_STACKS:
        ours, theirs = stack(example_out, name), stack(out, name)
        versions.add((ours["terraform"]["required_providers"]["databricks"].pop("version"),
                      theirs["terraform"]["required_providers"]["databricks"].pop("version")))
        ours["//"]["metadata"].pop("version"), theirs["//"]["metadata"].pop("version")
        assert ours == theirs, name
    assert versions == {("1.99.0", "1.99.0")}  # the provider stacks/ require, whichever engine writes them
