"""Benchmarks of issue 16: every command a reviewer or contributor runs, on a generated estate.

    make bench                                   # 100, 300 and 1000 pilots
    python bench/run.py --pilots 300             # one size (repeat --pilots for several)
    python bench/run.py --pilots 100 --pilots 300 --pilots 1000 --readme
                                                 # the README's table, one column per size
    python bench/run.py --pilots 1000 --only cutover --only rollback   # chosen steps only

The estate comes from tests/factory.py (every pilot earns its declared phase; phases cycle
production/staging/pilot, so a pilot has 1 to 3 stacks), committed in a scratch git repository.
Each measurement is one `pilotfactory` command in a fresh process under `nice -n 10` (other work
shares the cores): wall time, CPU (user + system of the process and the jsii Node.js runtime it
waits for, from wait4), peak RSS of the whole process tree (sampled from /proc every 0.1 s), and
the 1-minute load average when it started.

The `floor` group (with `synth`) writes the cold synth's JSON again with bare cdktf: an App, one
TerraformStack per stack, one `add_override` per provider, backend and resource, no provider
classes and no catalog logic: the cost of the engine alone, against which synth is compared.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

README = REPO / "README.md"
START, END = "<!-- bench:start -->", "<!-- bench:end -->"
CACHE = Path(".pilotfactory") / "cache"
SECURITY = "sec.reviewer@bank.example"
PILOT_STEPS = ("gates", "approve", "release", "cutover", "rollback")  # the one-pilot commands, each alone
# Issue 16's target per step (the table's last column); a step not listed has none.
TARGETS = {
    "validate, cold": "< 5 s at 1,000", "validate, warm": "< 2 s at 1,000",
    "synth, cold": "≤ 2× the floor, < 1.5 GiB at 1,000", "bare cdktf floor (same JSON, cold)": "the floor",
    "synth, warm, 1 pilot changed": "< 10 s at 1,000", "review --base HEAD, 1 pilot changed, warm": "< 5 s wall at 1,000",
    "review --base HEAD, 1 pilot changed, again": "< 5 s wall at 1,000",
    **{step: "< 1 s at 1,000" for step in ("gates PILOT", "approve PILOT", "release PILOT --dry-run",
                                            "release PILOT --dry-run, again", "cutover PILOT --dry-run",
                                            "rollback PILOT --dry-run")},
}  # tests/factory.py: a member of the security role, no builder


@dataclass(frozen=True)
class Measure:
    step: str
    wall: float       # seconds
    cpu: float        # seconds, user + system
    rss: int          # peak bytes of the process tree
    status: int
    load: float       # 1-minute load average at start: the machine is shared


def _tree(pid: int) -> list[int]:
    """pid and its descendants, from /proc/<pid>/task/<tid>/children."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    todo += [int(c) for c in f.read().split()]
        except OSError:
            continue
    return out


def _rss(pids: list[int]) -> int:
    page = os.sysconf("SC_PAGE_SIZE")
    total = 0
    for p in pids:
        try:
            with open(f"/proc/{p}/statm") as f:
                total += int(f.read().split()[1]) * page
        except (OSError, ValueError, IndexError):
            continue
    return total


def run(step: str, args: list[str], cwd: Path, ok: tuple[int, ...] = (0,), python: list[str] | None = None) -> Measure:
    """One command under nice, measured; a status outside `ok` stops the benchmark with its output.
    `python`: arguments to the interpreter instead of `-m pilotfactory`."""
    log = tempfile.TemporaryFile()
    env = {**os.environ, "CI": "1", "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "16,18,20",
           "CHECKPOINT_DISABLE": "1"}
    load = os.getloadavg()[0]
    started = time.perf_counter()
    proc = subprocess.Popen(["nice", "-n", "10", sys.executable, *(python or ["-m", "pilotfactory"]), *args],
                            cwd=cwd, stdout=log, stderr=subprocess.STDOUT, env=env)
    peak = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.1):
            peak[0] = max(peak[0], _rss(_tree(proc.pid)))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    done.set()
    sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in ok:
        log.seek(0)
        raise SystemExit(f"{step}: `pilotfactory {' '.join(args)}` exited {proc.returncode}:\n"
                         + log.read().decode(errors="replace")[-4000:])
    # wait4's maxrss (KiB) is the largest single process: a floor when sampling missed a short run
    rss = max(peak[0], usage.ru_maxrss * 1024)
    return Measure(step, wall, usage.ru_utime + usage.ru_stime, rss, proc.returncode, load)


