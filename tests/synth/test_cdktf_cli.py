"""The real cdktf CLI drives our app: `npx cdktf synth` and `npx cdktf list` as a user runs them."""
from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest

from tests.conftest import REPO

CDKTF = REPO / "node_modules" / ".bin" / "cdktf"


@pytest.mark.skipif(not CDKTF.exists(), reason="run `make setup` to install the cdktf CLI")
def test_npx_cdktf_synth_and_list(repo_copy):
    (repo_copy / ".venv").symlink_to(REPO / ".venv")
    (repo_copy / "node_modules").symlink_to(REPO / "node_modules")
    env = {**os.environ, "CHECKPOINT_DISABLE": "1", "CI": "1", "NO_COLOR": "1",
           "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "16,18,20"}
    env.pop("CDKTF_OUTDIR", None)
    npx = shutil.which("npx") or "npx"
    synth = subprocess.run([npx, "cdktf", "synth"], cwd=repo_copy, env=env, capture_output=True,
                           text=True, timeout=300)
    assert synth.returncode == 0, synth.stdout + synth.stderr
    manifest = json.loads((repo_copy / "cdktf.out" / "manifest.json").read_text())
    assert "kyc-document-triage-prod" in manifest["stacks"]
    # the CLI orders deploys by these (tests/deploy/test_stack_order.py cites where)
    from tests.deploy.test_stack_order import assert_ordered
    from pilotfactory.pipeline import check

    assert_ordered(check(repo_copy).resolution.catalog, manifest)
    listed = subprocess.run([npx, "cdktf", "list"], cwd=repo_copy, env=env, capture_output=True,
                            text=True, timeout=300)
    assert listed.returncode == 0, listed.stdout + listed.stderr
    names = {line.split()[0] for line in listed.stdout.splitlines() if "cdktf.out/stacks/" in line}
    assert names == set(manifest["stacks"])


def test_cdktf_json_runs_our_app():
    config = json.loads((REPO / "cdktf.json").read_text())
    assert config["app"].endswith("-m pilotfactory synth --lenient")  # one pilot never stops a deploy of another
    assert config["language"] == "python"
