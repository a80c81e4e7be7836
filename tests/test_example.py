"""The example catalog's own end-to-end test, and the guard that keeps it the only one.

Every other test builds its own catalog (tests/factory.py, tests/stacks/conftest.py), so a bank that
replaces catalog/pilots/ with its own pilots keeps a green suite. What is tested here holds for any
catalog the repository holds: it names no pilot.
"""
from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

import pilotfactory.gates.clock as clock
from pilotfactory.catalog.schema import SCHEMAS
from pilotfactory.cli.app import cli
from tests.conftest import REPO
from tests.factory import AS_OF

THIS = Path(__file__).resolve()


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


@pytest.fixture
def example(tmp_path: Path) -> Path:
    """The repository's config/, catalog/ and evidence/ in a scratch folder."""
    for name in ("config", "catalog", "evidence"):
        if (REPO / name).exists():
            shutil.copytree(REPO / name, tmp_path / name)
    shutil.copy(REPO / "cdktf.json", tmp_path / "cdktf.json")
    return tmp_path


def test_the_quick_start_works_years_from_now(example, tmp_path, monkeypatch):
    """`make synth` (validate, then synth) today and with the clock years ahead, and the documents it
    writes next are the committed ones."""
    for years in (0, 1, 5, 20):
        monkeypatch.setattr(clock, "today", lambda years=years: AS_OF + dt.timedelta(days=365 * years))
        validate = run("validate", "--root", str(example))
        assert validate.exit_code == 0, validate.output
    synth = run("synth", "--root", str(example), "--out", str(tmp_path / "out"))
    assert synth.exit_code == 0, synth.output
    assert "withheld" not in synth.output
    docs = run("docs", "--root", str(example), "--out", str(REPO / "docs" / "pilots"), "--check")
    assert docs.exit_code == 0, docs.output
    written = {p.parent.name for p in (REPO / "docs" / "pilots").rglob("*.md")}
    assert written == {p.stem for p in (REPO / "catalog" / "pilots").glob("*.yaml")}


@pytest.mark.parametrize("command", ["codeowners", "atlantis"])
def test_the_committed_generated_files_are_current(command):
    result = run(command, "--root", str(REPO), "--check")
    assert result.exit_code == 0, result.output


def test_every_catalog_file_names_its_schema_for_editors():
    files = sorted((REPO / "catalog" / "pilots").glob("*.yaml")) + sorted((REPO / "config").glob("*.yaml")) \
        + sorted((REPO / "catalog" / "templates").glob("*/template.yaml"))
    assert files
    for path in files:
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("# yaml-language-server: $schema="), path
        target = (path.parent / first.split("=", 1)[1]).resolve()
        assert target.name in SCHEMAS and target.is_file(), path


# --- the guard: no other test module leans on the example catalog ---

# Ways a test reads the repository's own catalog instead of one it built.
_READS_THE_CATALOG = re.compile(
    r"\brepo_copy\b"
    r"|\bREPO\s*/\s*[\"']catalog[\"']\s*/\s*[\"']pilots[\"']"
    r"|\bREPO\s*/\s*[\"']evidence[\"']"
    r"|\b(?:check|load_catalog|run_pipeline)\(\s*REPO\b"
    r"|[\"'](?:validate|synth|review|gates|docs|stacks|evidence|inventory|release|cutover|rollback|rehearse|"
    r"codeowners|atlantis|ci-matrix|controls|approve|new)[\"'][^\n]*str\(REPO\)")


def example_names(repo: Path) -> set[str]:
    """The example pilots' names and the schema-style spellings derived from them."""
    stems = {p.stem for p in (repo / "catalog" / "pilots").glob("*.yaml")}
    return stems | {s.replace("-", "_") for s in stems}


def dependents(tests_root: Path, repo: Path) -> dict[str, list[str]]:
    """Test module -> what ties it to the example catalog (a read of it, or a pilot's name)."""
    names = sorted(example_names(repo), key=len, reverse=True)
    found: dict[str, list[str]] = {}
    for path in sorted(tests_root.rglob("*.py")):
        if path.resolve() == THIS:
            continue
        text = path.read_text(encoding="utf-8")
        why = [m.group(0) for m in _READS_THE_CATALOG.finditer(text)]
        why += [n for n in names if n in text]
        if why:
            found[path.relative_to(tests_root.parent).as_posix()] = sorted(set(why))
    return found


# Modules still moving onto generated catalogs (issue 13/15). The list only shrinks: a module that no
# longer depends on the example must leave it, and no new module may join it.
STILL_ON_THE_EXAMPLE = {
    "tests/catalog/test_documents.py",
    "tests/catalog/test_standards_libraries.py",
    "tests/ci/test_ci.py",
    "tests/cli/test_cli.py",
    "tests/conftest.py",
    "tests/gates/test_digest.py",
    "tests/gates/test_evidence.py",
    "tests/gates/test_gates.py",
    "tests/gates/test_signature.py",
    "tests/governance/test_evidence_pack.py",
    "tests/governance/test_governance_cli.py",
    "tests/guardrails/test_security_config.py",
    "tests/live/conftest.py",
    "tests/live/test_deployments.py",
    "tests/live/test_emergency.py",
    "tests/live/test_live_commands.py",
    "tests/pipeline/test_properties.py",
    "tests/release/test_release.py",
    "tests/review/test_review_plan.py",
    "tests/scaffold/test_scaffold.py",
    "tests/synth/test_cdktf_cli.py",
    "tests/synth/test_stackcache.py",
    "tests/synth/test_synth.py",
    "tests/validate/test_allowed_signers.py",
    "tests/validate/test_boundaries.py",
    "tests/validate/test_broken_catalog.py",
    "tests/validate/test_open_ranges.py",
    "tests/yamlio/test_yamledit.py",
}


def test_no_other_test_depends_on_the_example_catalog():
    found = dependents(REPO / "tests", REPO)
    assert {m: why for m, why in found.items() if m not in STILL_ON_THE_EXAMPLE} == {}
    assert sorted(STILL_ON_THE_EXAMPLE - set(found)) == [], "moved off the example: drop it from the list"


def test_the_guard_sees_a_read_and_a_name(tmp_path):
    (tmp_path / "catalog" / "pilots").mkdir(parents=True)
    (tmp_path / "catalog" / "pilots" / "loan-triage.yaml").write_text("name: loan-triage\n")
    tests = tmp_path / "tests" / "gates"
    tests.mkdir(parents=True)
    (tests / "test_a.py").write_text("def test_a(repo_copy):\n    pass\n")
    (tests / "test_b.py").write_text("PILOT = 'loan-triage'\n")
    (tests / "test_c.py").write_text("SCHEMA = 'loan_triage'\n")
    (tests / "test_d.py").write_text("x = REPO / 'catalog' / 'pilots'\n")
    (tests / "test_e.py").write_text("r = run('synth', '--root', str(REPO))\n")
    (tests / "test_f.py").write_text("checked = check(REPO)\n")
    (tests / "test_ok.py").write_text("x = REPO / 'catalog' / 'templates'\nr = run('check', str(REPO))\n")
    assert sorted(dependents(tmp_path / "tests", tmp_path)) == [
        f"tests/gates/test_{c}.py" for c in "abcdef"]
