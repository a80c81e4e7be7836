"""Registered-model aliases set and verified through the API: provider 1.99 never sends them.

`databricks_registered_model` in provider 1.99 builds its schema from the create request, so it
accepts `aliases`, but its create and update call only RegisteredModels.Create and Update, which
ignore them (catalog/resource_registered_model.go:48, :106 at v1.99.0); nothing calls SetAlias. The
stacks keep `aliases` as the declaration reviewers read; this step makes them true after a deploy,
a cutover or a rollback, and verify reads them back.
"""
from __future__ import annotations

from pilotfactory.live.checks import Check
from pilotfactory.live.client import LiveError, Workspace
from pilotfactory.live.expected import Expected

__all__ = ["sync_aliases"]


def _live_aliases(ws: Workspace, full_name: str) -> dict[str, int]:
    model = ws.call(f"registered model `{full_name}`", ws.client.registered_models.get, full_name,
                    include_aliases=True)
    return {a.alias_name: a.version_num for a in model.aliases or []}


def sync_aliases(ws: Workspace, expected: Expected, *, dry_run: bool = False) -> list[Check]:
    """Per alias: the version exists, the alias is moved if it points elsewhere, and is read back."""
    checks: list[Check] = []
    for model in expected.models:
        try:
            live = _live_aliases(ws, model.full_name)
        except LiveError as err:
            if err.fatal:
                raise
            checks.append(Check("model", model.full_name, False, str(err)))
            continue
        for alias, version in sorted(model.aliases.items()):
            subject = f"{model.full_name}@{alias}"
            if live.get(alias) == version:
                checks.append(Check("alias", subject, True, f"already version {version}"))
                continue
            try:
                ws.call(f"model version {version} of `{model.full_name}`", ws.client.model_versions.get,
                        model.full_name, version)
            except LiveError as err:
                if err.fatal:
                    raise
                checks.append(Check("alias", subject, False, f"version {version} is not in this registry: "
                                    f"register it before the alias can point at it ({err})"))
                continue
            was = f"version {live[alias]}" if alias in live else "unset"
            if dry_run:
                checks.append(Check("alias", subject, False, f"{was}, would move to version {version}"))
                continue
            try:
                ws.call(f"set alias {alias} on `{model.full_name}`", ws.client.registered_models.set_alias,
                        model.full_name, alias, version)
                now = _live_aliases(ws, model.full_name).get(alias)
            except LiveError as err:
                if err.fatal:
                    raise
                checks.append(Check("alias", subject, False, str(err)))
                continue
            checks.append(Check("alias", subject, now == version,
                                f"{was} -> version {version}" if now == version
                                else f"set, but reads back {now}: another release moved it"))
    return checks
