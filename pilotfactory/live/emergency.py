"""An emergency rollback made live through the API: read first, check rights, then move, re-reading.

    plan      the target stack + the live workspace -> Moves (each with its live value now, the
              target, whether it is already done) and the rights the caller lacks; no writes
    execute   Moves -> StepResults, in order, stopping at the first failure; a request whose
              response was lost is re-read, not counted as a failure

The target is the synthesized stack of the rolled-back catalog, so what the API sets now is what
the next `cdktf deploy` keeps. Order: serving traffic first (callers stop reaching the bad
version), then model aliases, then the schedules of the slots taking traffic are unpaused before
the others are paused, so a failure halfway never leaves both slots' jobs paused.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from pilotfactory.live.client import LiveError, Workspace
from pilotfactory.live.expected import expected_of
from pilotfactory.catalog.emergency_access import EMERGENCY_LEVEL
from pilotfactory.live.verify import live_jobs
from pilotfactory.tfjson.objects import PermissionObject, object_of_key, rank

__all__ = ["Move", "Plan", "StepResult", "plan", "execute", "NEEDED"]

# What each kind of move needs: (the object, level).
NEEDED: dict[str, tuple[PermissionObject, str]] = {
    "traffic": (object_of_key("serving_endpoint"), EMERGENCY_LEVEL["serving_endpoint"]),
    "unpause": (object_of_key("job"), EMERGENCY_LEVEL["job"]),
    "pause": (object_of_key("job"), EMERGENCY_LEVEL["job"]),
}


@dataclass
class Move:
    kind: str                         # traffic, alias, unpause, pause
    subject: str                      # `serving endpoint x`, `model c.s.m`, `job x (123)`
    change: str                       # `traffic blue 90% -> 100%, green 10% -> 0%`
    done: bool                        # the workspace already has it: skipped
    apply: Callable[[], Any] = field(repr=False)
    applied: Callable[[], bool] = field(repr=False)   # re-read: does the workspace have it now?
    deferred: str = ""                # why it is left to the next deploy instead

    def line(self) -> str:
        return f"{self.subject}: {self.change}"


@dataclass
class Plan:
    caller: str
    moves: list[Move]
    missing: list[str]                # rights the caller lacks, one line per object

    @property
    def to_do(self) -> list[Move]:
        return [m for m in self.moves if not m.done and not m.deferred]


@dataclass(frozen=True)
class StepResult:
    move: Move
    result: str                       # done, already done, deferred, failed, not attempted
    detail: str = ""


# ---- reading the workspace --------------------------------------------------------------------

@dataclass(frozen=True)
class _Caller:
    name: str                         # user name, or a service principal's application id
    groups: frozenset[str]

    def holds(self, acl: Any, level: str, kind: PermissionObject) -> bool:
        """Whether any entry for the caller, one of its groups or everyone reaches `level`."""
        if "admins" in self.groups:
            return True
        for entry in getattr(acl, "access_control_list", None) or []:
            mine = (entry.user_name == self.name or entry.service_principal_name == self.name
                    or (entry.group_name is not None and (entry.group_name in self.groups or entry.group_name == "users")))
            if mine and any(p.permission_level is not None and rank(p.permission_level.value, kind) >= rank(level, kind)
                            for p in entry.all_permissions or []):
                return True
        return False


def _caller(ws: Workspace) -> _Caller:
    me = ws.call("current user", ws.client.current_user.me)
    groups = frozenset(g.display for g in me.groups or [] if g.display)
    return _Caller(me.user_name or "unknown", groups)


def _routes(config: Any) -> dict[str, int]:
    traffic = getattr(config, "traffic_config", None) if config is not None else None
    return {r.served_entity_name: int(r.traffic_percentage or 0) for r in (traffic.routes if traffic else None) or []}


def _shares(routes: Mapping[str, int]) -> str:
    return ", ".join(f"{k} {v}%" for k, v in sorted(routes.items())) or "none"


def _moved(before: Mapping[str, int], after: Mapping[str, int]) -> str:
    keys = sorted(set(before) | set(after))
    return ", ".join(f"{k} {before.get(k, 0)}% -> {after.get(k, 0)}%" for k in keys if before.get(k, 0) != after.get(k, 0))


def _serving_moves(ws: Workspace, caller: _Caller, endpoints, missing: list[str]) -> list[Move]:
    from databricks.sdk.service.serving import Route, ServedEntityInput, TrafficConfig

    out = []
    for endpoint in endpoints:
        want = dict(endpoint.routes)

        def read(name=endpoint.name):
            return ws.call(f"serving endpoint `{name}`", ws.client.serving_endpoints.get, name)

        def applied(read=read, want=want) -> bool:
            live = read()
            # A config update in progress already carries the new traffic: that counts as applied.
            return _routes(live.config) == want or _routes(getattr(live, "pending_config", None)) == want

        live = read()
        have = _routes(live.config)
        entities = [ServedEntityInput.from_dict(dict(e)) for e in endpoint.entities]
        traffic = TrafficConfig(routes=[Route(served_entity_name=k, traffic_percentage=v) for k, v in sorted(want.items())])
        subject = f"serving endpoint `{endpoint.name}`"
        done = have == want or _routes(getattr(live, "pending_config", None)) == want
        change = f"traffic {_moved(have, want)}" if not done else f"traffic already {_shares(want)}"
        out.append(Move("traffic", subject, change, done,
                        # update_config returns a waiter: the incident needs the change accepted, not the rollout awaited.
                        lambda e=endpoint.name, s=entities, t=traffic: ws.call(
                            f"serving endpoint `{e}` update_config", ws.client.serving_endpoints.update_config,
                            e, served_entities=s, traffic_config=t),
                        applied))
        if not done:
            acl = _permissions(ws, subject, ws.client.serving_endpoints.get_permissions, live.id)
            kind, level = NEEDED["traffic"]
            if acl is None or not caller.holds(acl, level, kind):
                missing.append(f"{level} on {subject} (to move its traffic)")
    return out


def _permissions(ws: Workspace, subject: str, fn, object_id) -> Any | None:
    """The object's ACL, or None when the caller may not even read it (it lacks the right then too)."""
    try:
        return ws.call(f"permissions of {subject}", fn, str(object_id))
    except LiveError as err:
        if err.fatal:
            raise
        return None


