"""After a deploy: does the workspace hold the jobs, pause states, traffic and aliases synthesized?"""
from __future__ import annotations

import dataclasses
from typing import Any

from pilotfactory.live.checks import Check
from pilotfactory.live.client import LiveError, Workspace
from pilotfactory.live.expected import Expected

__all__ = ["verify", "live_jobs"]


def live_jobs(ws: Workspace) -> dict[str, list[Any]]:
    """Job name -> the workspace's jobs of that name (every page of jobs list)."""
    out: dict[str, list[Any]] = {}
    for job in ws.call("jobs list", ws.client.jobs.list):
        name = job.settings.name if job.settings else None
        if name:
            out.setdefault(name, []).append(job)
    return out


def _pause(job: Any) -> str | None:
    schedule = job.settings.schedule if job.settings else None
    if schedule is None:
        return None
    return schedule.pause_status.value if schedule.pause_status else "UNPAUSED"


def verify(ws: Workspace, expected: Expected) -> list[Check]:
    """One check per expected job, serving endpoint and model. A 401 or no answer stops (LiveError)."""
    checks: list[Check] = []
    jobs = live_jobs(ws)
    for job in expected.jobs:
        checks.append(dataclasses.replace(_job(job, jobs), stack=job.stack))
    for endpoint in expected.serving:
        checks.append(dataclasses.replace(_serving(ws, endpoint), stack=endpoint.stack))
    for model in expected.models:
        checks.append(dataclasses.replace(_model(ws, model), stack=model.stack))
    return checks


def _job(job, jobs: dict[str, list[Any]]) -> Check:
    """The job of that name exists once, with the pause state its slot asks for."""
    found = jobs.get(job.name, [])
    if not found:
        return Check("job", job.name, False, f"missing (stack `{job.stack}`)")
    if len(found) > 1:
        ids = ", ".join(str(j.job_id) for j in found)
        return Check("job", job.name, False, f"{len(found)} jobs have this name ({ids}): "
                     "one was created by hand or by another deploy")
    live = _pause(found[0])
    if live == job.pause_status:
        state = "no schedule" if live is None else f"schedule {live}"
        return Check("job", job.name, True, f"job {found[0].job_id}, {state}")
    return Check("job", job.name, False, f"schedule is {live or 'absent'}, expected "
                 f"{job.pause_status or 'no schedule'}")


def _serving(ws: Workspace, endpoint) -> Check:
    try:
        live = ws.call(f"serving endpoint `{endpoint.name}`", ws.client.serving_endpoints.get, endpoint.name)
    except LiveError as err:
        if err.fatal:
            raise
        return Check("serving", endpoint.name, False, str(err))
    config = live.config
    routes = {r.served_entity_name: r.traffic_percentage
              for r in (config.traffic_config.routes if config and config.traffic_config else None) or []}
    want = dict(endpoint.routes)
    versions = {e.name: e.entity_version for e in (config.served_entities if config else None) or []}
    want_versions = {e["name"]: str(e["entity_version"]) for e in endpoint.entities}
    if routes != want:
        return Check("serving", endpoint.name, False, f"traffic {_routes(routes)}, expected {_routes(want)}")
    if versions != want_versions:
        return Check("serving", endpoint.name, False, f"served versions {_routes(versions)}, "
                     f"expected {_routes(want_versions)}")
    return Check("serving", endpoint.name, True, f"traffic {_routes(routes)}")


def _routes(routes: dict) -> str:
    return ", ".join(f"{k} {v}{'%' if isinstance(v, int) else ''}" for k, v in sorted(routes.items())) or "none"


def _model(ws: Workspace, model) -> Check:
    try:
        live = ws.call(f"registered model `{model.full_name}`", ws.client.registered_models.get,
                       model.full_name, include_aliases=True)
    except LiveError as err:
        if err.fatal:
            raise
        return Check("model", model.full_name, False, str(err))
    aliases = {a.alias_name: a.version_num for a in live.aliases or []}
    want = dict(model.aliases)
    words = lambda a: ", ".join(f"{k} -> v{v}" for k, v in sorted(a.items())) or "none"  # noqa: E731
    if {k: aliases.get(k) for k in want} != want:
        return Check("model", model.full_name, False, f"aliases {words(aliases)}, expected {words(want)}")
    return Check("model", model.full_name, True, f"aliases {words(want)}")
