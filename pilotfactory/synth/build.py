"""The synth step's file handling: build into a scratch folder, then swap it in whole.

A failing or interrupted synth leaves the previous output as it was; a reader never sees half
of one run and half of another.
"""
from __future__ import annotations

import fcntl
import os
import shutil
import tempfile
from pathlib import Path
from typing import Callable, Sequence

from pilotfactory.diagnostics.diagnostic import PilotFactoryError
from pilotfactory.catalog.resolved import ResolvedCatalog, ResolvedPilot
from pilotfactory.synth.cache import StackCache, synth_incremental
from pilotfactory.synth.guard import check_synthesized

__all__ = ["synthesize", "synth_pilot_stacks", "DEFAULT_ENGINE"]

DEFAULT_ENGINE = "cdktf"


def synthesize(catalog: ResolvedCatalog, outdir: Path, engine: str = DEFAULT_ENGINE,
               on_stack: Callable[[str], None] | None = None,
               cache: tuple[Path, StackCache] | None = None) -> list[str]:
    """Synthesize every stack into `outdir`, replacing it only once the whole run succeeded.

    `cache`: (repository root, StackCache) to reuse stacks whose inputs are unchanged (stackcache.py).
    """
    outdir = outdir.absolute()
    outdir.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f".{outdir.name}.", dir=outdir.parent))
    try:
        incremental = None
        if cache is not None:
            incremental = synth_incremental(catalog, cache[0], scratch, engine, cache[1], on_stack)
        else:
            from stacks.app import build_app  # the CDK loads only when something is synthesized

            build_app(catalog, str(scratch), engine, on_stack=on_stack).synth()
        # A violation stops here: the previous output stays. A reused stack passed these same rules
        # with these same inputs (its digest covers config and code), so only rebuilt ones are checked.
        check_synthesized(catalog, scratch, only=incremental.rebuilt if incremental else None)
        if incremental is not None:
            incremental.store(cache[1], scratch)
        names = sorted(p.name for p in (scratch / "stacks").iterdir())
        os.chmod(scratch, 0o755)
        _swap(scratch, outdir)
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise
    return names


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
