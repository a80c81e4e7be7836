"""In CI nothing rewrites golden files or snapshots: pytest refuses to start (tests/conftest.py)."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import REPO


def _pytest(env: dict, *args: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in ("CI", "UPDATE_GOLDEN")}
    return subprocess.run([sys.executable, "-m", "pytest", "tests/test_architecture.py", "--collect-only", "-q",
                           "-p", "no:cacheprovider", *args], cwd=REPO, env={**clean, **env},
                          capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("env,args,words", [
    ({"CI": "true", "UPDATE_GOLDEN": "1"}, (), "UPDATE_GOLDEN is set with CI=true"),
    ({"CI": "true"}, ("--snapshot-update",), "--snapshot-update with CI=true"),
])
def test_rewriting_expected_output_in_ci_is_refused(env, args, words):
    done = _pytest(env, *args)
    assert done.returncode != 0 and words in done.stdout + done.stderr


def test_outside_ci_the_same_flags_are_allowed():
    done = _pytest({"UPDATE_GOLDEN": "1"})
    assert done.returncode == 0, done.stdout + done.stderr
