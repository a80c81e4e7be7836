"""The core pipeline commands: `validate`, `synth`, `stacks`, `schema`, `codes`."""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import click

from pilotfactory.cli.options import engine_option, root_option, engine_setting, repo_root
from pilotfactory.cli.output import checked_catalog, print_diagnostics, progress

__all__ = ["register"]


def _stack_names(checked) -> list[str]:
    cat = checked.resolution.catalog
    return ["account", *(f"platform-{e}" for e in cat.environments.environments),
            *(p.stack_id for p in cat.pilots)]


def register(group: click.Group) -> None:
    @group.command()
    @root_option
    @click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
    def validate(root: str | None, fmt: str) -> None:
        """Load, resolve and validate the catalog; print every problem with file:line:col."""
        from pilotfactory.pipeline import check

        checked = check(repo_root(root))
        print_diagnostics(checked.diagnostics, fmt)
        if not checked.ok:
            sys.exit(1)
        if fmt == "text":
            cat = checked.resolution.catalog
            click.echo(f"catalog valid: {len(checked.resolution.pilots)} pilots, "
                       f"{len(cat.pilots)} pilot stacks in {len(cat.environments.environments)} environments")


    @group.command()
    @root_option
    @click.option("--out", "outdir", help="Output folder (default: $CDKTF_OUTDIR or cdktf.out).")
    @engine_option
    @click.option("--no-cache", is_flag=True,
                  help="Rebuild every stack instead of reusing those whose inputs are unchanged.")
    def synth(root: str | None, outdir: str | None, engine: str | None, no_cache: bool) -> None:
        """Validate, then synthesize every stack into cdktf.out/ (all or nothing)."""
        from pilotfactory.pipeline import synth as synth_step

        base = repo_root(root)
        checked = checked_catalog(base, "nothing synthesized")
        target = Path(outdir or os.environ.get("CDKTF_OUTDIR") or base / "cdktf.out")
        if not target.is_absolute():
            target = Path.cwd() / target
        started = time.perf_counter()
        bar = progress(len(_stack_names(checked)), "synthesizing")
        try:
            from pilotfactory.synth.cache import StackCache

            cache = None if no_cache else (base, StackCache.at(base))
            names = synth_step(checked, target, engine_setting(base, engine),
                               on_stack=bar.step if bar else None, cache=cache)
        finally:
            if bar:
                bar.close()
        elapsed = time.perf_counter() - started
        shown = os.path.relpath(target, Path.cwd()) if target.is_relative_to(Path.cwd()) else str(target)
        click.echo(f"synthesized {len(names)} stacks into {shown} in {elapsed:.1f} s")


    @group.command("stacks")
    @root_option
    def list_stacks(root: str | None) -> None:
        """List the stacks synth would write, without loading the CDK."""
        checked = checked_catalog(repo_root(root), "no stacks listed")
        for name in _stack_names(checked):
            click.echo(name)


    @group.command()
    @click.option("--root", help="Repository root (default: here).")
    @click.option("--check", "check_only", is_flag=True, help="Exit 1 if schema/ is out of date.")
    def schema(root: str | None, check_only: bool) -> None:
        """Write the JSON Schemas under schema/ and docs/catalog-reference.md from the model."""
        from pilotfactory.catalog.schema import write_schemas

        stale = write_schemas(repo_root(root) / "schema", check_only=check_only)
        for name in stale:
            click.echo(f"{'stale' if check_only else 'wrote'} {name}")
        if check_only and stale:
            click.echo("run `pilotfactory schema` to regenerate", err=True)
            sys.exit(1)


    @group.command()
    def codes() -> None:
        """List every diagnostic code with what it means."""
        from pilotfactory.diagnostics.codes import all_codes

        for code in all_codes():
            click.echo(f"{code}  {code.explanation}")
