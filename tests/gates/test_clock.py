"""One clock: only pilotfactory/gates/clock.py reads the real date or time, so a test can set the
clock forward (or back) and see exactly what the product would do on that day."""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pilotfactory.gates.clock as clock
from tests.conftest import REPO

# Reads of the wall clock; time.monotonic/perf_counter measure durations and are not dates.
REAL_CLOCK = re.compile(r"\b(?:date|datetime)\.(?:today|now|utcnow|fromtimestamp)\(|\btime\.(?:time|localtime|gmtime)\(")
THE_CLOCK = REPO / "pilotfactory" / "gates" / "clock.py"


def _readers(root: Path) -> list[str]:
    found = []
    for folder in ("pilotfactory", "stacks", "generators"):
        for path in sorted((root / folder).rglob("*.py")):
            if path == root / THE_CLOCK.relative_to(REPO):
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if REAL_CLOCK.search(line):
                    found.append(f"{path.relative_to(root).as_posix()}:{number}: {line.strip()}")
    return found


def test_only_the_clock_module_reads_the_real_date():
    assert _readers(REPO) == []


def test_the_scan_sees_a_stray_clock_read(tmp_path):
    (tmp_path / "pilotfactory" / "gates").mkdir(parents=True)
    (tmp_path / "stacks").mkdir()
    (tmp_path / "generators").mkdir()
    (tmp_path / "pilotfactory" / "gates" / "clock.py").write_text("dt.date.today()\n")
    (tmp_path / "stacks" / "x.py").write_text("when = dt.datetime.now(dt.timezone.utc)\n")
    (tmp_path / "generators" / "y.py").write_text("import time\nstamp = time.time()\nt = time.monotonic()\n")
    assert _readers(tmp_path) == ["stacks/x.py:1: when = dt.datetime.now(dt.timezone.utc)",
                                  "generators/y.py:2: stamp = time.time()"]


def test_the_emergency_audit_record_is_stamped_by_the_clock(tmp_path, monkeypatch):
    from pilotfactory.live import audit

    frozen = dt.datetime(2031, 3, 4, 5, 6, 7, 890, tzinfo=dt.timezone.utc)
    monkeypatch.setattr(clock, "now", lambda: frozen)
    record = audit.start(tmp_path, "p", "prod", {})
    assert record.data["started"] == "2031-03-04T05:06:07Z"
    assert record.path.name.startswith("2031-03-04T050607Z-rollback-prod-")
