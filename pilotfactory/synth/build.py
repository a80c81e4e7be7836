"""The synth step's file handling: build into a scratch folder, then swap it in whole.

A failing or interrupted synth leaves the previous output as it was; a reader never sees half
of one run and half of another.
"""
from __future__ import annotations

import fcntl
import json
import os
import shutil
import tempfile
from pathlib import Path
from dataclasses import dataclass, field
from typing import Callable, Mapping, Sequence

from pilotfactory.diagnostics.diagnostic import Diagnostics, PilotFactoryError
from pilotfactory.catalog.resolved import ResolvedCatalog, ResolvedPilot
from pilotfactory.isolation import Withheld
from pilotfactory.synth.cache import StackCache, synth_incremental
from pilotfactory.synth.manifest import write_manifest
from pilotfactory.synth.guard import GuardrailViolations, check_synthesized, violations_by_stack
from pilotfactory.synth.workers import build_stacks
from pilotfactory.tfjson.stacknames import platform_stack

__all__ = ["synthesize", "synthesize_estate", "synthesize_cached", "Synthesized", "synth_pilot_stacks",
           "DEFAULT_ENGINE", "WITHHELD_FILE"]

DEFAULT_ENGINE = "cdktf"
WITHHELD_FILE = "withheld.json"  # beside manifest.json: the stacks this run did not build, and why


@dataclass
class Synthesized:
    built: list[str]                                        # stacks built (or reused) this run
    withheld: list[Withheld] = field(default_factory=list)  # not built; reasons
    kept: list[str] = field(default_factory=list)           # withheld stacks whose previous copy stays
    guardrails: Diagnostics = field(default_factory=Diagnostics)  # violations that withheld a stack
    # synthesize_cached: stack id -> (its digest, where its cdk.tf.json is)
    stacks: dict[str, tuple[str, Path]] = field(default_factory=dict)


def synthesize(catalog: ResolvedCatalog, outdir: Path, engine: str = DEFAULT_ENGINE,
               on_stack: Callable[[str], None] | None = None,
               cache: tuple[Path, StackCache] | None = None, jobs: int | None = None) -> list[str]:
    """Synthesize every stack into `outdir`, replacing it only once the whole run succeeded.

    `cache`: (repository root, StackCache) to reuse stacks whose inputs are unchanged (stackcache.py).
    `jobs`: worker processes building stacks at a time (synth/workers.py; None: the usable cores).
    """
    return _synthesize(catalog, outdir, engine, on_stack, cache, None, jobs).built


def synthesize_estate(catalog: ResolvedCatalog, outdir: Path, withheld: Sequence[Withheld],
                      engine: str = DEFAULT_ENGINE, on_stack: Callable[[str], None] | None = None,
                      cache: tuple[Path, StackCache] | None = None, jobs: int | None = None) -> Synthesized:
    """Like `synthesize`, for an estate where some pilots' stacks are withheld (`withheld`): a
    guardrail violation in a pilot stack withholds that stack instead of the whole run (one in the
    platform or account stacks still stops everything), the previous copy of each withheld stack
    stays in `outdir` (listed in manifest.json, so no deploy reads its absence as a removal), and
    `outdir/withheld.json` lists what was withheld and why."""
    return _synthesize(catalog, outdir, engine, on_stack, cache, list(withheld), jobs)


def synthesize_cached(catalog: ResolvedCatalog, scratch: Path, withheld: Sequence[Withheld], engine: str,
                      cache: tuple[Path, StackCache], digests: Mapping[str, str] | None = None,
                      jobs: int | None = None) -> Synthesized:
    """What `synthesize_estate` builds, for a reader of the stacks (review) rather than a deploy: a
    stack the cache holds is read where the cache keeps it (`Synthesized.stacks`), never copied;
    only the stacks it lacks are built into `scratch`, checked (a violation withholds a pilot stack,
    and stops everything in a platform or account stack) and cached. No output folder is written.
    `digests`: every stack to have, with its digest, when known (synth/cache.py `synth_incremental`)."""
    scratch.mkdir(parents=True, exist_ok=True)
    incremental = synth_incremental(catalog, cache[0], scratch, engine, cache[1], jobs=jobs, digests=digests,
                                    copy=False)
    result = Synthesized([], withheld=list(withheld))
    if incremental.rebuilt:
        _withhold_violations(catalog, scratch, incremental.rebuilt, result)
        incremental.store(cache[1], scratch, skip={w.stack for w in result.withheld})
    gone = {w.stack for w in result.withheld}
    result.stacks = {name: (incremental.digests[name], path) for name, path in sorted(incremental.paths.items())
                     if name not in gone}
    result.built = list(result.stacks)
    return result


