"""Shared fixtures: a scratch copy of the example repository to break one file at a time."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "16,18,20")


@pytest.fixture
def repo_copy(tmp_path: Path) -> Path:
    """The example config/, catalog/ and evidence/ in a folder of their own."""
    for name in ("config", "catalog", "evidence"):
        if (REPO / name).exists():
            shutil.copytree(REPO / name, tmp_path / name)
    shutil.copy(REPO / "cdktf.json", tmp_path / "cdktf.json")
    return tmp_path
