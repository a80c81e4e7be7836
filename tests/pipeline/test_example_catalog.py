"""The example catalog's own end-to-end test, on a fresh full clone of the repository as CI checks
it out: the quick start works today and years from now. Every other test runs on a catalog of its
own (tests/estate, tests/factory.py), so a bank that replaces the example keeps a green suite."""
from __future__ import annotations

import datetime as dt

from click.testing import CliRunner

import pilotfactory.gates.clock as clock
from pilotfactory.cli.app import cli
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
