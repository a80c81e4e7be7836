"""The layering the conventions promise: the domain never touches the CDK."""
from __future__ import annotations

import ast
import subprocess
import sys

from .conftest import REPO

CDK_PACKAGES = {"cdktf", "cdktn", "cdktf_cdktf_provider_databricks", "cdktn_provider_databricks", "constructs"}


def _imports(path) -> list[tuple[str, int]]:
    out = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            out += [(a.name, node.lineno) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            out.append((node.module or "", node.lineno))
    return out


def test_domain_and_generators_never_import_the_cdk_or_the_stacks():
    offenders = []
    for package in ("pilotfactory", "generators"):
        for path in sorted((REPO / package).rglob("*.py")):
            for module, line in _imports(path):
                top = module.split(".")[0]
                if top in CDK_PACKAGES or (top == "stacks" and path.name != "synth.py"):
                    offenders.append(f"{path.relative_to(REPO)}:{line} imports {module}")
    assert offenders == []


def test_validate_does_not_load_the_cdk():
    code = ("import sys; from pathlib import Path; from pilotfactory.pipeline import check; "
            f"assert check(Path({str(REPO)!r})).ok; "
            "loaded = sorted(m for m in sys.modules if m.split('.')[0] in "
            f"{sorted(CDK_PACKAGES)!r} or m.startswith('stacks')); print(loaded)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_no_module_is_named_like_a_grab_bag():
    names = {p.stem for d in ("pilotfactory", "stacks", "generators") for p in (REPO / d).rglob("*.py")}
    assert not {"utils", "helpers", "misc"} & names
