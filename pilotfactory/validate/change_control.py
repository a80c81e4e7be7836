"""Validate rules on change control: windows, freezes and change references must be readable."""
from __future__ import annotations

import datetime as dt
import re
import zoneinfo

from pilotfactory.catalog.load import Catalog
from pilotfactory.catalog.parse import suggest
from pilotfactory.catalog.resolve import Resolution
from pilotfactory.diagnostics.codes import Code
from pilotfactory.diagnostics.diagnostic import Diagnostics
from pilotfactory.catalog.change_refs import change_ref_problem
from pilotfactory.catalog.resolve import TypedPilot
from pilotfactory.validate.registry import catalog_rule, pilot_rule


def _date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text) else None
    except ValueError:
        return None


def _date_problem(text: str) -> str:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return f"`{text}` is not a date: write YYYY-MM-DD"
    return f"`{text}` is no such date"


@catalog_rule(Code.BAD_CHANGE_CONTROL)
def change_control_is_readable(catalog: Catalog, resolution: Resolution, diags: Diagnostics) -> None:
    """Change windows name an IANA zone; freezes are real dates, first before last; patterns compile."""
    envs = catalog.environments
    if envs is None:
        return
    src = catalog.config_sources["environments"]
    for name, env in envs.environments.items():
        cc = env.change_control
        if cc is None:
            continue
        base = ("environments", name, "change_control")
        if cc.timezone not in zoneinfo.available_timezones():
            path = base + ("timezone",)
            diags.error(Code.BAD_CHANGE_CONTROL, f"`{cc.timezone}` is not an IANA time zone"
                        f"{suggest(cc.timezone, zoneinfo.available_timezones())}", src.where(path), path)
        for i, freeze in enumerate(cc.freezes):
            first, last = _date(freeze.start), _date(freeze.end)
            for key, text, value in (("from", freeze.start, first), ("to", freeze.end, last)):
                if value is None:
                    path = base + ("freezes", i, key)
                    diags.error(Code.BAD_CHANGE_CONTROL, _date_problem(text), src.where(path), path)
            if first and last and last < first:
                path = base + ("freezes", i, "to")
                diags.error(Code.BAD_CHANGE_CONTROL, f"the freeze ends ({freeze.end}) before it starts "
                            f"({freeze.start})", src.where(path), path)
        if cc.ticket_pattern is not None:
            try:
                re.compile(cc.ticket_pattern)
            except re.error as err:
                path = base + ("ticket_pattern",)
                diags.error(Code.BAD_CHANGE_CONTROL, f"`ticket_pattern` is not a regular expression: {err}",
                            src.where(path), path)


@catalog_rule(Code.NO_CHANGE_WINDOWS)
def protected_environments_have_change_windows(catalog: Catalog, resolution: Resolution,
                                               diags: Diagnostics) -> None:
    """A protected environment without change windows is a warning: it takes changes at any time."""
    envs = catalog.environments
    if envs is None:
        return
    src = catalog.config_sources["environments"]
    for name, env in envs.environments.items():
        if env.protected and env.change_control is None:
            path = ("environments", name)
            diags.warning(Code.NO_CHANGE_WINDOWS, f"protected environment `{name}` has no `change_control`: "
                          "its stacks deploy whenever CI runs", src.where(path, key=True), path)


@pilot_rule(Code.BAD_CHANGE_REF, Code.EMERGENCY_CHANGE_OPEN)
def recorded_change_references_fit_their_environment(catalog: Catalog, typed: TypedPilot,
                                                     diags: Diagnostics) -> None:
    """Each `release.changes.<env>.ref` matches that environment's ticket pattern; the environment exists."""
    if catalog.environments is None:
        return
    envs = catalog.environments.environments
    for env_name, record in typed.pilot.release.changes.items():
        if env_name not in envs:
            path = ("release", "changes", env_name)
            diags.error(Code.BAD_CHANGE_REF, f"a change record for environment `{env_name}`, which "
                        f"config/environments.yaml does not define{suggest(env_name, envs)}",
                        typed.source.where(path, key=True), path)
            continue
        if record.ref is None and record.action == "emergency_rollback":
            path = ("release", "changes", env_name)
            diags.warning(Code.EMERGENCY_CHANGE_OPEN, f"the emergency rollback of {record.date.isoformat()} in "
                          f"`{env_name}` has no change reference yet: raise the retrospective change and "
                          "set its `ref`", typed.source.where(path, key=True), path)
            continue
        if record.ref is None:
            path = ("release", "changes", env_name)
            diags.error(Code.BAD_CHANGE_REF, f"the {record.action} recorded for `{env_name}` has no change "
                        "reference: only an emergency rollback may wait for one",
                        typed.source.where(path, key=True), path)
            continue
        problem = change_ref_problem(env_name, envs[env_name], record.ref)
        if problem is not None:
            path = ("release", "changes", env_name, "ref")
            diags.error(Code.BAD_CHANGE_REF, problem, typed.source.where(path), path)
