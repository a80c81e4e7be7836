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


def test_provider_submodules_come_from_the_chosen_engine():
    assert get_engine("cdktf").databricks("job").__name__ == "cdktf_cdktf_provider_databricks.job"
    assert get_engine("cdktn").databricks("job").__name__ == "cdktn_provider_databricks.job"


def test_cdktn_builds_the_same_resources_as_cdktf(catalog, tmp_path):
    def resources_of(engine_name: str) -> dict:
        app = build_app(catalog, str(tmp_path / engine_name), engine_name)
        stack = app.node.find_child("kyb-document-triage-prod")
        return json.loads(get_engine(engine_name).Testing.synth(stack))["resource"]

    assert resources_of("cdktn") == resources_of("cdktf")


def test_a_stack_imports_only_the_provider_modules_it_uses():
    # The provider package's __init__ imports all ~250 resource modules (seconds per process).
    script = (
        "import sys\n"
        "from tests.stacks.conftest import make_catalog\n"
        "from stacks.engine import get_engine\n"
        "from stacks.pilot_stack import define_pilot_stack\n"
        "import tempfile\n"
        "rp = make_catalog().pilots[0]\n"
        "with tempfile.TemporaryDirectory() as out:\n"
        "    app = get_engine('cdktf').app(out)\n"
        "    define_pilot_stack(app, rp)\n"
        "    app.synth()\n"
        "loaded = [m for m in sys.modules if m.startswith('cdktf_cdktf_provider_databricks.')]\n"
        "print(len(loaded), 'cdktf_cdktf_provider_databricks.job' in loaded)\n")
    out = subprocess.run([sys.executable, "-c", script], cwd=STACKS_DIR.parent, capture_output=True,
                         text=True, check=True).stdout.split()
    assert out[1] == "True"
    assert 0 < int(out[0]) <= 60, out  # the package has ~250; a pilot stack uses a few dozen
