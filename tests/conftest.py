"""Shared fixtures: a scratch copy of the example repository to break one file at a time."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.factory import AS_OF, make_estate  # noqa: F401  (make_estate: the catalog factory's fixture)

REPO = Path(__file__).resolve().parent.parent
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "16,18,20")

# The example evidence is judged as of this day, so in-process tests do not age with the calendar
# (subprocess tests see the real date); the catalog factory dates its evidence relative to it.
TODAY = AS_OF


@pytest.fixture(autouse=True, scope="session")
def _pinned_today():
    import pilotfactory.gates.clock

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pilotfactory.gates.clock, "today", lambda: TODAY)
        yield


@pytest.fixture
def repo_copy(tmp_path: Path) -> Path:
    """The example config/, catalog/ and evidence/ in a folder of their own."""
    for name in ("config", "catalog", "evidence"):
        if (REPO / name).exists():
            shutil.copytree(REPO / name, tmp_path / name)
    shutil.copy(REPO / "cdktf.json", tmp_path / "cdktf.json")
    return tmp_path


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
