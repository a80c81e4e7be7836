"""The layering the conventions promise: the domain never touches the CDK."""
from __future__ import annotations

import ast
import subprocess
import sys

from .conftest import REPO

CDK_PACKAGES = {"cdktf", "cdktn", "cdktf_cdktf_provider_databricks", "cdktn_provider_databricks", "constructs"}


def _imports(path) -> list[tuple[str, int, bool]]:
    """(module, line, lazy): lazy when the import sits inside a function."""
    out = []
    tree = ast.parse(path.read_text())
    lazy_nodes = {id(n) for f in ast.walk(tree) if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef))
                  for n in ast.walk(f)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(a.name, node.lineno, id(node) in lazy_nodes) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            out.append((node.module or "", node.lineno, id(node) in lazy_nodes))
    return out


def test_domain_and_generators_never_import_the_cdk_and_load_stacks_only_lazily():
    """The CDK is never imported by the domain; the synth-side functions that need the stacks
    import them inside the function, so validate and the other commands never pay for it."""
    offenders = []
    for package in ("pilotfactory", "generators"):
        for path in sorted((REPO / package).rglob("*.py")):
            for module, line, lazy in _imports(path):
                top = module.split(".")[0]
                if top in CDK_PACKAGES or (top == "stacks" and not lazy):
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
