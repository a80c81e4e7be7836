"""Schema errors in words: did-you-mean, union discriminators, YAML 1.1 look-alikes, noise control."""
from __future__ import annotations

from pathlib import Path

import pytest

from pilotfactory.diagnostics.diagnostic import Diagnostics
from pilotfactory.catalog.parse import closest, parse_document, suggest
from pilotfactory.catalog.model import Pilot, Template

from tests.conftest import ESTATE

CARD = (ESTATE / "catalog" / "pilots" / "card-fraud-scoring.yaml").read_text()
AML = (ESTATE / "catalog" / "pilots" / "aml-alert-triage.yaml").read_text()


def check(text: str, model=Pilot) -> list[str]:
    from pilotfactory.yamlio.source import load_yaml_text

    diags = Diagnostics()
    source = load_yaml_text(text, "p.yaml", diags)
    if source is not None:
        parse_document(source, model, diags)
    return [d.render() for d in diags.sorted()]


def edit(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


@pytest.mark.parametrize("word, choices, expected", [
    ("shedule", ["schedule", "tasks"], "schedule"),
    ("S3", ["local", "s3", "gcs"], "s3"),  # case aside
    ("production", ["dev", "staging", "prod"], "prod"),  # a prefix, when only one choice fits
    ("production-eu", ["prod", "produ"], None),  # two prefixes: no guess
    ("xyz", ["dev", "prod"], None),
])
def test_closest(word, choices, expected):
    assert closest(word, choices) == expected


def test_suggest_words_it():
    assert suggest("prodution", ["pilot", "production"]) == "; did you mean `production`?"
    assert suggest("zzz", ["pilot"]) == ""


def test_the_example_pilot_is_valid():
    assert check(CARD) == []


def test_unknown_key_in_a_nested_list_suggests_from_that_level():
    out = check(edit(CARD, "    schedule: {cron:", "    shedule: {cron:"))
    assert out == ["p.yaml:71:5: error[PF101]: unknown key `shedule`; did you mean `schedule`?"]


def test_a_misspelt_required_key_is_one_error_not_two():
    out = check(edit(CARD, "  pmo_lead:", "  pmo_laed:"))
    assert out == ["p.yaml:20:3: error[PF101]: unknown key `pmo_laed`; did you mean `pmo_lead`?"]


def test_a_missing_required_key_points_at_its_mapping_key():
    out = check(edit(CARD, "  pmo_lead: rachel.moore@bank.example\n", ""))
    assert out == ["p.yaml:17:1: error[PF102]: missing required key `pmo_lead`"]


def test_evidence_unknown_kind_points_at_the_kind_value():
    out = check(edit(AML, "- {kind: security_review,", "- {kind: security_reveiw,"))
    assert out == [
        "p.yaml:124:12: error[PF104]: `security_reveiw` is not a known `kind`; expected "
        "'test_report', 'rollback_rehearsal', 'security_review', 'model_validation' or 'outcome_decision'; "
        "did you mean `security_review`?"]


def test_evidence_keys_are_suggested_from_the_entry_kind_only():
    # `reviewer` belongs to security_review, not to model_validation: no suggestion of it here.
    out = check(edit(AML, "    validator: sofia.lindqvist@bank.example\n",
                     "    validator: sofia.lindqvist@bank.example\n    reviewer: x@bank.example\n"))
    assert out == ["p.yaml:129:5: error[PF101]: unknown key `reviewer`"]
    out = check(edit(AML, "    validator: sofia", "    validated_by: sofia"))
    assert out == ["p.yaml:128:5: error[PF101]: unknown key `validated_by`; did you mean `validator`?"]


def test_a_bad_release_version_has_its_own_code():
    out = check(edit(CARD, "main: {version: v0.3.1,", "main: {version: v0.3,"))
    assert out == ["p.yaml:100:21: error[PF208]: `v0.3` is not a version tag like v1.4.0"]


@pytest.mark.parametrize("old, new, expected", [
    # a boolean field: YAML 1.1 words become booleans only there; write the YAML 1.2 spelling
    ("scale_to_zero: true\n", "scale_to_zero: yes\n",
     "p.yaml:89:20: error[PF012]: `yes` is the boolean true only in YAML 1.1; write `true`"),
    # a string field: YAML 1.2 reads a string, YAML 1.1 a boolean; quoting settles it
    ("cost_center: CC-2750", "cost_center: NO",
     "p.yaml:13:14: error[PF012]: `NO` is the boolean false in YAML 1.1 and a string in YAML 1.2; "
     "quote it: \"NO\""),
    # a string field given a number in both readings: quoting settles it too
    ("cost_center: CC-2750", "cost_center: 0777",
     "p.yaml:13:14: error[PF012]: `0777` is an octal number in YAML 1.1 and the number 777 in "
     "YAML 1.2; quote it: \"0777\""),
    # a string value that is wrong either way: quoting would not help, the schema error says why
    ("data_classification: restricted", "data_classification: no",
     "p.yaml:15:22: error[PF104]: `no` is not allowed for `data_classification`; expected "
     "'public', 'internal', 'confidential' or 'restricted'"),
    # a number field: no quoting advice either
    ("    score: 5\n", "    score: on\n",
     "p.yaml:28:12: error[PF103]: `score` should be a whole number, not the string `on`"),
    # dict[Identifier, str]: the value schema sits under patternProperties
    ("template_version: \"1.1.0\"\n", "template_version: \"1.1.0\"\ntags: {country: NO}\n",
     "p.yaml:12:17: error[PF012]: `NO` is the boolean false in YAML 1.1 and a string in YAML 1.2; "
     "quote it: \"NO\""),
])
def test_yaml_1_1_look_alikes(old, new, expected):
    assert check(edit(CARD, old, new)) == [expected]


def test_yaml_1_1_booleans_are_reported_even_when_the_file_has_other_errors():
    out = check(edit(edit(CARD, "scale_to_zero: true\n", "scale_to_zero: yes\n"),
                     "phase: pilot", "phase: prodution"))
    assert out[-1] == "p.yaml:89:20: error[PF012]: `yes` is the boolean true only in YAML 1.1; write `true`"
    assert len(out) == 2


def test_a_refused_tag_is_not_reported_again_as_a_schema_error():
    out = check(edit(CARD, "cost_center: CC-2750", "cost_center: !!python/object/apply:os.system [x]"))
    assert out == ["p.yaml:13:14: error[PF009]: tag `!!python/object/apply:os.system` is not "
                   "allowed: the catalog is plain data"]


def test_an_alias_is_checked_as_the_value_it_stands_for():
    text = edit(edit(CARD, "  executive_sponsor: andrew", "  executive_sponsor: &s andrew"),
                "  pmo_lead: rachel.moore@bank.example", "  pmo_lead: *s")
    assert [o.split(": error")[0] for o in check(text)] == ["p.yaml:18:22", "p.yaml:20:13"]
    # an alias to no anchor is reported once, as such
    out = check(edit(CARD, "  pmo_lead: rachel.moore@bank.example", "  pmo_lead: *nobody"))
    assert out == ["p.yaml:20:13: error[PF008]: alias `*nobody` refers to no anchor; anchors and "
                   "aliases are not allowed anyway: write the value out in full"]


def test_template_unknown_key():
    text = (ESTATE / "catalog" / "templates" / "batch-scoring" / "template.yaml").read_text()
    out = check(edit(text, "\ndefaults:\n", "\ndefault:\n"), Template)
    assert out == ["p.yaml:201:1: error[PF101]: unknown key `default`; did you mean `defaults`?"]


def test_examples_stay_valid(tmp_path: Path):
    for path in sorted((ESTATE / "catalog" / "pilots").glob("*.yaml")):
        assert check(path.read_text()) == [], path
