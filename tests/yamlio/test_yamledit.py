"""In-place YAML edits: only the edited values change, byte for byte; everything else stays."""
from __future__ import annotations

import datetime as dt

import pytest

from pilotfactory.diagnostics.diagnostic import Diagnostics
from pilotfactory.yamlio.edit import AppendItem, DeleteKey, SetValue, YamlEditError, apply_edits, render_scalar
from pilotfactory.yamlio.source import load_yaml_text

from tests.conftest import ESTATE

PILOT = """\
# yaml-language-server: $schema=../../schema/pilot.schema.json
name: kyc-document-triage   # never rename
description: >-
  Folded text that a round-trip dump
  would happily re-wrap.
release:
  strategy: blue_green
  slots:
    blue:  {version: v1.4.0, model_version: 7}     # aligned by hand
    green: {version: "v1.5.0"}
  # prod waits for the canary numbers
  active: {dev: green,  staging: green, prod: blue}
  canary_percent: {prod: 10}

evidence:
    - kind: test_report
      version: v1.4.0
    # the rehearsal, timed against the SLA
    - {kind: rollback_rehearsal, env: staging, date: 2026-11-10, from: green, to: blue, result: pass}

approvals:
  - {gate: production, approver: helen.marsh@bank.example, role: compliance, date: 2026-11-12}
"""


def test_setting_one_value_changes_only_that_value():
    out = apply_edits(PILOT, [SetValue(("release", "active", "prod"), "green")])
    assert out == PILOT.replace("staging: green, prod: blue}", "staging: green, prod: green}")


def test_flow_mapping_spacing_quotes_and_comments_survive():
    out = apply_edits(PILOT, [SetValue(("release", "slots", "green", "version"), "v1.6.0"),
                              SetValue(("release", "slots", "blue", "model_version"), 9)])
    assert out == (PILOT.replace('green: {version: "v1.5.0"}', 'green: {version: "v1.6.0"}')
                   .replace("blue:  {version: v1.4.0, model_version: 7}     #",
                            "blue:  {version: v1.4.0, model_version: 9}     #"))


def test_a_missing_key_is_added_inside_its_flow_mapping():
    out = apply_edits(PILOT, [SetValue(("release", "slots", "green", "model_version"), 8)])
    assert out == PILOT.replace('green: {version: "v1.5.0"}', 'green: {version: "v1.5.0", model_version: 8}')


def test_a_missing_key_is_added_as_the_last_line_of_its_block_mapping():
    out = apply_edits(PILOT, [SetValue(("release", "git_provider"), "gitHub")])
    assert out == PILOT.replace("  canary_percent: {prod: 10}\n", "  canary_percent: {prod: 10}\n  git_provider: gitHub\n")


def test_an_empty_slot_becomes_a_flow_mapping():
    text = "release:\n  slots:\n    blue: {version: v1.0.0}\n    green:\n  active: {dev: blue}\n"
    out = apply_edits(text, [SetValue(("release", "slots", "green", "version"), "v1.1.0")])
    assert out == text.replace("    green:\n", "    green: {version: v1.1.0}\n")


def test_appending_evidence_keeps_the_sequence_indentation_and_flow_style():
    item = {"kind": "rollback_rehearsal", "env": "staging", "date": dt.date(2026, 11, 25),
            "from": "green", "to": "blue", "result": "pass"}
    out = apply_edits(PILOT, [AppendItem(("evidence",), item)])
    last = "    - {kind: rollback_rehearsal, env: staging, date: 2026-11-10, from: green, to: blue, result: pass}\n"
    added = "    - {kind: rollback_rehearsal, env: staging, date: 2026-11-25, from: green, to: blue, result: pass}\n"
    assert out == PILOT.replace(last, last + added)


@pytest.mark.parametrize("text, expected", [
    ("name: x\nevidence: []\n", "name: x\nevidence: [{kind: k}]\n"),
    ("name: x\n", "name: x\nevidence:\n  - {kind: k}\n"),
    ("name: x\nevidence:\n", "name: x\nevidence: [{kind: k}]\n"),
])
def test_appending_to_an_empty_or_missing_list(text, expected):
    assert apply_edits(text, [AppendItem(("evidence",), {"kind": "k"})]) == expected


def test_crlf_line_endings_are_kept():
    text = PILOT.replace("\n", "\r\n")
    out = apply_edits(text, [SetValue(("release", "active", "prod"), "green"),
                             AppendItem(("approvals",), {"gate": "pilot"})])
    assert "\n" not in out.replace("\r\n", "")
    assert out.endswith("date: 2026-11-12}\r\n  - {gate: pilot}\r\n")