def _alias_moves(ws: Workspace, caller: _Caller, models) -> list[Move]:
    out = []
    for model in models:
        def read(full=model.full_name):
            return ws.call(f"registered model `{full}`", ws.client.registered_models.get, full, include_aliases=True)

        live = read()
        have = {a.alias_name: a.version_num for a in live.aliases or []}
        owner = getattr(live, "owner", None)
        owns = owner is not None and (owner == caller.name or owner in caller.groups)
        for alias, version in sorted(model.aliases.items()):
            done = have.get(alias) == version
            change = (f"alias {alias} already on version {version}" if done
                      else f"alias {alias} version {have.get(alias, 'none')} -> {version}")
            deferred = "" if done or owns else (
                f"setting an alias needs ownership of the model (owner: {owner or 'unknown'}) or a metastore "
                "admin; the next deploy moves it")
            out.append(Move("alias", f"model `{model.full_name}`", change, done,
                            lambda m=model.full_name, a=alias, v=version: ws.call(
                                f"set alias {a} on `{m}`", ws.client.registered_models.set_alias, m, a, v),
                            lambda read=read, a=alias, v=version: {x.alias_name: x.version_num
                                                                   for x in read().aliases or []}.get(a) == v,
                            deferred))
    return out


def _job_moves(ws: Workspace, caller: _Caller, jobs, missing: list[str]) -> list[Move]:
    from databricks.sdk.service.jobs import CronSchedule, JobSettings, PauseStatus

    found_by_name = live_jobs(ws)
    unpauses, pauses = [], []
    for job in jobs:
        # Only slot jobs move in a rollback: housekeeping jobs (retention, pilot_metrics) carry no slot tag.
        if job.pause_status is None or not (job.settings.get("tags") or {}).get("slot"):
            continue
        found = found_by_name.get(job.name, [])
        if len(found) != 1:
            raise LiveError(f"job `{job.name}`: " + ("not in the workspace" if not found else
                            f"{len(found)} jobs have this name") + "; nothing changed")
        live = found[0]
        schedule = live.settings.schedule if live.settings else None
        have = schedule.pause_status.value if schedule is not None and schedule.pause_status else (
            "UNPAUSED" if schedule is not None else "no schedule")
        kind = "unpause" if job.pause_status == "UNPAUSED" else "pause"
        subject = f"job `{job.name}` ({live.job_id})"
        done = have == job.pause_status
        values = job.settings["schedule"]
        new = JobSettings(schedule=CronSchedule(quartz_cron_expression=values["quartz_cron_expression"],
                                                timezone_id=values["timezone_id"],
                                                pause_status=PauseStatus(job.pause_status)))

        def applied(j=live.job_id, want=job.pause_status) -> bool:
            got = ws.call(f"jobs get {j}", ws.client.jobs.get, j)
            sched = got.settings.schedule if got.settings else None
            return sched is not None and sched.pause_status is not None and sched.pause_status.value == want

        move = Move(kind, subject, f"schedule {have} -> {job.pause_status}" if not done
                    else f"schedule already {have}", done,
                    lambda j=live.job_id, n=new, k=kind, name=job.name: ws.call(
                        f"jobs update {j} ({k} `{name}`)", ws.client.jobs.update, j, new_settings=n),
                    applied)
        (unpauses if kind == "unpause" else pauses).append(move)
        if not done:
            acl = _permissions(ws, subject, ws.client.jobs.get_permissions, live.job_id)
            needed, level = NEEDED[kind]
            if acl is None or not caller.holds(acl, level, needed):
                missing.append(f"{level} on {subject} (to {kind} its schedule)")
    # The slot taking traffic starts before the other stops: never both paused.
    return unpauses + pauses


