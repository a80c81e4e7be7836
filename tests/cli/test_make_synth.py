"""`make synth` (the quick start): one pilot's withheld stacks (synth exits 3) never stop the other
pilots' documents, and make still fails; an error everyone shares (exit 1) stops before `docs`.
The Makefile recipe runs against a stand-in `pilotfactory` that records its calls."""
from __future__ import annotations

import shutil
import subprocess

import pytest

from tests.conftest import REPO

STAND_IN = """#!/bin/sh
echo "$1" >> "$(dirname "$0")/calls"
case "$1" in synth) exit "$SYNTH_RC";; docs) exit "$DOCS_RC";; esac
"""


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
@pytest.mark.parametrize("synth, docs, calls, ok", [
    (0, 0, ["synth", "docs"], True),
    (3, 0, ["synth", "docs"], False),   # withheld stacks: the documents are still written
    (0, 3, ["synth", "docs"], False),
    (1, 0, ["synth"], False),           # nothing synthesized: no documents
    (2, 0, ["synth"], False),
])
def test_make_synth_writes_the_documents_past_withheld_stacks(tmp_path, synth, docs, calls, ok):
    (tmp_path / "pilotfactory").write_text(STAND_IN)
    (tmp_path / "pilotfactory").chmod(0o755)
    # -o setup: the stand-in needs no virtualenv
    done = subprocess.run(["make", "-s", "-o", "setup", "synth", f"BIN={tmp_path}"], cwd=REPO,
                          env={"PATH": "/usr/bin:/bin", "SYNTH_RC": str(synth), "DOCS_RC": str(docs)},
                          capture_output=True, text=True)
    assert (tmp_path / "calls").read_text().split() == calls
    assert (done.returncode == 0) is ok, done.stderr


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_setup_fetches_the_history_a_shallow_clone_lacks(tmp_path):
    """Signed approvals are verified against the commits that introduced them: `make setup`
    unshallows a clone made with --depth 1 (here from this repository, which answers)."""
    clone = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{REPO}", str(clone)], check=True)

    def shallow() -> str:
        return subprocess.run(["git", "rev-parse", "--is-shallow-repository"], cwd=clone,
                              capture_output=True, text=True, check=True).stdout.strip()

    assert shallow() == "true"
    done = subprocess.run(["make", "-s", "history"], cwd=clone, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert shallow() == "false"
