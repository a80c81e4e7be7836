"""The example catalog's own end-to-end test, on a fresh full clone of the repository as CI checks
it out: the quick start works today and years from now. Every other test runs on a catalog of its
own (tests/estate, tests/factory.py), so a bank that replaces the example keeps a green suite."""
from __future__ import annotations

import datetime as dt

import pytest
from click.testing import CliRunner

import pilotfactory.gates.clock as clock
from generators.pilot_docs import DOCUMENTS
from pilotfactory.catalog.schema import SCHEMAS
from pilotfactory.cli.app import cli
from tests.conftest import REPO
from tests.factory import AS_OF


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def test_the_quick_start_works_years_from_now(example_clone, tmp_path, monkeypatch):
    """`make synth` (validate, synth, docs) today and with the clock years ahead."""
    root = str(example_clone)
    for years in (0, 1, 5, 20):
        monkeypatch.setattr(clock, "today", lambda years=years: AS_OF + dt.timedelta(days=365 * years))
        validate = run("validate", "--root", root)
        assert validate.exit_code == 0, validate.output
    synth = run("synth", "--root", root, "--out", str(tmp_path / "out"))
    assert synth.exit_code == 0, synth.output
    assert "withheld" not in synth.output
    # the documents `make synth` writes next do not age either: the committed ones stay current
    docs = run("docs", "--root", root, "--out", str(example_clone / "docs" / "pilots"), "--check")
    assert docs.exit_code == 0, docs.output
    # and no documents of pilots that are gone
    written = {p.relative_to(example_clone / "docs" / "pilots").as_posix()
               for p in (example_clone / "docs" / "pilots").rglob("*.md")}
    pilots = {p.stem for p in (example_clone / "catalog" / "pilots").glob("*.yaml")}
    assert written == {f"{pilot}/{document}" for pilot in pilots for document in DOCUMENTS}


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