@pytest.mark.parametrize("value, text", [
    ("v1.6.0", "v1.6.0"), ("yes", '"yes"'), ("1.0", '"1.0"'), ("a: b", '"a: b"'), (7, "7"),
    (dt.date(2026, 1, 2), "2026-01-02"), ("say \"hi\"", '"say \\"hi\\""'),
])
def test_values_that_yaml_would_misread_are_quoted(value, text):
    assert render_scalar(value) == text
    loaded = load_yaml_text(f"k: {text}\n", "t.yaml", Diagnostics()).data["k"]
    assert loaded == (value.isoformat() if isinstance(value, dt.date) else value)


@pytest.mark.parametrize("edit", [
    SetValue(("release", "nope", "prod"), "green"),     # parent missing
    SetValue(("release", "slots"), "green"),            # not a single value
    AppendItem(("release", "strategy"), {"kind": "k"}),  # not a list
])
def test_impossible_edits_are_refused(edit):
    with pytest.raises(YamlEditError):
        apply_edits(PILOT, [edit])


@pytest.mark.parametrize("path", sorted((ESTATE / "catalog" / "pilots").glob("*.yaml")), ids=lambda p: p.stem)
def test_editing_an_example_pilot_changes_exactly_one_line(path):
    text = path.read_text()
    data = load_yaml_text(text, path.name, Diagnostics()).data
    slot = next(iter(data["release"]["slots"]))
    out = apply_edits(text, [SetValue(("release", "slots", slot, "version"), "v9.9.9")])
    changed = [(a, b) for a, b in zip(text.splitlines(), out.splitlines()) if a != b]
    assert len(out.splitlines()) == len(text.splitlines()) and len(changed) == 1
    assert "v9.9.9" in changed[0][1]


def test_a_flow_collection_with_a_trailing_comma_takes_the_new_item_after_it():
    text = "slots: {blue: {version: v1.0.0,}}\nevidence: [{kind: a},]\n"
    out = apply_edits(text, [SetValue(("slots", "blue", "model_version"), 3), AppendItem(("evidence",), {"kind": "b"})])
    assert out == "slots: {blue: {version: v1.0.0, model_version: 3}}\nevidence: [{kind: a}, {kind: b}]\n"


# ---- removing an entry (a canary ends) and adding a mapping (a canary starts) ----------------

@pytest.mark.parametrize("before, after", [
    ("release:\n  canary: {prod: {slot: green, percent: 10}, staging: {slot: blue, percent: 5}}\n",
     "release:\n  canary: {staging: {slot: blue, percent: 5}}\n"),
    ("release:\n  canary: {staging: {slot: blue, percent: 5}, prod: {slot: green, percent: 10}}  # why\n",
     "release:\n  canary: {staging: {slot: blue, percent: 5}}  # why\n"),
    ("release:\n  canary: {prod: {slot: green, percent: 10}}\n  active: {prod: blue}\n",
     "release:\n  canary: {}\n  active: {prod: blue}\n"),
    ("release:\n  canary:\n    staging: {slot: blue, percent: 5}\n    prod: {slot: green, percent: 10}  # c\n  active: {prod: blue}\n",
     "release:\n  canary:\n    staging: {slot: blue, percent: 5}\n  active: {prod: blue}\n"),
    ("release:\n  canary:\n    prod:\n      slot: green\n      percent: 10\n  active: {prod: blue}\n",
     "release:\n  canary:\n    {}\n  active: {prod: blue}\n"),
    ("release:\n  canary:\n    prod: {slot: green, percent: 10}\n    staging: {slot: blue, percent: 5}\n",
     "release:\n  canary:\n    staging: {slot: blue, percent: 5}\n"),
])
def test_deleting_a_key_removes_only_that_entry(before, after):
    assert apply_edits(before, [DeleteKey(("release", "canary", "prod"))]) == after


def test_deleting_a_missing_key_is_refused():
    with pytest.raises(YamlEditError, match="not in the file"):
        apply_edits("release:\n  canary: {}\n", [DeleteKey(("release", "canary", "prod"))])


def test_a_mapping_value_is_added_in_flow_style():
    text = "release:\n  active: {prod: blue}\n"
    out = apply_edits(text, [SetValue(("release", "canary"), {"prod": {"slot": "green", "percent": 10}})])
    assert out == text + "  canary: {prod: {slot: green, percent: 10}}\n"
    out = apply_edits(out, [SetValue(("release", "canary", "dev"), {"slot": "blue", "percent": 5})])
    assert out == text + "  canary: {prod: {slot: green, percent: 10}, dev: {slot: blue, percent: 5}}\n"
