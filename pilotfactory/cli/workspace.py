"""The workspace of one environment, for commands that call it: the checked catalog with that
environment defined, a connected client, and the stacks a deploy of the catalog leaves live."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from pilotfactory.cli.options import engine_setting, repo_root
from pilotfactory.cli.output import checked_catalog
from pilotfactory.tfjson.stacknames import platform_stack

__all__ = ["fail", "checked_env", "connect_env", "env_stacks"]


def fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(1)


def checked_env(root: str | None, env: str):
    """(root, checked catalog) with `env` defined, or exit 1 with the reasons."""
    from pilotfactory.catalog.parse import suggest

    base = repo_root(root)
    checked = checked_catalog(base, "nothing checked")
    envs = checked.resolution.catalog.environments.environments
    if env not in envs:
        fail(f"environment `{env}` is not defined in config/environments.yaml{suggest(env, envs)}")
    return base, checked


def connect_env(checked, env: str, host, profile, timeout, retry_timeout):
    from pilotfactory.live.client import LiveError, connect

    try:
        return connect(env, checked.resolution.catalog.environments.environments[env], host=host,
                       profile=profile, timeout=timeout, retry_timeout=retry_timeout)
    except LiveError as err:
        fail(str(err))


def env_stacks(base: Path, checked, env: str, platform: bool = False) -> dict[str, dict]:
    """The `<pilot>-<env>` stacks synth would write now (and `platform-<env>` with `platform`):
    what a deploy of this catalog leaves live."""
    from pilotfactory.synth.build import synth_pilot_stacks, synth_platform_stack

    catalog, engine = checked.resolution.catalog, engine_setting(base, None)
    stacks = {name: json.loads(data) for name, data in synth_pilot_stacks(catalog.env_pilots(env), engine).items()}
    if platform:
        stacks[platform_stack(env)] = json.loads(synth_platform_stack(catalog, env, engine))
    return stacks
