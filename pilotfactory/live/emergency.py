"""An emergency rollback made live at once: schedules, serving traffic and model aliases, through the API.

The target is the synthesized stack of the rolled-back catalog, so what the API sets now is what
the next `cdktf deploy` keeps. Every step is idempotent: after a failure, running the command
again finishes the job.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping

from pilotfactory.live.client import LiveError, Workspace
from pilotfactory.live.expected import expected_of
from pilotfactory.live.verify import live_jobs

__all__ = ["Step", "flip"]


@dataclass(frozen=True)
class Step:
    action: str      # one line: what was (or was to be) done
    ok: bool
    detail: str = ""


def _jobs_steps(ws: Workspace, expected) -> list[tuple[str, Callable[[], Any]]]:
    from databricks.sdk.service.jobs import CronSchedule, JobSettings, PauseStatus

    jobs = live_jobs(ws)
    pauses, unpauses = [], []
    for job in expected.jobs:
        if job.pause_status is None:
            continue
        found = jobs.get(job.name, [])
        if len(found) != 1:
            raise LiveError(f"job `{job.name}`: " + ("not in the workspace" if not found else
                            f"{len(found)} jobs have this name") + "; nothing changed")
        live = found[0]
        schedule = live.settings.schedule
        if schedule is not None and schedule.pause_status is not None and schedule.pause_status.value == job.pause_status:
            continue
        values = job.settings["schedule"]
        new = JobSettings(schedule=CronSchedule(quartz_cron_expression=values["quartz_cron_expression"],
                                                timezone_id=values["timezone_id"],
                                                pause_status=PauseStatus(job.pause_status)))
        verb = "pause" if job.pause_status == "PAUSED" else "unpause"
        step = (f"{verb} job `{job.name}` ({live.job_id})",
                lambda j=live.job_id, n=new, v=verb, name=job.name: ws.call(
                    f"jobs update {j} ({v} `{name}`)", ws.client.jobs.update, j, new_settings=n))
        (pauses if verb == "pause" else unpauses).append(step)
    # Pause the slot going out before the one coming in runs: never both at once.
    return pauses + unpauses


def _serving_steps(ws: Workspace, expected) -> list[tuple[str, Callable[[], Any]]]:
    from databricks.sdk.service.serving import Route, ServedEntityInput, TrafficConfig

    out = []
    for endpoint in expected.serving:
        routes = ", ".join(f"{k} {v}%" for k, v in sorted(endpoint.routes.items()))
        entities = [ServedEntityInput.from_dict(dict(e)) for e in endpoint.entities]
        traffic = TrafficConfig(routes=[Route(served_entity_name=k, traffic_percentage=v)
                                        for k, v in sorted(endpoint.routes.items())])
        # update_config returns a waiter; the incident needs the change accepted, not the rollout awaited.
        out.append((f"serving endpoint `{endpoint.name}` traffic: {routes}",
                    lambda e=endpoint, s=entities, t=traffic: ws.call(
                        f"serving endpoint `{e.name}` update_config", ws.client.serving_endpoints.update_config,
                        e.name, served_entities=s, traffic_config=t)))
    for model in expected.models:
        for alias, version in sorted(model.aliases.items()):
            out.append((f"model `{model.full_name}` alias {alias} -> version {version}",
                        lambda m=model.full_name, a=alias, v=version: ws.call(
                            f"set alias {a} on `{m}`", ws.client.registered_models.set_alias, m, a, v)))
    return out


def flip(ws: Workspace, target_stack: Mapping[str, Any], stack_name: str) -> list[Step]:
    """Make the workspace match `target_stack`'s slot state; stops at the first failure."""
    expected = expected_of({stack_name: target_stack})
    steps: list[Step] = []
    try:
        # Traffic and aliases first: callers stop reaching the bad version before anything else moves.
        planned = _serving_steps(ws, expected) + _jobs_steps(ws, expected)
    except LiveError as err:
        return [Step("read the live jobs", False, str(err))]
    for action, run in planned:
        try:
            run()
        except LiveError as err:
            steps.append(Step(action, False, str(err)))
            steps += [Step(a, False, "not attempted") for a, _ in planned[len(steps):]]
            return steps
        steps.append(Step(action, True))
    return steps
