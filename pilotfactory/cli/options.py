"""Options every command shares, declared once: the repository root, the CDK engine, the environment."""
from __future__ import annotations

import json
import os
from pathlib import Path

import click

from pilotfactory.live.budget import DEFAULT_RETRY_TIMEOUT, DEFAULT_TIMEOUT

__all__ = ["ENGINE_SETTING", "repo_root", "engine_setting", "root_option", "engine_option",
           "env_option", "dry_run_option", "live_options"]

ENGINE_SETTING = "pilotfactoryEngine"  # in cdktf.json's "context"; PILOTFACTORY_ENGINE overrides

root_option = click.option("--root", help="Repository root holding config/ and catalog/ (default: here).")
engine_option = click.option("--engine", type=click.Choice(["cdktf", "cdktn"]), default=None,
                             help="CDK engine (default: cdktf.json context `pilotfactoryEngine`).")
env_option = click.option("--env", "env", required=True,
                          help="Environment, as named in config/environments.yaml.")
dry_run_option = click.option("--dry-run", is_flag=True, help="Show the change; write nothing.")


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


def live_options(fn):
    """--host, --profile and the timeouts, shared by every command that calls the workspace."""
    for option in reversed([
        click.option("--host", help="Must name the workspace of ENV in config/environments.yaml (so must $DATABRICKS_HOST and the profile's host): anything else is refused."),
        click.option("--profile", help="Databricks config profile (default: $DATABRICKS_CONFIG_PROFILE or DEFAULT)."),
        click.option("--timeout", type=click.FloatRange(min=0.01), default=DEFAULT_TIMEOUT, show_default=True,
                     help="Seconds one HTTP request may take."),
        click.option("--retry-timeout", type=click.IntRange(min=1), default=DEFAULT_RETRY_TIMEOUT,
                     show_default=True, help="Seconds one call may spend retrying 429, 500, 502, 503, 504, connection failures and timeouts (an attempt begun in time may retry as long again)."),
    ]):
        fn = option(fn)
    return fn
