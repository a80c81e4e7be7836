"""`pilotfactory window`: may a change deploy to an environment now? For the deploy job to ask first."""
from __future__ import annotations

import datetime as dt
import json
import sys

import click

from pilotfactory.cli.options import root_option

__all__ = ["register", "WAIT"]

# Exit status when a window is closed: "try again later" (sysexits EX_TEMPFAIL), not an error.
WAIT = 75


def _instant(value: str | None) -> dt.datetime:
    from pilotfactory.gates import clock

    if value is None:
        return clock.now()
    try:
        at = dt.datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"`{value}` is not an ISO 8601 date and time, e.g. 2026-12-01T10:30Z",
                                 param_hint="--at") from None
    if at.tzinfo is None:
        raise click.BadParameter("give the offset too (e.g. 2026-12-01T10:30+00:00 or ...Z): a wall-clock "
                                 "time alone is ambiguous", param_hint="--at")
    return at


@click.command("window")
@click.option("--env", "envs", multiple=True, help="Environment to ask about (repeatable; default: every one).")
@click.option("--at", "at", metavar="ISO-8601", help="Ask about this instant instead of now (with its offset).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@root_option
def window(envs: tuple[str, ...], at: str | None, fmt: str, root: str | None) -> None:
    """Whether each environment accepts a change now, and when its next change window opens.

    Exits 0 when every environment asked about is open, 75 (try again later) when one is closed
    by its change windows or a freeze. Environments without `change_control` are always open.
    Emergency rollback does not wait for a window; it records that it ran outside one.
    """
    from pilotfactory.catalog.parse import suggest
    from pilotfactory.cli.options import repo_root
    from pilotfactory.cli.output import checked_catalog
    from pilotfactory.gates.windows import window_state

    instant = _instant(at)
    checked = checked_catalog(repo_root(root), "no window checked", per_pilot=True)
    defined = checked.resolution.catalog.environments.environments
    for name in envs:
        if name not in defined:
            raise click.UsageError(f"environment `{name}` is not defined in config/environments.yaml"
                                   f"{suggest(name, defined)}")
    rows = []
    for name in envs or defined:
        cc = defined[name].change_control
        if cc is None:
            rows.append({"env": name, "open": True, "reason": "no change control", "next_open": None, "closes": None})
            continue
        state = window_state(cc, instant)
        rows.append({"env": name, "open": state.open, "reason": state.reason,
                     "next_open": state.next_open.isoformat() if state.next_open else None,
                     "closes": state.closes.isoformat() if state.closes else None})
    if fmt == "json":
        click.echo(json.dumps({"at": instant.isoformat(), "environments": rows}, indent=2))
    else:
        for row in rows:
            line = f"{row['env']}: {'open' if row['open'] else 'closed'}: {row['reason']}"
            if row["next_open"]:
                line += f"; next window opens {row['next_open']}"
            if row["closes"]:
                line += f"; closes {row['closes']}"
            click.echo(line)
    if not all(row["open"] for row in rows):
        sys.exit(WAIT)


def register(cli: click.Group) -> None:
    cli.add_command(window)