def plan(ws: Workspace, target_stack: Mapping[str, Any], stack_name: str) -> Plan:
    """Every move the rollback needs, read from the workspace now; LiveError when it cannot be read."""
    expected = expected_of({stack_name: target_stack})
    caller = _caller(ws)
    missing: list[str] = []
    moves = (_serving_moves(ws, caller, expected.serving, missing) + _alias_moves(ws, caller, expected.models)
             + _job_moves(ws, caller, expected.jobs, missing))
    return Plan(caller.name, moves, missing)


# ---- acting -----------------------------------------------------------------------------------

def execute(ws: Workspace, planned: Plan, report: Callable[[StepResult], None] = lambda r: None) -> list[StepResult]:
    """Make each move in order; stop at the first that fails. `report` sees each result as it happens."""
    results: list[StepResult] = []

    def add(result: StepResult) -> None:
        results.append(result)
        report(result)

    failed = False
    for move in planned.moves:
        if failed:
            add(StepResult(move, "not attempted"))
        elif move.done:
            add(StepResult(move, "already done"))
        elif move.deferred:
            add(StepResult(move, "deferred", move.deferred))
        else:
            result = _attempt(move)
            failed = result.result == "failed"
            add(result)
    return results


def _attempt(move: Move) -> StepResult:
    try:
        move.apply()
        return StepResult(move, "done")
    except LiveError as err:
        if not err.unknown:
            return StepResult(move, "failed", str(err))
        # The request may have landed with its answer lost: the workspace, re-read, says which.
        try:
            if move.applied():
                return StepResult(move, "done", f"the response was lost ({err}); re-read: applied")
        except LiveError as again:
            return StepResult(move, "failed", f"{err}; re-reading failed too: {again}")
        return StepResult(move, "failed", str(err))
