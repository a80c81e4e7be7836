"""Evidence files: pinned, inside evidence/, well-formed JUnit, never from the future."""
from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pytest

from pilotfactory.gates.evidence import check_test_report, test_report_passes
from pilotfactory.catalog.model import pilot as model
from pilotfactory.pipeline import check

from tests.conftest import TODAY

JUNIT = """<?xml version="1.0" encoding="utf-8"?>
<testsuite name="pytest" tests="2" failures="0" errors="0" timestamp="2026-11-01T10:00:00+00:00">
  <properties><property name="git_tag" value="v2.0.0"/></properties>
  <testcase classname="t" name="a"/>
  {second}
</testsuite>
"""


def report(root: Path, body: str, relpath: str = "evidence/p/v2.0.0/junit.xml") -> model.TestReport:
    path = root / relpath
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(body)
    return model.TestReport(kind="test_report", version="v2.0.0", path=relpath,
                      sha256=hashlib.sha256(body.encode()).hexdigest())


@pytest.mark.parametrize("second, passed, says", [
    ('<testcase classname="t" name="b"/>', True, "2 tests passed"),
    ('<testcase classname="t" name="b"><failure message="x"/></testcase>', False, "1 of 2 tests failed or errored (first: t.b)"),
    ('<testcase classname="t" name="b"><error message="x"/></testcase>', False, "1 of 2 tests failed or errored"),
    ('<testcase classname="t" name="b"><skipped/></testcase>', True, "2 tests passed"),
], ids=["green", "failure", "error", "skipped-is-not-failed"])
def test_junit_results(tmp_path, second, passed, says):
    result = check_test_report(tmp_path, report(tmp_path, JUNIT.format(second=second)), TODAY)
    assert (result.passed, says in result.reason) == (passed, True), result.reason


@pytest.mark.parametrize("body, says", [
    ("<testsuite name='s' failures='3'><testcase name='a'/></testsuite>", "<testsuite> `s` reports failures=3"),
    ("<testsuite name='s' errors='2'><testcase name='a'/></testsuite>", "<testsuite> `s` reports errors=2"),
    ("<testsuite name='s' failures='x'><testcase name='a'/></testsuite>", "<testsuite> `s` reports failures=x"),
    ("<testsuites name='all' failures='3'><testsuite name='s' failures='0'><testcase name='a'/></testsuite>"
     "</testsuites>", "<testsuites> `all` reports failures=3"),
    ("<testsuites><testsuite name='outer'><testsuite name='inner' errors='1'><testcase name='a'/></testsuite>"
     "</testsuite></testsuites>", "<testsuite> `inner` reports errors=1"),
    ("<testsuite name='outer'><testsuite name='inner' failures='1'><testcase name='a'/></testsuite></testsuite>",
     "<testsuite> `inner` reports failures=1"),
], ids=["failures-count", "errors-count", "count-not-a-number", "testsuites-total", "nested-in-testsuites",
        "nested-in-testsuite"])
def test_suite_counts_fail_a_report_whose_cases_look_green(tmp_path, body, says):
    result = check_test_report(tmp_path, report(tmp_path, body), TODAY)
    assert not result.passed and says in result.reason, result.reason


@pytest.mark.parametrize("body, says", [
    ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]>'
     '<testsuite><testcase name="&lol2;"/></testsuite>', "declares a DTD or entities"),
    ("<testsuite><testcase name='a'>", "is not well-formed XML"),
    ("<html><body/></html>", "is not a JUnit report (root element <html>)"),
    ("<testsuite tests='0'/>", "holds no test cases"),
    ("<testsuite timestamp='2026-12-01T00:00:00'><testcase name='a'/></testsuite>", "is dated 2026-12-01, in the future"),
    ("<testsuite><properties><property name='git_tag' value='v1.9.9'/></properties><testcase name='a'/></testsuite>",
     "was run on `v1.9.9`, not on v2.0.0"),
], ids=["entity-bomb", "truncated", "not-junit", "empty", "future", "other-version"])
def test_bad_reports_fail_with_a_reason(tmp_path, body, says):
    result = check_test_report(tmp_path, report(tmp_path, body), TODAY)
    assert not result.passed and says in result.reason, result.reason


@pytest.mark.parametrize("relpath, says", [
    ("config/roles.yaml", "is not a path under evidence/"),
    ("evidence/../config/roles.yaml", "is not a path under evidence/"),
    ("/etc/passwd", "is not a path under evidence/"),
    ("evidence/nothing-here.xml", "is missing"),
])
def test_evidence_paths_stay_inside_evidence(repo_copy, relpath, says):
    entry = model.TestReport(kind="test_report", version="v2.0.0", path=relpath, sha256="0" * 64)
    result = check_test_report(repo_copy, entry, TODAY)
    assert not result.passed and says in result.reason


def test_a_link_out_of_evidence_is_refused(repo_copy):
    (repo_copy / "evidence" / "escape.xml").symlink_to(repo_copy / "config" / "roles.yaml")
    entry = model.TestReport(kind="test_report", version="v2.0.0", path="evidence/escape.xml", sha256="0" * 64)
    assert "leads outside evidence/" in check_test_report(repo_copy, entry, TODAY).reason


def test_report_passes_is_what_other_features_ask(repo_copy):
    checked = check(repo_copy, today=TODAY)
    kyc = next(t.pilot for t in checked.resolution.pilots if t.pilot.name == "kyc-document-triage")
    assert test_report_passes(repo_copy, kyc, "v1.5.0", TODAY) == (
        True, "`evidence/kyc-document-triage/v1.5.0/junit.xml` 17 tests passed")
    assert test_report_passes(repo_copy, kyc, "v1.6.0", TODAY) == (False, "no test_report for v1.6.0")
    # The v1.5.0 report ran on 2026-11-04: judged on 2026-11-03, it comes from the future.
    passed, reason = test_report_passes(repo_copy, kyc, "v1.5.0", dt.date(2026, 11, 3))
    assert not passed and "in the future" in reason
