"""Shared fixtures: a scratch copy of the tests' own reference estate to break one file at a time,
and a clone of the repository for the example catalog's end-to-end tests."""
from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from tests.factory import AS_OF, make_estate  # noqa: F401  (make_estate: the catalog factory's fixture)

REPO = Path(__file__).resolve().parent.parent
# The tests' own hand-written catalog (config/, catalog/, evidence/, cdktf.json): a bank replaces the
# example catalog at the top level with its own pilots and the suite still runs on this one.
ESTATE = REPO / "tests" / "estate"
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "16,18,20")

# Property tests judge behaviour, not speed: a loaded CI runner must not fail them on a deadline or a
# too-slow health check, and the same examples every run keep a red run reproducible.
settings.register_profile("suite", deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("suite")

# The example evidence is judged as of this day, so in-process tests do not age with the calendar
# (subprocess tests see the real date); the catalog factory dates its evidence relative to it.
TODAY = AS_OF
NOW = dt.datetime.combine(AS_OF, dt.time(12, 0), tzinfo=dt.timezone.utc)


@pytest.fixture(autouse=True, scope="session")
def _pinned_today():
    import pilotfactory.gates.clock

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pilotfactory.gates.clock, "today", lambda: TODAY)
        # Noon UTC that day (a Wednesday): change windows in goldens do not move with the calendar.
        patch.setattr(pilotfactory.gates.clock, "now", lambda: NOW)
        yield


@pytest.fixture
def repo_copy(tmp_path: Path) -> Path:
    """The reference estate's config/, catalog/ and evidence/ in a folder of their own."""
    for name in ("config", "catalog", "evidence"):
        shutil.copytree(ESTATE / name, tmp_path / name)
    shutil.copy(ESTATE / "cdktf.json", tmp_path / "cdktf.json")
    return tmp_path


@pytest.fixture
def example_clone(tmp_path: Path) -> Path:
    """A fresh full clone of this repository at HEAD: the example catalog with the history its
    signed approvals are verified against, as CI checks it out."""
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--no-hardlinks", str(REPO), str(clone)], check=True, capture_output=True)
    head = subprocess.run(["git", "-C", str(REPO), "rev-parse", "HEAD"], check=True, capture_output=True, text=True)
    subprocess.run(["git", "-C", str(clone), "checkout", "-q", "--detach", head.stdout.strip()], check=True)
    return clone


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def pytest_configure(config):
    """Golden files and snapshots are written by people, never by CI: a run that would rewrite
    them under CI=true stops before collecting anything."""
    if not _in_ci():
        return
    if os.environ.get("UPDATE_GOLDEN"):
        raise pytest.UsageError("UPDATE_GOLDEN is set with CI=true: golden files are never rewritten in CI")
    if config.getoption("--snapshot-update", default=False):
        raise pytest.UsageError("--snapshot-update with CI=true: snapshots are never rewritten in CI")
