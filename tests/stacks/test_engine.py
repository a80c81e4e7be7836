"""The engine seam: one module imports the CDK, and both engines build the same resources."""
from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

from pilotfactory.diagnostics.diagnostic import PilotFactoryError
from stacks import build_app
from stacks.engine import get_engine

STACKS_DIR = Path(__file__).resolve().parents[2] / "stacks"
CDK_PACKAGES = {"cdktf", "cdktn", "cdktf_cdktf_provider_databricks", "cdktn_provider_databricks"}


def test_unknown_engine_is_a_user_error():
    with pytest.raises(PilotFactoryError, match="unknown CDK engine 'pulumi'.*cdktf, cdktn"):
        get_engine("pulumi")


def test_only_engine_module_imports_the_cdk():
    offenders = []
    for path in sorted(STACKS_DIR.glob("*.py")):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            mods = ([a.name for a in node.names] if isinstance(node, ast.Import)
                    else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            if any(m.split(".")[0] in CDK_PACKAGES for m in mods) and path.name != "engine.py":
                offenders.append(f"{path.name}:{node.lineno}")
    assert offenders == []


def test_cdktn_builds_the_same_stacks_as_cdktf(catalog, tmp_path):
    """Switching the engine switches nothing else: same resources, data sources, provider and the
    same required provider version."""
    def stacks_of(engine_name: str) -> dict:
        app = build_app(catalog, str(tmp_path / engine_name), engine_name)
        testing = get_engine(engine_name).Testing
        return {c.node.id: json.loads(testing.synth(c)) for c in app.node.children
                if type(c).__name__ == "TerraformStack"}

    cdktf = stacks_of("cdktf")
    assert "resource" in cdktf["kyb-document-triage-prod"] and "provider" in cdktf["account"]
    assert stacks_of("cdktn") == cdktf


def test_a_synth_loads_no_provider_class():
    """Stacks write their blocks in Python (stacks/tf.py): loading the prebuilt provider's jsii
    assembly alone cost 3-4 s of every first synthesis (README, "Benchmarks")."""
    script = (
        "import sys\n"
        "from tests.stacks.conftest import make_catalog\n"
        "from stacks import build_app\n"
        "import tempfile\n"
        "with tempfile.TemporaryDirectory() as out:\n"
        "    build_app(make_catalog(), out).synth()\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('cdktf_cdktf_provider_databricks', 'cdktn_provider_databricks')))\n")
    out = subprocess.run([sys.executable, "-c", script], cwd=STACKS_DIR.parent, capture_output=True,
                         text=True, check=True).stdout.strip()
    assert out == "[]"
