"""Evidence a pilot points to: verify pinned files, read JUnit reports, pick the latest record.

`test_report_passes` is the entry point other features use (the release commands ask it before a
cutover). Every check returns a reason a reviewer can read; none raises on bad input.
"""
from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, TypeVar

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring

from pilotfactory.gates import clock
from pilotfactory.catalog.model.pilot import Pilot, TestReport
from pilotfactory.files.content_cache import ContentCache

__all__ = ["EVIDENCE_DIR", "MAX_EVIDENCE_BYTES", "ReportCheck", "check_test_report",
           "test_report_passes", "entries", "latest"]

EVIDENCE_DIR = "evidence"
MAX_EVIDENCE_BYTES = 16 * 1024 * 1024  # JUnit reports of large suites stay far below this

E = TypeVar("E")
_KIND = "junit"


@dataclass(frozen=True)
class ReportCheck:
    passed: bool
    reason: str
    field: str  # the entry's key the reason is about: path or sha256
    future: bool = False  # failed only because it is dated after today


def entries(pilot: Pilot, kind: type[E]) -> Iterator[tuple[int, E]]:
    """(index in `evidence`, entry) for each entry of one kind, in file order."""
    for i, item in enumerate(pilot.evidence):
        if isinstance(item, kind):
            yield i, item


def latest(pilot: Pilot, kind: type[E], **match) -> tuple[int, E] | None:
    """The most recent entry of `kind` whose fields equal `match`; the later one wins a tie."""
    found = [(i, e) for i, e in entries(pilot, kind)
             if all(getattr(e, k) == v for k, v in match.items())]
    return max(found, key=lambda pair: (pair[1].date, pair[0])) if found else None


def _read(root: Path, relpath: str) -> tuple[bytes | None, str]:
    """The file's bytes, or None and why it cannot be evidence."""
    parts = Path(relpath).parts
    if Path(relpath).is_absolute() or not parts or parts[0] != EVIDENCE_DIR or ".." in parts:
        return None, f"`{relpath}` is not a path under {EVIDENCE_DIR}/"
    base = (root / EVIDENCE_DIR).resolve()
    path = (root / relpath).resolve()
    if not path.is_relative_to(base):
        return None, f"`{relpath}` leads outside {EVIDENCE_DIR}/ (through a link)"
    if not path.is_file():
        return None, f"evidence file `{relpath}` is missing"
    if path.stat().st_size > MAX_EVIDENCE_BYTES:
        return None, f"evidence file `{relpath}` is over {MAX_EVIDENCE_BYTES // (1024 * 1024)} MiB"
    try:
        return path.read_bytes(), ""
    except OSError as exc:
        return None, f"evidence file `{relpath}` cannot be read ({exc.strerror})"


def _timestamp_date(text: str) -> dt.date | None:
    try:
        return dt.datetime.fromisoformat(text).date()
    except ValueError:
        return None


def _junit(data: bytes, version: str, today: dt.date) -> tuple[bool, str, bool]:
    """(passed, what the report says, dated in the future)."""
    try:
        root = fromstring(data)
    except DefusedXmlException:
        return False, "declares a DTD or entities, which evidence may not", False
    except ParseError as exc:
        return False, f"is not well-formed XML ({exc})", False
    if root.tag not in ("testsuites", "testsuite"):
        return False, f"is not a JUnit report (root element <{root.tag}>)", False
    # Every level counts: a <testsuites> total or a nested suite may report failures its cases do not show.
    suites = [e for e in root.iter() if e.tag in ("testsuites", "testsuite")]
    cases = list(root.iter("testcase"))
    if not cases:
        return False, "holds no test cases", False
    failed = [c for c in cases if c.find("failure") is not None or c.find("error") is not None]
    if failed:
        first = failed[0]
        name = ".".join(filter(None, (first.get("classname"), first.get("name"))))
        return False, f"{len(failed)} of {len(cases)} tests failed or errored (first: {name})", False
    for suite in suites:
        for attr in ("failures", "errors"):
            count = suite.get(attr, "0")
            if not count.isdigit() or int(count) > 0:
                return False, f"<{suite.tag}> `{suite.get('name', '?')}` reports {attr}={count}", False
        stamp = suite.get("timestamp")
        if stamp is not None:
            day = _timestamp_date(stamp)
            if day is None:
                return False, f"suite timestamp `{stamp}` is not an ISO 8601 date and time", False
            if day > today:
                return False, f"is dated {day}, in the future", True
        for prop in suite.iter("property"):
            if prop.get("name") == "git_tag" and prop.get("value") != version:
                return False, f"was run on `{prop.get('value')}`, not on {version}", False
    return True, f"{len(cases)} tests passed", False


def _report_result(value) -> tuple[bool, str, bool]:
    """A cached (passed, detail, future), or TypeError when the entry is not one."""
    passed, detail, future = value
    if not (isinstance(passed, bool) and isinstance(detail, str) and isinstance(future, bool)):
        raise TypeError("not a cached report reading")
    return passed, detail, future


def check_test_report(root: Path, report: TestReport, today: dt.date | None = None,
                      cache: ContentCache | None = None) -> ReportCheck:
    """Recompute the pinned hash, then read the JUnit XML: any failure or error fails it.
    `cache`: what the XML says, kept by the file's digest, the version and the date judged on."""
    today = today or clock.today()
    data, problem = _read(root, report.path)
    if data is None:
        return ReportCheck(False, problem, "path")
    actual = hashlib.sha256(data).hexdigest()
    if actual != report.sha256:
        return ReportCheck(False, f"`{report.path}` does not match its pinned sha256 (the file has "
                           f"{actual[:12]}…, the catalog pins {report.sha256[:12]}…): changed "
                           "after it was pinned", "sha256")
    if cache is None:
        passed, detail, future = _junit(data, report.version, today)
    else:
        key = cache.key(_KIND, actual, report.version, today.isoformat())
        hit = cache.get(_KIND, key, _report_result)
        if hit is not None:
            passed, detail, future = hit
        else:
            passed, detail, future = _junit(data, report.version, today)
            cache.put(_KIND, key, (passed, detail, future))
    return ReportCheck(passed, f"`{report.path}` {detail}", "path", future)


def test_report_passes(root: Path, pilot: Pilot, version: str,
                       today: dt.date | None = None, cache: ContentCache | None = None) -> tuple[bool, str]:
    """Whether `version` has test evidence that passes: at least one report, and every report
    pinned for it intact and green (one tampered report is not outweighed by another)."""
    reports = [r for _, r in entries(pilot, TestReport) if r.version == version]
    if not reports:
        return False, f"no test_report for {version}"
    results = [check_test_report(root, report, today, cache) for report in reports]
    for result in results:
        if not result.passed:
            return False, result.reason
    return True, "; ".join(result.reason for result in results)


test_report_passes.__test__ = False  # a library function, not a pytest test
