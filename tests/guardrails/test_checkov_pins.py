"""checkov's separate venv imports our config models: it must use the same pydantic and PyYAML."""
from __future__ import annotations

import tomllib

from ..conftest import REPO


def _pins(lines) -> dict[str, str]:
    out = {}
    for line in lines:
        line = line.split("#", 1)[0].strip()
        if "==" in line:
            name, version = line.split("==", 1)
            out[name.strip().lower()] = version.strip()
    return out


def test_policies_requirements_pin_checkov_and_share_our_pins():
    ours = _pins(tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"])
    theirs = _pins((REPO / "policies" / "requirements.txt").read_text().splitlines())
    assert "checkov" in theirs
    shared = {name: version for name, version in theirs.items() if name != "checkov"}
    assert shared and all(ours.get(name) == version for name, version in shared.items()), (shared, ours)
