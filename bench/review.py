"""Benchmarks for the review issue, side by side in one run, each measurement in a fresh process:

    validate   100 pilots, no CDK import                          target < 1 s
    synth      100 pilots x 3 environments vs a bare cdktf app
               building the same resources with no catalog logic   target within 1.5x
    review     one changed pilot in a 100-pilot catalog, warm cache target < 5 s

    python bench/review.py [N]      # N pilots (default 100); prints a Markdown table for the README
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "16,18,20")

from bench.generate import generate_catalog  # noqa: E402

VALIDATE = r"""
import sys, time, json
from pathlib import Path
t0 = time.perf_counter()
from pilotfactory.pipeline import check
checked = check(Path(sys.argv[1]))
assert checked.ok, [d.render() for d in checked.diagnostics.errors][:5]
print(json.dumps({"seconds": time.perf_counter() - t0, "cdk": "cdktf" in sys.modules or "constructs" in sys.modules,
                  "stacks": len(checked.resolution.catalog.pilots)}))
"""

SYNTH = r"""
import sys, time, json
from pathlib import Path
t0 = time.perf_counter()
from pilotfactory.pipeline import check
from pilotfactory.synth.build import synthesize
checked = check(Path(sys.argv[1]))
names = synthesize(checked.resolution.catalog, Path(sys.argv[2]))
print(json.dumps({"seconds": time.perf_counter() - t0, "stacks": len(names)}))
"""

# The same resources, written straight from the synthesized JSON: no YAML, no model, no constructs
# of ours; only the CDK app, stacks, backends, providers and one resource object per resource.
BASELINE = r"""
import sys, time, json
from pathlib import Path
out = Path(sys.argv[1])
manifest = json.loads((out / "manifest.json").read_text())
docs = {n: json.loads((out / e["synthesizedStackPath"]).read_text()) for n, e in manifest["stacks"].items()}
t0 = time.perf_counter()
import cdktf
from cdktf_cdktf_provider_databricks.provider import DatabricksProvider
app = cdktf.App(outdir=sys.argv[2])
resources = 0
for name, doc in docs.items():
    stack = cdktf.TerraformStack(app, name)
    for kind, config in doc.get("terraform", {}).get("backend", {}).items():
        stack.add_override(f"terraform.backend.{kind}", config)
    for config in doc.get("provider", {}).get("databricks", []):
        DatabricksProvider(stack, "databricks", **config)
    for rtype, items in doc.get("resource", {}).items():
        for logical, values in items.items():
            r = cdktf.TerraformResource(stack, logical, terraform_resource_type=rtype)
            r.override_logical_id(logical)
            for key, value in values.items():
                if key != "//":
                    r.add_override(key, value)
            resources += 1
app.synth()
print(json.dumps({"seconds": time.perf_counter() - t0, "stacks": len(docs), "resources": resources}))
"""


def child(code: str, *args: str, cwd: Path | None = None) -> tuple[dict, float]:
    started = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code, *args], check=True, capture_output=True, text=True, cwd=cwd)
    return json.loads(out.stdout.strip().splitlines()[-1]), time.perf_counter() - started


def command(*args: str, cwd: Path) -> tuple[int, float, str]:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "pilotfactory", *args], cwd=cwd, capture_output=True, text=True,
                          env={**os.environ, "CI": "1"})
    return done.returncode, time.perf_counter() - started, done.stdout


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True,
                   env={**os.environ, "GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@example.com",
                        "GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "bench@example.com"})


def main(count: int) -> None:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        root = generate_catalog(Path(tmp) / "repo", count, phase="production")

        runs = [child(VALIDATE, str(root)) for _ in range(3)]
        (v, vw) = min(runs, key=lambda r: r[1])
        rows.append((f"validate, {count} pilots ({v['stacks']} pilot stacks)", "< 1 s",
                     f"{vw:.2f} s whole command ({v['seconds']:.2f} s in process); CDK imported: "
                     f"{'yes' if v['cdk'] else 'no'}"))

        out = Path(tmp) / "cdktf.out"
        s, sw = child(SYNTH, str(root), str(out))
        b, bw = child(BASELINE, str(out), str(Path(tmp) / "baseline.out"))
        rows.append((f"synth, {count} pilots x 3 environments ({s['stacks']} stacks), Pilot Factory",
                     "within 1.5x of bare cdktf", f"{sw:.2f} s whole command ({s['seconds']:.2f} s in process)"))
        rows.append((f"synth, the same {b['resources']} resources, bare cdktf", "baseline",
                     f"{bw:.2f} s whole command ({b['seconds']:.2f} s in process); ratio {sw / bw:.2f}x"))

        (root / ".gitignore").write_text("/.pilotfactory/\n/cdktf.out/\n")
        git(root, "init", "-q", "-b", "main")
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", "base")
        status, cold, _ = command("review", "--base", "main", "--fail-on", "never", cwd=root)
        assert status == 0, "review of the unchanged catalog failed"
        # A cutover of one pilot: release.active is outside the approved content, so gates still pass.
        pilot = sorted((root / "catalog" / "pilots").glob("*.yaml"))[count // 2]
        text = pilot.read_text(encoding="utf-8")
        pilot.write_text(text.replace("prod: blue", "prod: green", 1), encoding="utf-8")
        assert pilot.read_text(encoding="utf-8") != text, "the benchmark pilot has no blue prod slot to switch"
        status, warm, report = command("review", "--base", "main", "--fail-on", "never", "--format", "json", cwd=root)
        assert status == 0, report
        summary = json.loads(report)["summary"]
        rows.append((f"review of 1 changed pilot in {count}, warm cache", "< 5 s",
                     f"{warm:.2f} s whole command ({summary['changes']} resource changes, "
                     f"{summary['release']} release facts; cold cache: {cold:.2f} s)"))

    print("| measure | target | result |")
    print("|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100)
