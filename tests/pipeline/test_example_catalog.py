"""The example catalog's own end-to-end tests, on a fresh full clone of the repository as CI checks
it out: the quick start works today and years from now, and the example's approvals count because
their approvers signed them. Every other test runs on a catalog of its own (tests/estate,
tests/factory.py), so a bank that replaces the example keeps a green suite."""
from __future__ import annotations

import datetime as dt

import pytest
import yaml
from click.testing import CliRunner

import pilotfactory.gates.clock as clock
from generators.pilot_docs import DOCUMENTS
from pilotfactory.catalog.schema import SCHEMAS
from pilotfactory.cli.app import cli
from pilotfactory.pipeline import check
from tests.conftest import REPO
from tests.factory import AS_OF

SIGNOFF_CODES = ("PF309", "PF313")


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


def _signoffs(root) -> dict[tuple[str, str], object]:
    """(pilot file, criterion) -> criterion, for every sign-off criterion of a pilot that has approvals."""
    checked = check(root, today=AS_OF)
    with_approvals = {p for p in checked.gates.pilots
                      if yaml.safe_load((root / p.file).read_text()).get("approvals")}
    return {(p.file, c.name): c for p in with_approvals for g in p.gates for c in g.criteria
            if c.code in SIGNOFF_CODES and (c.passed or c.code == "PF313")}


def test_the_example_approvals_are_signed_by_their_approvers(example_clone):
    """Under `approvals.verify: signature` each approval counts because the commit that introduced
    its line is signed by its approver's key in config/allowed_signers; without those keys none does."""
    assert yaml.safe_load((example_clone / "config" / "gates.yaml").read_text())["approvals"]["verify"] == "signature"
    lines = sum(len(yaml.safe_load(p.read_text()).get("approvals") or [])
                for p in (example_clone / "catalog" / "pilots").glob("*.yaml"))
    signed = _signoffs(example_clone)
    assert lines and len(signed) == lines and all(c.passed for c in signed.values()), \
        [(k, c.reason) for k, c in signed.items()]
    assert check(example_clone, today=AS_OF).ok

    signers = example_clone / "config" / "allowed_signers"
    signers.write_text("".join(line for line in signers.read_text().splitlines(keepends=True)
                               if line.startswith("#")))
    unsigned = _signoffs(example_clone)
    assert unsigned.keys() == signed.keys() and not any(c.passed for c in unsigned.values())
    assert all("not signed by a key of the allowed-signers file" in c.reason for c in unsigned.values())
