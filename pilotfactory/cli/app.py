"""`pilotfactory`: the command line. Prints diagnostics, never tracebacks.

Commands load lazily: `COMMANDS` names the module of pilotfactory.cli.commands that registers each
one, so `--version` and running one command import only what that command uses.
"""
from __future__ import annotations

import importlib
import os
import sys

import click

from pilotfactory.diagnostics.diagnostic import PilotFactoryError

__all__ = ["cli", "main", "COMMANDS"]

# command -> module of pilotfactory.cli.commands whose register(group) defines it
COMMANDS = {
    "validate": "core", "synth": "core", "stacks": "core", "schema": "core", "codes": "core",
    "gates": "governance", "approve": "governance", "codeowners": "governance", "inventory": "governance",
    "controls": "governance",
    "release": "release", "cutover": "release", "rollback": "release", "rehearse": "release",
    "preflight": "live", "aliases": "live", "verify": "live", "drift": "live",
    "review": "review", "ci-matrix": "ci", "atlantis": "ci",
    "templates": "scaffold", "new": "scaffold",
    "docs": "docs", "evidence": "evidence_pack", "window": "change", "check": "guardrails", "rules": "guardrails",
}


def commands_of(module: str) -> dict[str, click.Command]:
    """The commands one module of pilotfactory.cli.commands registers, by name."""
    collector = click.Group()
    importlib.import_module(f"pilotfactory.cli.commands.{module}").register(collector)
    return dict(collector.commands)


class _LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        module = COMMANDS.get(name)
        return commands_of(module).get(name) if module else None


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="pilotfactory")
def cli() -> None:
    """Pilot Factory: governed pilot-to-production on Databricks."""


def main() -> None:
    from pilotfactory.files.content_cache import caching_by_default

    # Commands reuse what an earlier run parsed and read, by content digest (PILOTFACTORY_NO_CACHE=1: never).
    with caching_by_default(not os.environ.get("PILOTFACTORY_NO_CACHE")):
        _run()


def _run() -> None:
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