def _synthesize(catalog: ResolvedCatalog, outdir: Path, engine: str, on_stack, cache,
                withheld: list[Withheld] | None, jobs: int | None) -> Synthesized:
    outdir = outdir.absolute()
    outdir.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f".{outdir.name}.", dir=outdir.parent))
    try:
        incremental = None
        if cache is not None:
            incremental = synth_incremental(catalog, cache[0], scratch, engine, cache[1], on_stack, jobs=jobs)
        else:
            build_stacks(catalog, scratch, engine, None, jobs, on_stack)
        # A violation stops here: the previous output stays. A reused stack passed these same rules
        # with these same inputs (its digest covers config and code), so only rebuilt ones are checked.
        only = incremental.rebuilt if incremental else None
        result = Synthesized([])
        if withheld is None:
            check_synthesized(catalog, scratch, only=only)
        else:
            result.withheld = list(withheld)
            _withhold_violations(catalog, scratch, only, result)
        if incremental is not None:
            incremental.store(cache[1], scratch, skip={w.stack for w in result.withheld})
        result.built = sorted(p.name for p in (scratch / "stacks").iterdir())
        if withheld is not None:
            result.kept = _keep_previous(outdir, scratch, result.withheld)
        _write_withheld(scratch, result)  # always there, so a deploy step can read it unconditionally
        os.chmod(scratch, 0o755)
        _swap(scratch, outdir)
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise
    return result


def _withhold_violations(catalog: ResolvedCatalog, scratch: Path, only, result: Synthesized) -> None:
    """Withhold each pilot stack that breaks a rule; a platform or account stack that does stops all."""
    found = violations_by_stack(catalog, scratch, only)
    pilots = {rp.stack_id: rp for rp in catalog.pilots}
    everyone = Diagnostics()
    for stack in sorted(found):
        if stack not in pilots:
            everyone.extend(found[stack].items)
    if everyone.items:
        raise GuardrailViolations(everyone)
    if not found:
        return
    manifest_path = scratch / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    for stack in sorted(found):
        rp, first = pilots[stack], found[stack].errors[0]
        more = len(found[stack].errors) - 1
        result.withheld.append(Withheld(stack, rp.name, rp.file, "guardrails", f"guardrail violation: "
                                        f"{first.render()}" + (f" (and {more} more)" if more else "")))
        result.guardrails.extend(found[stack].items)
        shutil.rmtree(scratch / "stacks" / stack)
        manifest["stacks"].pop(stack, None)
    write_manifest(manifest_path, manifest["stacks"], manifest.get("version", ""))


def _keep_previous(outdir: Path, scratch: Path, withheld: list[Withheld]) -> list[str]:
    """Copy each withheld stack's previous synthesized folder (and manifest entry) into the new
    output: a stack missing from the output must never read as "destroy it" to a deploy."""
    try:
        previous = json.loads((outdir / "manifest.json").read_text(encoding="utf-8"))["stacks"]
    except (OSError, ValueError, KeyError, TypeError):
        return []
    kept = []
    for stack in sorted({w.stack for w in withheld}):
        entry, folder = previous.get(stack), outdir / "stacks" / stack
        if entry is None or not (folder / "cdk.tf.json").is_file() or (scratch / "stacks" / stack).exists():
            continue
        shutil.copytree(folder, scratch / "stacks" / stack)
        kept.append(stack)
    if kept:
        manifest = json.loads((scratch / "manifest.json").read_text(encoding="utf-8"))
        manifest["stacks"].update({stack: previous[stack] for stack in kept})
        write_manifest(scratch / "manifest.json", manifest["stacks"], manifest.get("version", ""))
    return kept


def _write_withheld(scratch: Path, result: Synthesized) -> None:
    entries = [{**w.as_dict(), "kept_previous": w.stack in result.kept} for w in result.withheld]
    (scratch / WITHHELD_FILE).write_text(json.dumps(
        {"built": result.built, "withheld": entries}, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def synth_pilot_stacks(pilots: Sequence[ResolvedPilot], engine: str = DEFAULT_ENGINE) -> dict[str, bytes]:
    """stack id -> `cdk.tf.json` bytes of each `<pilot>-<env>` stack given, synthesized in a
    throwaway folder: what `synthesize` would write for them, without touching its output."""
    if not pilots:
        return {}
    from stacks.engine import get_engine  # the CDK loads only when something is synthesized
    from stacks.pilot_stack import define_pilot_stack

    with tempfile.TemporaryDirectory(prefix="pilotfactory-stacks-") as outdir:
        app = get_engine(engine).app(outdir)
        for rp in pilots:
            define_pilot_stack(app, rp)
        app.synth()
        return {rp.stack_id: (Path(outdir) / "stacks" / rp.stack_id / "cdk.tf.json").read_bytes()
                for rp in pilots}


def synth_platform_stack(catalog: ResolvedCatalog, env: str, engine: str = DEFAULT_ENGINE) -> bytes:
    """`cdk.tf.json` bytes of the `platform-<env>` stack, synthesized in a throwaway folder."""
    from stacks.engine import get_engine  # the CDK loads only when something is synthesized
    from stacks.platform_stack import define_platform_stack

    with tempfile.TemporaryDirectory(prefix="pilotfactory-stacks-") as outdir:
        app = get_engine(engine).app(outdir)
        define_platform_stack(app, catalog, env)
        app.synth()
        return (Path(outdir) / "stacks" / platform_stack(env) / "cdk.tf.json").read_bytes()


def _swap(new: Path, target: Path) -> None:
    # Two synths finishing together would race between moving the old tree out and the new one in.
    lock = os.open(target.parent, os.O_RDONLY)  # the parent folder itself: no lock file left behind
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)
        old = None
        if target.exists():
            if not target.is_dir():
                raise PilotFactoryError(f"{target} exists and is not a folder")
            old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old.", dir=target.parent))
            os.rmdir(old)
            os.replace(target, old)
        os.replace(new, target)
    finally:
        os.close(lock)  # closing releases the lock
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
