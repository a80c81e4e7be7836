"""Running the checkov that `make setup` installs in .venv-checkov (its pins clash with our pytest)."""
from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from ..conftest import ESTATE, REPO

CHECKOV = REPO / ".venv-checkov" / "bin" / "checkov"


def checkov_failures(directory: Path, root: Path = ESTATE) -> dict[str, set[str]]:
    """Relative file -> ids of the PFG checks that failed there, from one checkov run over `directory`,
    judged against the config/ of the repository at `root` (default: the tests' own estate)."""
    if not CHECKOV.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHECKOV} is missing; `make setup` installs it")
        pytest.skip("checkov is not installed; run `make setup`")
    out = subprocess.run(
        [str(CHECKOV), "-d", str(directory), "--framework", "terraform_json", "--external-checks-dir",
         str(REPO / "policies"), "--skip-download", "--compact", "-o", "json", "--check", "PFG*"],
        capture_output=True, text=True, cwd=root, timeout=120,
        env={**os.environ, "LOG_LEVEL": "WARNING", "PILOTFACTORY_ROOT": str(root)})
    assert out.returncode in (0, 1), out.stderr[-2000:]
    report = json.loads(out.stdout)
    report = report[0] if isinstance(report, list) else report
    assert "results" in report, f"checkov scanned nothing: {report}"
    failures: dict[str, set[str]] = {}
    for result in report["results"]["passed_checks"] + report["results"]["failed_checks"]:
        failures.setdefault(result["file_path"].lstrip("/"), set())
    for result in report["results"]["failed_checks"]:
        failures[result["file_path"].lstrip("/")].add(result["check_id"])
    return failures
