"""`pilotfactory`: the command line. Prints diagnostics, never tracebacks."""
from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import click

from pilotfactory.diagnostics.diagnostic import Diagnostics, PilotFactoryError, Severity

ENGINE_SETTING = "pilotfactoryEngine"  # in cdktf.json's "context"; PILOTFACTORY_ENGINE overrides


def repo_root(value: str | None) -> Path:
    return Path(value or os.environ.get("PILOTFACTORY_ROOT") or ".").resolve()


def engine_setting(root: Path, flag: str | None) -> str:
    """One setting picks the engine: --engine, else $PILOTFACTORY_ENGINE, else cdktf.json."""
    if flag:
        return flag
    if os.environ.get("PILOTFACTORY_ENGINE"):
        return os.environ["PILOTFACTORY_ENGINE"]
    try:
        context = json.loads((root / "cdktf.json").read_text()).get("context", {})
        return context.get(ENGINE_SETTING, "cdktf")
    except (OSError, ValueError):
        return "cdktf"


def print_diagnostics(diags: Diagnostics, fmt: str) -> None:
    items = diags.sorted()
    if fmt == "json":
        click.echo(json.dumps([d.as_dict() for d in items], indent=2))
        return
    for d in items:
        click.echo(d.render(), err=True)
    errors = sum(1 for d in items if d.severity is Severity.ERROR)
    warnings = len(items) - errors
    if items:
        files = len({d.location.file for d in items if d.location})
        parts = [f"{errors} error{'s' * (errors != 1)}"] if errors else []
        parts += [f"{warnings} warning{'s' * (warnings != 1)}"] if warnings else []
        click.echo(f"{', '.join(parts)} in {files} file{'s' * (files != 1)}", err=True)


def checked_catalog(base: Path, refusal: str):
    """The catalog through the pipeline, its diagnostics printed; on errors, exit 1 saying
    `refusal` (what was not done), so no command ever acts on a catalog that does not validate."""
    from pilotfactory.pipeline import check

    checked = check(base)
    print_diagnostics(checked.diagnostics, "text")
    if not checked.ok:
        click.echo(f"{refusal}: fix the errors above", err=True)
        sys.exit(1)
    return checked


def pilot_named(checked, name: str):
    """The pilot `name` of a checked catalog, or a usage error naming the closest one."""
    try:
        return checked.pilot(name)
    except PilotFactoryError as exc:
        raise click.UsageError(str(exc)) from None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="pilotfactory")
def cli() -> None:
    """Pilot Factory: governed pilot-to-production on Databricks."""


@cli.command()
@click.option("--root", help="Repository root holding config/ and catalog/ (default: here).")
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


@cli.command()
@click.option("--root", help="Repository root holding config/ and catalog/ (default: here).")
@click.option("--out", "outdir", help="Output folder (default: $CDKTF_OUTDIR or cdktf.out).")
@click.option("--engine", type=click.Choice(["cdktf", "cdktn"]), default=None,
              help="CDK engine (default: cdktf.json context `pilotfactoryEngine`).")
@click.option("--no-cache", is_flag=True,
              help="Rebuild every stack instead of reusing those whose inputs are unchanged.")
def synth(root: str | None, outdir: str | None, engine: str | None, no_cache: bool) -> None:
    """Validate, then synthesize every stack into cdktf.out/ (all or nothing)."""
    from pilotfactory.synth.build import synthesize

    base = repo_root(root)
    checked = checked_catalog(base, "nothing synthesized")
    target = Path(outdir or os.environ.get("CDKTF_OUTDIR") or base / "cdktf.out")
    if not target.is_absolute():
        target = Path.cwd() / target
    started = time.perf_counter()
    progress = _progress(len(_stack_names(checked)))
    try:
        from pilotfactory.synth.cache import StackCache

        cache = None if no_cache else (base, StackCache.at(base))
        names = synthesize(checked.resolution.catalog, target, engine_setting(base, engine),
                           on_stack=progress.step if progress else None, cache=cache)
    finally:
        if progress:
            progress.close()
    elapsed = time.perf_counter() - started
    shown = os.path.relpath(target, Path.cwd()) if target.is_relative_to(Path.cwd()) else str(target)
    click.echo(f"synthesized {len(names)} stacks into {shown} in {elapsed:.1f} s")


def _stack_names(checked) -> list[str]:
    cat = checked.resolution.catalog
    return ["account", *(f"platform-{e}" for e in cat.environments.environments),
            *(p.stack_id for p in cat.pilots)]


class _Progress:
    """A progress bar per stack on a terminal; nothing in CI logs."""

    def __init__(self, total: int):
        from rich.progress import Progress

        self._progress = Progress(transient=True)
        self._task = self._progress.add_task("synthesizing", total=total)
        self._progress.start()

    def step(self, name: str) -> None:
        self._progress.update(self._task, advance=1, description=f"synthesizing {name}")

    def close(self) -> None:
        self._progress.stop()


def _progress(total: int) -> _Progress | None:
    if not sys.stderr.isatty() or os.environ.get("CI"):
        return None
    return _Progress(total)


@cli.command("stacks")
@click.option("--root", help="Repository root holding config/ and catalog/ (default: here).")
def list_stacks(root: str | None) -> None:
    """List the stacks synth would write, without loading the CDK."""
    checked = checked_catalog(repo_root(root), "no stacks listed")
    for name in _stack_names(checked):
        click.echo(name)


@cli.command()
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


@cli.command()
def codes() -> None:
    """List every diagnostic code with what it means."""
    from pilotfactory.diagnostics.codes import EXPLANATIONS

    for code, text in sorted(EXPLANATIONS.items()):
        click.echo(f"{code}  {text}")


def _register_command_modules() -> None:
    """Each module of pilotfactory.cli.commands adds its commands through `register(cli)`."""
    import importlib
    import pkgutil

    from pilotfactory.cli import commands

    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda i: i.name):
        importlib.import_module(f"{commands.__name__}.{info.name}").register(cli)


_register_command_modules()


def main() -> None:
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except PilotFactoryError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        click.echo("interrupted; the previous output is unchanged", err=True)
        sys.exit(130)
    except Exception as exc:  # a bug: say so in one line, full detail on demand
        if os.environ.get("PILOTFACTORY_DEBUG"):
            raise
        click.echo(f"internal error: {type(exc).__name__}: {exc}\n"
                   "This is a bug in Pilot Factory; rerun with PILOTFACTORY_DEBUG=1 for details.",
                   err=True)
        sys.exit(70)
    sys.exit(0)
