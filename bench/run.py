"""Benchmarks: validate and synth of generated catalogs. Prints a Markdown table for the README.

    make bench                      # N = 10 and 100
    python bench/run.py 10 100 300  # other sizes
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "16,18,20")

from bench.generate import generate_catalog  # noqa: E402

CHILD = r"""
import sys, time, json
from pathlib import Path
t0 = time.perf_counter()
from pilotfactory.pipeline import check
checked = check(Path(sys.argv[1]))
t1 = time.perf_counter()
assert checked.ok, [d.render() for d in checked.diagnostics.errors][:5]
result = {"validate": t1 - t0, "stacks": None, "synth": None, "cdk_loaded_by_validate": "cdktf" in sys.modules}
if sys.argv[2] == "synth":
    from pilotfactory.synth.build import synthesize
    names = synthesize(checked.resolution.catalog, Path(sys.argv[1]) / "cdktf.out")
    result["synth"] = time.perf_counter() - t1
    result["stacks"] = len(names)
print(json.dumps(result))
"""


def measure(root: Path, mode: str) -> dict:
    import json

    started = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", CHILD, str(root), mode], check=True,
                         capture_output=True, text=True)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result["wall"] = time.perf_counter() - started
    return result


def main(sizes: list[int]) -> None:
    rows = []
    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            root = generate_catalog(Path(tmp), n)
            v = min((measure(root, "validate") for _ in range(3)), key=lambda r: r["validate"])
            s = measure(root, "synth")
            rows.append((n, s["stacks"], v["validate"], v["wall"], s["synth"], s["wall"],
                         v["cdk_loaded_by_validate"]))
    print("| pilots | stacks | validate (in process) | validate (whole command) "
          "| synth (after validate) | synth (whole command) | CDK imported by validate |")
    print("|---:|---:|---:|---:|---:|---:|---|")
    for n, stacks, v, vw, s, sw, cdk in rows:
        print(f"| {n} | {stacks} | {v:.2f} s | {vw:.2f} s | {s:.2f} s | {sw:.2f} s | {'yes' if cdk else 'no'} |")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [10, 100])
