"""The synth step's file handling: build into a scratch folder, then swap it in whole.

A failing or interrupted synth leaves the previous output as it was; a reader never sees half
of one run and half of another.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Callable

from .diagnostics import PilotFactoryError
from .resolved import ResolvedCatalog

__all__ = ["synthesize", "DEFAULT_ENGINE"]

DEFAULT_ENGINE = "cdktf"


def synthesize(catalog: ResolvedCatalog, outdir: Path, engine: str = DEFAULT_ENGINE,
               on_stack: Callable[[str], None] | None = None) -> list[str]:
    """Synthesize every stack into `outdir`, replacing it only once the whole run succeeded."""
    from stacks.app import build_app  # the CDK loads only when something is synthesized

    outdir = outdir.absolute()
    outdir.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f".{outdir.name}.", dir=outdir.parent))
    try:
        app = build_app(catalog, str(scratch), engine, on_stack=on_stack)
        app.synth()
        names = sorted(p.name for p in (scratch / "stacks").iterdir())
        os.chmod(scratch, 0o755)
        _swap(scratch, outdir)
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise
    return names


def _swap(new: Path, target: Path) -> None:
    old = None
    if target.exists():
        if not target.is_dir():
            raise PilotFactoryError(f"{target} exists and is not a folder")
        old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old.", dir=target.parent))
        os.rmdir(old)
        os.replace(target, old)
    os.replace(new, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
