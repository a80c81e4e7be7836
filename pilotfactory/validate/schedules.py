"""Validate rules on job schedules: a Quartz cron expression and an IANA time zone."""
from __future__ import annotations

import zoneinfo
from functools import lru_cache

from pilotfactory.catalog.load import Catalog
from pilotfactory.catalog.parse import suggest
from pilotfactory.catalog.resolve import TypedPilot
from pilotfactory.diagnostics.codes import Code
from pilotfactory.diagnostics.diagnostic import Diagnostics
from pilotfactory.validate.cron import day_of_week_names, quartz_error
from pilotfactory.validate.registry import pilot_rule


@lru_cache(maxsize=None)
def _timezones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


@pilot_rule(Code.BAD_CRON)
def schedules_are_quartz_cron(catalog: Catalog, typed: TypedPilot, diags: Diagnostics) -> None:
    """A job schedule is a Quartz cron expression, as Databricks reads it."""
    for j, job in enumerate(typed.pilot.jobs):
        if job.schedule is None:
            continue
        problem = quartz_error(job.schedule.cron)
        if problem:
            path = ("jobs", j, "schedule", "cron")
            diags.error(Code.BAD_CRON, f"cron `{job.schedule.cron}` {problem}", typed.source.where(path), path)


@pilot_rule(Code.UNKNOWN_TIMEZONE)
def schedules_name_a_time_zone(catalog: Catalog, typed: TypedPilot, diags: Diagnostics) -> None:
    """A job schedule's `timezone` is an IANA time zone."""
    for j, job in enumerate(typed.pilot.jobs):
        if job.schedule is not None and job.schedule.timezone not in _timezones():
            path = ("jobs", j, "schedule", "timezone")
            diags.error(Code.UNKNOWN_TIMEZONE, f"`{job.schedule.timezone}` is not an IANA time "
                        f"zone{suggest(job.schedule.timezone, _timezones())}", typed.source.where(path), path)


@pilot_rule(Code.AMBIGUOUS_DAY_OF_WEEK)
def day_of_week_numbers_are_explained(catalog: Catalog, typed: TypedPilot, diags: Diagnostics) -> None:
    """A numbered day-of-week is read back as names: Quartz counts 1 = Sunday, not Monday."""
    for j, job in enumerate(typed.pilot.jobs):
        if job.schedule is None or quartz_error(job.schedule.cron):
            continue
        names = day_of_week_names(job.schedule.cron)
        if names:
            day = job.schedule.cron.split()[5]
            path = ("jobs", j, "schedule", "cron")
            diags.warning(Code.AMBIGUOUS_DAY_OF_WEEK, f"day-of-week `{day}` in cron `{job.schedule.cron}` means "
                          f"`{names}`: Quartz counts 1 = Sunday (Unix cron's 1 is Monday); write `{names}` to "
                          "say which days you mean", typed.source.where(path), path)
