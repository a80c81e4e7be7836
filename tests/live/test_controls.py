"""drift reads back the controls that are resources (issue 12): a quality monitor gone live is
PFR034, an artifact allowlist emptied or widened live PFR035, failing by default as in `review`.
The real databricks-sdk against tests/live/workspace_server.py; facts: provider v1.99.0
catalog/resource_quality_monitor.go:132, catalog/resource_artifact_allowlist.go:100-103."""
from __future__ import annotations

import os

import pytest
import yaml

from pilotfactory.live.client import connect
from pilotfactory.live.controls import control_changes
from pilotfactory.review import build_review, exit_code
from tests.live.conftest import deploy
from tests.live.test_drift import drift, findings

ALLOW = {"artifact_type": "LIBRARY_JAR", "artifact_matcher": [
    {"artifact": "/Volumes/platform/libraries/approved/udfs-1.4.0.jar", "match_type": "PREFIX_MATCH"}]}
PLATFORM = {"platform-staging": {"resource": {"databricks_artifact_allowlist": {"jar": ALLOW}}}}


def test_a_monitor_deleted_by_hand_is_a_weakened_control(workspace, staging_stacks):
    deploy(workspace, staging_stacks)
    assert workspace.monitors, "the example's staging stacks declare quality monitors"
    result, data = drift(workspace)
    assert result.exit_code == 0 and findings(data, "PFR034") == [], result.output
    table = sorted(workspace.monitors)[0]
    del workspace.monitors[table]
    result, data = drift(workspace)
    assert result.exit_code == 1, result.output
    (found,) = findings(data, "PFR034")
    assert table in found["text"] and found["kind"] == "broadening"


@pytest.mark.parametrize("switch_off", [
    lambda gateway: gateway["inference_table_config"].__setitem__("enabled", False),
    lambda gateway: gateway.clear(),
], ids=["disabled", "gateway-removed"])
def test_inference_logging_switched_off_by_hand_is_a_weakened_control(workspace, staging_stacks, switch_off):
    """PFR038 live: the endpoint serves on, unrecorded (provider v1.99.0 docs/resources/model_serving.md:261-262)."""
    deploy(workspace, staging_stacks)
    assert workspace.gateways, "the example's staging stacks declare a serving endpoint"
    result, data = drift(workspace)
    assert result.exit_code == 0 and findings(data, "PFR038") == [], result.output
    name = sorted(workspace.gateways)[0]
    switch_off(workspace.gateways[name])
    result, data = drift(workspace)
    assert result.exit_code == 1, result.output
    (found,) = findings(data, "PFR038")
    assert name in found["text"] and "no longer recorded" in found["text"]


def _allowlist_review(workspace, artifacts):
    from pilotfactory.catalog.load import load_catalog
    from pilotfactory.diagnostics.diagnostic import Diagnostics
    envs = load_catalog(workspace.root, Diagnostics()).environments.environments
    ws = connect("staging", envs["staging"], timeout=0.5, retry_timeout=2)
    workspace.artifact_allowlists["LIBRARY_JAR"] = artifacts
    missing: list[str] = []
    changes = control_changes(ws, PLATFORM, {"staging": False}, {}, missing)
    assert missing == []
    return build_review("synthesized", "workspace", changes, rates={})


@pytest.mark.parametrize("artifacts, says", [
    ([], "no longer seen"),
    (["/Volumes/platform/libraries/approved/udfs-1.4.0.jar", "/Volumes/"], "+ /Volumes/"),
], ids=["emptied", "widened"])
def test_an_allowlist_emptied_or_widened_live_is_flagged(workspace, artifacts, says):
    review = _allowlist_review(workspace, artifacts)
    assert [f.rule_id for f in review.findings if says in f.text] == ["PFR035"], review.findings
    assert exit_code(review, "broadening")[0] == 1


def test_an_allowlist_as_declared_is_not_drift(workspace):
    review = _allowlist_review(workspace, [ALLOW["artifact_matcher"][0]["artifact"]])
    assert review.changes == [] and review.findings == []


def test_drift_reads_the_platform_stack_of_the_environment(workspace, example_checked):
    """The command, not only the function: `drift --env` compares the `platform-<env>` stack too,
    where the artifact allowlist lives, so an allowlist widened by hand fails the run."""
    import json

    from click.testing import CliRunner

    from pilotfactory.cli.app import cli
    from pilotfactory.synth.build import synth_pilot_stacks, synth_platform_stack
    from stacks.artifact_allowlist import allowlist_environment
    from tests.live.test_drift import PATIENT

    catalog = example_checked.resolution.catalog
    env = allowlist_environment(catalog.environments)
    config = workspace.root / "config" / "environments.yaml"
    document = yaml.safe_load(config.read_text())
    document["environments"][env]["workspace"] = {"host": os.environ["DATABRICKS_HOST"]}  # the stand-in
    config.write_text(yaml.safe_dump(document, sort_keys=False))
    stacks = {k: json.loads(v) for k, v in synth_pilot_stacks(catalog.env_pilots(env)).items()}
    stacks[f"platform-{env}"] = json.loads(synth_platform_stack(catalog, env))
    assert stacks[f"platform-{env}"]["resource"].get("databricks_artifact_allowlist"), "the estate allows libraries"
    deploy(workspace, stacks)

    def drift_of_env():
        result = CliRunner().invoke(cli, ["drift", "--env", env, "--format", "json", *PATIENT,
                                          "--root", str(workspace.root)])
        assert result.stdout, result.output
        return result, json.loads(result.stdout)

    result, data = drift_of_env()
    assert result.exit_code == 0 and findings(data, "PFR035") == [], result.output
    kind = sorted(workspace.artifact_allowlists)[0]
    workspace.artifact_allowlists[kind] = [*workspace.artifact_allowlists[kind], "/Volumes/"]
    result, data = drift_of_env()
    assert result.exit_code == 1, result.output
    assert [f["rule"] for f in findings(data, "PFR035")] == ["PFR035"], data["findings"]
