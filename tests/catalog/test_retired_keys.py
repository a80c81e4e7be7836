"""Retired catalog keys: an old file gets a located error naming what replaced the key and in what
shape (with its own values), not `unknown key`. Estates come from the catalog factory."""
from __future__ import annotations

import pytest

from pilotfactory.pipeline import check


def _errors(estate, name: str):
    checked = check(estate.root)
    return [d for d in checked.diagnostics.errors if d.location and d.location.file.endswith(f"{name}.yaml")]


def _line_of(estate, name: str, text: str) -> int:
    lines = estate.pilot_file(name).read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if text in line)


def test_canary_percent_names_the_canary_key_and_the_slot_the_old_rule_meant(make_estate):
    estate = make_estate(1)  # pilot-000: blue/green, green active everywhere
    estate.edit_pilot("pilot-000", lambda d: d["release"].update(canary_percent={"prod": 10}))
    (error,) = _errors(estate, "pilot-000")
    assert error.code == "PF108"
    # the old rule put the share on the slot not active in that environment: blue here
    assert "`canary_percent` was replaced by `canary`" in error.summary
    assert "write `canary: {prod: {slot: blue, percent: 10}}`" in error.summary
    assert "unknown key" not in error.summary
    assert error.location.file == "catalog/pilots/pilot-000.yaml"
    assert error.location.line == _line_of(estate, "pilot-000", "canary_percent:")
    assert error.location.column == 3


def test_the_hint_follows_the_active_slot_and_drops_a_zero_share(make_estate):
    estate = make_estate(1)

    def old_shape(d):
        d["release"]["active"]["prod"] = "blue"
        d["release"]["canary_percent"] = {"prod": 1, "staging": 0}

    estate.edit_pilot("pilot-000", old_shape)
    (error,) = _errors(estate, "pilot-000")
    assert "write `canary: {prod: {slot: green, percent: 1}}`" in error.summary
    assert "a share of 0 is no canary, so `staging` needs no entry" in error.summary


def test_only_zero_shares_give_the_general_shape(make_estate):
    estate = make_estate(1)
    estate.edit_pilot("pilot-000", lambda d: d["release"].update(canary_percent={"dev": 0}))
    (error,) = _errors(estate, "pilot-000")
    assert "`canary: {ENV: {slot: SLOT, percent: N}}`" in error.summary


@pytest.mark.parametrize("where", ["top", "slot"])
def test_the_same_word_elsewhere_is_still_an_unknown_key(make_estate, where):
    """The hint belongs to the release mapping only: anywhere else it is a plain typo."""
    estate = make_estate(1)

    def put(d):
        (d if where == "top" else d["release"]["slots"]["blue"])["canary_percent"] = 5

    estate.edit_pilot("pilot-000", put)
    (error,) = _errors(estate, "pilot-000")
    assert error.code == "PF101" and "unknown key `canary_percent`" in error.summary


def test_the_cli_prints_it_located_and_withholds_only_that_pilot(make_estate):
    from click.testing import CliRunner

    from pilotfactory.cli.app import cli

    estate = make_estate(2)
    estate.edit_pilot("pilot-001", lambda d: d["release"].update(canary_percent={"staging": 20}))
    result = CliRunner().invoke(cli, ["validate", "--root", str(estate.root)])
    line = _line_of(estate, "pilot-001", "canary_percent:")
    assert f"catalog/pilots/pilot-001.yaml:{line}:3: error[PF108]: `canary_percent` was replaced" in result.stderr
    assert result.exit_code == 3
    assert "Traceback" not in result.output
