"""Validate rules on the environments a pilot names: each is defined in config/environments.yaml."""
from __future__ import annotations

from pilotfactory.catalog.load import Catalog
from pilotfactory.catalog.parse import suggest
from pilotfactory.catalog.resolve import TypedPilot
from pilotfactory.diagnostics.codes import Code
from pilotfactory.diagnostics.diagnostic import Diagnostics
from pilotfactory.validate.registry import pilot_rule


@pilot_rule(Code.UNKNOWN_ENV, Code.UNKNOWN_JOB)
def named_environments_exist(catalog: Catalog, typed: TypedPilot, diags: Diagnostics) -> None:
    """Release, overrides and evidence name defined environments; overlays name the pilot's own jobs."""
    if catalog.environments is None:
        return
    envs = catalog.environments.environments
    pilot, src = typed.pilot, typed.source

    def check(name: str, path: tuple, at_key: bool) -> bool:
        if name in envs:
            return True
        diags.error(Code.UNKNOWN_ENV, f"environment `{name}` is not defined in "
                    f"config/environments.yaml{suggest(name, envs)}", src.where(path, key=at_key), path)
        return False

    for name in pilot.release.active:
        check(name, ("release", "active", name), True)
    for name in pilot.release.canary:
        check(name, ("release", "canary", name), True)
    for name, overlay in pilot.overrides.items():
        if check(name, ("overrides", name), True):
            for field, label, items in (("jobs", "job", overlay.jobs),
                                        ("data_contracts", "data contract", overlay.data_contracts)):
                known = {item.name for item in getattr(pilot, field)}
                for i, item in enumerate(items):
                    if item.name not in known:
                        path = ("overrides", name, field, i, "name")
                        diags.error(Code.UNKNOWN_JOB, f"overlay for `{name}` names {label} `{item.name}`, "
                                    f"which the pilot does not have{suggest(item.name, known)}",
                                    src.where(path), path)
    for i, item in enumerate(pilot.evidence):
        if getattr(item, "env", None) is not None:
            check(item.env, ("evidence", i, "env"), False)