# The engine alone: the same JSON from an App, stacks and overrides (the provider package's
# __init__, which imports every resource module, is not loaded: no provider class is used).
FLOOR = r"""
import json, sys
from pathlib import Path
import cdktf
out = Path(sys.argv[1])
manifest = json.loads((out / "manifest.json").read_text())
app = cdktf.App(outdir=sys.argv[2])
for name, entry in manifest["stacks"].items():
    doc = json.loads((out / entry["synthesizedStackPath"]).read_text())
    stack = cdktf.TerraformStack(app, name)
    for kind, config in doc.get("terraform", {}).get("backend", {}).items():
        stack.add_override(f"terraform.backend.{kind}", config)
    for kind, configs in doc.get("provider", {}).items():
        stack.add_override(f"provider.{kind}", configs)
    for block in ("data", "resource"):
        for rtype, items in doc.get(block, {}).items():
            for logical, values in items.items():
                stack.add_override(f"{block}.{rtype}.{logical}", {k: v for k, v in values.items() if k != "//"})
app.synth()
"""


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


def estate(root: Path, count: int) -> tuple[str, str, int]:
    """Write and commit the estate; returns a production pilot to change and another to act on,
    and the number of stacks."""
    from tests.factory import specs, write_estate
    from pilotfactory.pipeline import check

    write_estate(root, specs(count))
    (root / ".gitignore").write_text("/.pilotfactory/\n/cdktf.out/\n")
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.name", "Security Reviewer")
    git(root, "config", "user.email", SECURITY)
    git(root, "config", "commit.gpgsign", "false")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "estate")
    checked = check(root)
    assert checked.ok, [d.render() for d in checked.diagnostics.errors][:5]
    production = [p.pilot for p in checked.gates.pilots if p.declared == "production"]
    stacks = 1 + len(checked.resolution.catalog.environments.environments) \
        + len(checked.resolution.catalog.pilots)
    return production[len(production) // 2], production[len(production) // 3], stacks


def cutover_edit(root: Path, pilot: str) -> None:
    """One pilot changed the way a cutover would: release.active is outside the approved content."""
    path = root / "catalog" / "pilots" / f"{pilot}.yaml"
    text = path.read_text(encoding="utf-8")
    changed = re.sub(r"(\n    prod: )green\n", r"\1blue\n", text, count=1)
    assert changed != text, f"{path}: no `prod: green` to switch"
    path.write_text(changed, encoding="utf-8")


def bench(count: int, only: set[str] | None, synth_jobs: int | None = None) -> tuple[int, list[Measure]]:
    out: list[Measure] = []

    def want(step: str) -> bool:
        # review and floor read what synth writes: asking for them runs the synth steps too
        return only is None or step in only or (step in PILOT_STEPS and "pilot" in only) \
            or (step == "synth" and bool({"review", "floor"} & only))

    with tempfile.TemporaryDirectory(prefix=f"pf-bench-{count}-") as tmp:
        root = Path(tmp) / "estate"
        changed, acted, stacks = estate(root, count)
        shutil.rmtree(root / CACHE, ignore_errors=True)
        if want("validate"):
            out.append(run("validate, cold", ["validate"], root))
            out.append(run("validate, warm", ["validate"], root))
        if want("synth"):
            shutil.rmtree(root / CACHE, ignore_errors=True)
            synth = ["synth"] + (["--jobs", str(synth_jobs)] if synth_jobs else [])
            out.append(run("synth, cold", synth, root))
            if want("floor"):
                out.append(run("bare cdktf floor (same JSON, cold)", [str(root / "cdktf.out"), tmp + "/floor"], root,
                               python=["-c", FLOOR]))
            cutover_edit(root, changed)
            out.append(run("synth, warm, 1 pilot changed", synth, root))
            if want("review"):
                review = ["review", "--base", "HEAD", "--fail-on", "never"]
                out.append(run("review --base HEAD, 1 pilot changed, warm", review, root))
                # the first review after synth also fills the per-file validate results it judges with
                out.append(run("review --base HEAD, 1 pilot changed, again", review, root))
            git(root, "checkout", "--", ".")
        if want("gates"):
            out.append(run("gates PILOT", ["gates", acted], root))
        if want("approve"):
            out.append(run("approve PILOT", ["approve", acted, "--gate", "production", "--role", "security"], root))
            git(root, "checkout", "--", ".")
        # The first release computes the pilot's stacks; the second finds them by digest (as a
        # release after its dry run does); cutover starts where release started, and rollback
        # ends where cutover started, so each needs only the stacks the one before did not.
        if want("release"):
            release = ["release", acted, "--env", "staging", "--version", "v1.2.0", "--dry-run"]
            out.append(run("release PILOT --dry-run", release, root))
            out.append(run("release PILOT --dry-run, again", release, root))
        change = ["--change", "CHG-1", "--dry-run"]  # prod is protected: a change reference
        if want("cutover"):
            out.append(run("cutover PILOT --dry-run", ["cutover", acted, "--env", "prod", *change], root))
        if want("rollback"):
            out.append(run("rollback PILOT --dry-run", ["rollback", acted, "--env", "prod", *change], root))
    return stacks, out


def load() -> str:
    """The 1-minute load average and the core count: the machine is shared."""
    one, _, _ = os.getloadavg()
    return f"{os.cpu_count()} cores, load average {one:.1f} at start"


def table(results: dict[int, tuple[int, list[Measure], str]]) -> str:
    sizes = sorted(results)
    steps = list(dict.fromkeys(m.step for n in sizes for m in results[n][1]))
    head = "| step | " + " | ".join(f"{n} pilots ({results[n][0]} stacks)" for n in sizes) + " | target (issue 16) |"
    lines = [head, "|---|" + "---:|" * len(sizes) + "---|"]
    for step in steps:
        cells = []
        for n in sizes:
            m = next((m for m in results[n][1] if m.step == step), None)
            cells.append("–" if m is None else f"{m.wall:.2f} s wall, {m.cpu:.2f} s CPU, {m.rss / 2**20:.0f} MiB, "
                                               f"load {m.load:.1f}")
        lines.append(f"| {step} | " + " | ".join(cells) + f" | {TARGETS.get(step, '')} |")
    when = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    machines = "; ".join(f"{n} pilots: {results[n][2]}" for n in sizes)
    lines += ["", f"Measured {when} with `python bench/run.py` on {platform.machine()} Linux, Python "
                  f"{platform.python_version()}, under `nice -n 10`; {machines}."]
    return "\n".join(lines) + "\n"


def write_readme(text: str) -> None:
    readme = README.read_text(encoding="utf-8")
    start, end = readme.index(START) + len(START), readme.index(END)
    README.write_text(readme[:start] + "\n" + text + readme[end:], encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pilots", type=int, action="append", help="estate size (repeatable; default 100 300 1000)")
    parser.add_argument("--only", action="append", choices=["validate", "synth", "review", "floor", "pilot", *PILOT_STEPS],
                        help="measure only these groups or steps (review and floor run synth too; pilot: "
                             f"{', '.join(PILOT_STEPS)})")
    parser.add_argument("--synth-jobs", type=int, help="synth's --jobs (default: synth's own, the usable cores)")
    parser.add_argument("--readme", action="store_true", help=f"write the table into README.md between {START} and {END}")
    args = parser.parse_args(argv)
    results = {}
    for n in args.pilots or [100, 300, 1000]:
        machine = load()
        stacks, measures = bench(n, set(args.only) if args.only else None, args.synth_jobs)
        results[n] = (stacks, measures, machine)
        print(table({n: results[n]}), flush=True)
    text = table(results)
    print(text)
    if args.readme:
        write_readme(text)


if __name__ == "__main__":
    main()
