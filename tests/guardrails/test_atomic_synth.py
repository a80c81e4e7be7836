"""Synth writes atomically: a killed run leaves the previous output; two runs at once do not mix."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path



def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _synth(root: Path, out: Path) -> subprocess.Popen:
    env = {**os.environ, "PILOTFACTORY_ROOT": str(root), "CI": "true"}
    return subprocess.Popen([sys.executable, "-m", "pilotfactory", "synth", "--no-cache", "--out", str(out)],
                            cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_a_killed_synth_leaves_the_previous_output_intact(estate_root, tmp_path):
    out = tmp_path / "cdktf.out"
    (out / "stacks" / "previous").mkdir(parents=True)
    (out / "stacks" / "previous" / "cdk.tf.json").write_text('{"previous": true}')
    before = _tree(out)
    proc = _synth(estate_root, out)
    deadline = time.monotonic() + 60
    # kill once the scratch folder exists: the run is building its output beside ours
    while time.monotonic() < deadline and proc.poll() is None:
        if any(p.is_dir() for p in tmp_path.glob(".cdktf.out.*")):
            break
        time.sleep(0.02)
    assert proc.poll() is None, "synth ended before it could be interrupted"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert _tree(out) == before


def test_two_synths_at_once_leave_one_whole_clean_output(estate_root, synthesized, tmp_path):
    out = tmp_path / "cdktf.out"
    procs = [_synth(estate_root, out), _synth(estate_root, out)]
    results = [p.communicate(timeout=180) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [err for _, err in results]
    assert _tree(out) == _tree(synthesized)
    assert [p.name for p in tmp_path.iterdir() if p.is_dir() and p.name != "cdktf.out"] == []
