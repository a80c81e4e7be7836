"""Golden tests: each broken file, dropped into a copy of the example repository, gives exactly
the expected diagnostics, exit 1, and leaves cdktf.out/ as it was.

Layout, one case per file:
    tests/validate/broken/pilots/<case>.yaml              -> catalog/pilots/<case>.yaml (added)
    tests/validate/broken/config/<file>--<case>.yaml      -> config/<file>.yaml (replaced)
    tests/validate/broken/templates/<name>--<case>.yaml   -> catalog/templates/<name>/template.yaml (replaced)
Expected output sits beside each case as <case>.expected. UPDATE_GOLDEN=1 rewrites them.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from pilotfactory.cli.app import cli
from pilotfactory.files.content_cache import caching_by_default

from tests.conftest import REPO

BROKEN = Path(__file__).parent / "broken"
CASES = sorted(p for p in BROKEN.rglob("*") if p.is_file() and p.suffix != ".expected")


def _target(case: Path, root: Path) -> Path:
    kind = case.parent.name
    if kind == "pilots":
        return root / "catalog" / "pilots" / case.name
    stem, _, _ = case.name.partition("--")
    if kind == "config":
        return root / "config" / f"{stem}.yaml"
    if kind == "templates":
        return root / "catalog" / "templates" / stem / "template.yaml"
    raise AssertionError(f"unknown case folder {kind}")


@pytest.mark.parametrize("case", CASES, ids=[f"{c.parent.name}/{c.stem}" for c in CASES])
def test_broken_file(case: Path, repo_copy: Path):
    target = _target(case, repo_copy)
    shutil.copyfile(case, target)
    result = CliRunner().invoke(cli, ["validate", "--root", str(repo_copy)])
    expected_file = case.with_suffix(".expected")
    if os.environ.get("UPDATE_GOLDEN"):
        expected_file.write_text(result.stderr)
    # a pilot's own errors withhold that pilot (exit 3); config and template errors are everyone's (1)
    assert result.exit_code == (3 if case.parent.name == "pilots" else 1), result.output
    assert result.stderr == expected_file.read_text()
    assert "Traceback" not in result.output
    # with the cache (as pilotfactory.cli.app.main runs): cold, then each file's results read back
    for _ in ("cold", "warm"):
        with caching_by_default():
            again = CliRunner().invoke(cli, ["validate", "--root", str(repo_copy)])
        assert (again.exit_code, again.stderr, again.stdout) == (result.exit_code, result.stderr, result.stdout)


def test_a_broken_catalog_leaves_the_previous_output_untouched(repo_copy: Path):
    out = repo_copy / "cdktf.out"
    (out / "stacks" / "old").mkdir(parents=True)
    (out / "stacks" / "old" / "cdk.tf.json").write_text("{}")
    shutil.copyfile(BROKEN / "pilots" / "duplicate-key.yaml",
                    repo_copy / "catalog" / "pilots" / "duplicate-key.yaml")
    result = CliRunner().invoke(cli, ["synth", "--root", str(repo_copy), "--out", str(out), "--strict"])
    assert result.exit_code == 1
    assert "nothing synthesized" in result.stderr
    assert sorted(p.relative_to(repo_copy).as_posix() for p in repo_copy.rglob("*")
                  if "cdktf.out" in p.as_posix() or p.name.startswith(".cdktf")) == [
        "cdktf.out", "cdktf.out/stacks", "cdktf.out/stacks/old", "cdktf.out/stacks/old/cdk.tf.json"]
