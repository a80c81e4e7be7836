"""The core pipeline commands: `validate`, `synth`, `stacks`, `schema`, `codes`."""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import click

from pilotfactory.cli.options import engine_option, root_option, engine_setting, repo_root
from pilotfactory.cli.output import checked_catalog, print_diagnostics, progress
from pilotfactory.tfjson.stacknames import stack_names

__all__ = ["register"]


# Exit statuses of `validate` and `synth`: CI fails the pull request that broke a pilot, and only it.
EXIT_OK = 0          # everything valid, every stack built
EXIT_STOPPED = 1     # an error everyone shares (config/, templates): nothing built; or --strict
EXIT_WITHHELD = 3    # the rest built; some pilots have errors or unearned environments, their stacks withheld

_EXIT_HELP = ("Exit status: 0 every stack built; 3 built, but some pilots' stacks withheld (errors in "
              "their own files, unearned gates, guardrail violations); 1 nothing built (an error in "
              "config/ or a template is everyone's), or anything withheld with --strict.")


def _print_withheld(withheld, kept=()) -> None:
    if not withheld:
        return
    pilots = sorted({w.pilot for w in withheld})
    click.echo(f"withheld {len(withheld)} stack{'s' * (len(withheld) != 1)} of {len(pilots)} "
               f"pilot{'s' * (len(pilots) != 1)}; every other stack went on:")
    for w in withheld:
        note = " (previous copy kept)" if w.stack in kept else ""
        click.echo(f"  {w.stack}{note}: {w.reason}")


def _stack_names(checked) -> list[str]:
    cat = checked.resolution.catalog
    return stack_names(cat.environments.environments, (p.stack_id for p in cat.pilots))


def register(group: click.Group) -> None:
    @group.command(epilog="Exit status: 0 everything valid; 3 some pilots have errors in their own files or "
                          "unearned gates (their stacks would be withheld, the rest is valid); 1 an error in "
                          "config/ or a template (everyone's), or any error with --strict.")
    @root_option
    @click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
    @click.option("--strict", is_flag=True, help="Exit 1 on any error, even one that withholds a single pilot.")
    def validate(root: str | None, fmt: str, strict: bool) -> None:
        """Load, resolve and validate the catalog; print every problem with file:line:col."""
        from pilotfactory.verdict import verdict

        checked = verdict(repo_root(root))
        print_diagnostics(checked.diagnostics, fmt)
        if not checked.usable:
            sys.exit(EXIT_STOPPED)
        if fmt == "text":
            _print_withheld(checked.withheld)
            state = "catalog valid" if checked.ok else "catalog usable"
            click.echo(f"{state}: {checked.pilots} pilots, "
                       f"{checked.stacks} pilot stacks in {checked.environments} environments")
        if not checked.ok:
            sys.exit(EXIT_STOPPED if strict else EXIT_WITHHELD)


    @group.command(epilog=_EXIT_HELP)
    @root_option
    @click.option("--out", "outdir", help="Output folder (default: $CDKTF_OUTDIR or cdktf.out).")
    @engine_option
    @click.option("--no-cache", is_flag=True,
                  help="Rebuild every stack instead of reusing those whose inputs are unchanged.")
    @click.option("--strict", is_flag=True,
                  help="All or nothing: any withheld stack writes nothing and exits 1.")
    @click.option("--lenient", is_flag=True,
                  help="Exit 0 when the rest was built though stacks were withheld: the `app` of cdktf.json, "
                       "so one pilot's errors never stop `cdktf deploy` of another.")
    @click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
                  help="Worker processes building stacks at a time, each with its own jsii runtime "
                       "(default: the usable cores; 1 builds in this process).")
    def synth(root: str | None, outdir: str | None, engine: str | None, no_cache: bool, strict: bool,
              lenient: bool, jobs: int | None) -> None:
        """Validate, then synthesize every stack that can be built into cdktf.out/.

        A pilot with errors in its own file, unearned gates or a guardrail violation has its stacks
        withheld, listed with the reason here and in cdktf.out/withheld.json; the previous copy of a
        withheld stack stays (marked `kept_previous`), so a deploy never reads its absence as a
        removal. The output folder is swapped in whole: a failed run leaves the previous one.
        """
        from pilotfactory.pipeline import check, synth as synth_step
        from pilotfactory.synth.build import synthesize_estate
        from pilotfactory.synth.guard import GuardrailViolations

        base = repo_root(root)
        checked = check(base)
        print_diagnostics(checked.diagnostics, "text")
        if strict and lenient:
            raise click.UsageError("--strict and --lenient contradict each other")
        if not checked.usable or (strict and not checked.ok):
            click.echo("nothing synthesized: fix the errors above", err=True)
            sys.exit(EXIT_STOPPED)
        target = Path(outdir or os.environ.get("CDKTF_OUTDIR") or base / "cdktf.out")
        if not target.is_absolute():
            target = Path.cwd() / target
        started = time.perf_counter()
        bar = progress(len(_stack_names(checked)), "synthesizing")
        try:
            from pilotfactory.synth.cache import StackCache

            cache = None if no_cache else (base, StackCache.at(base))
            if strict:
                result = None
                names = synth_step(checked, target, engine_setting(base, engine),
                                   on_stack=bar.step if bar else None, cache=cache, jobs=jobs)
            else:
                result = synthesize_estate(checked.resolution.catalog, target, checked.withheld(),
                                           engine_setting(base, engine), on_stack=bar.step if bar else None,
                                           cache=cache, jobs=jobs)
                names = result.built
        except GuardrailViolations as exc:
            print_diagnostics(exc.diagnostics, "text")
            click.echo(f"nothing synthesized: {str(exc).splitlines()[0]}", err=True)
            sys.exit(EXIT_STOPPED)
        finally:
            if bar:
                bar.close()
        elapsed = time.perf_counter() - started
        shown = os.path.relpath(target, Path.cwd()) if target.is_relative_to(Path.cwd()) else str(target)
        if result is not None:
            print_diagnostics(result.guardrails, "text")
            _print_withheld(result.withheld, result.kept)
        click.echo(f"synthesized {len(names)} stacks into {shown} in {elapsed:.1f} s")
        if result is not None and (result.withheld or not checked.ok) and not lenient:
            sys.exit(EXIT_WITHHELD)


    @group.command("stacks", epilog="Exit status: 0 every stack listed; 3 some pilots' stacks withheld (named "
                                    "on stderr with the reason); 1 an error everyone shares.")
    @root_option
    def list_stacks(root: str | None) -> None:
        """List the stacks synth would build, without loading the CDK; withheld ones go to stderr."""
        checked = checked_catalog(repo_root(root), "no stacks listed", per_pilot=True)
        for name in _stack_names(checked):
            click.echo(name)
        withheld = checked.withheld()
        for w in withheld:
            click.echo(f"withheld {w.stack}: {w.reason}", err=True)
        if withheld:
            sys.exit(EXIT_WITHHELD)


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
