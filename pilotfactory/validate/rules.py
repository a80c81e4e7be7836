"""The validate step: rules that span fields and files, each with a stable code."""
from __future__ import annotations

import zoneinfo
from functools import lru_cache

from pilotfactory.catalog.load import Catalog
from pilotfactory.diagnostics.codes import Code
from pilotfactory.validate.cron import quartz_error
from pilotfactory.diagnostics.diagnostic import Diagnostics
from pilotfactory.catalog.parse import closest, suggest
from pilotfactory.catalog.model import PHASES
from pilotfactory.catalog.resolve import Resolution, TypedPilot
from pilotfactory.validate.security import check_security

__all__ = ["validate", "RESERVED_NAMES"]

# `<pilot>-<env>` must never equal `account` or `platform-<env>`.
RESERVED_NAMES = frozenset({"account", "platform"})


@lru_cache(maxsize=None)
def _timezones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def _check_config(catalog: Catalog, diags: Diagnostics) -> None:
    standards = catalog.standards
    if standards is not None:
        src = catalog.config_sources["standards"]
        for size, tier in standards.sizes.items():
            for i, node in enumerate(tier.node_types):
                if node not in standards.node_types:
                    path = ("sizes", size, "node_types", i)
                    diags.error(Code.LOOSENS_STANDARD, f"size `{size}` allows node type `{node}`, "
                                f"which is not in `node_types`{suggest(node, standards.node_types)}",
                                src.where(path), path)
    envs = catalog.environments
    if envs is not None:
        src = catalog.config_sources["environments"]
        ranks = [PHASES.index(e.min_phase) for e in envs.environments.values()]
        if ranks != sorted(ranks):
            diags.error(Code.ENV_LAYOUT, "environments must be listed in promotion order "
                        "(min_phase pilot, then staging, then production)",
                        src.where(("environments",), key=True), ("environments",))
        for name, env in envs.environments.items():
            if env.workspace.create is not None and envs.account is None:
                path = ("environments", name, "workspace", "create")
                diags.error(Code.ENV_LAYOUT, f"environment `{name}` creates a workspace, which needs "
                            "`account` (the Databricks account id) at the top of the file",
                            src.where(path, key=True), path)
            if env.sql_warehouse_id is None:
                path = ("environments", name)
                diags.warning(Code.NO_SQL_WAREHOUSE, f"environment `{name}` has no `sql_warehouse_id`: its "
                              "pilots get no freshness or failure-rate alerts and no dashboard",
                              src.where(path, key=True), path)
    roles = catalog.roles
    if roles is not None:
        src = catalog.config_sources["roles"]
        names = [roles.platform_admins, *roles.roles.values()]
        paths = [("platform_admins",)] + [("roles", r) for r in roles.roles]
        for group, path in zip(names, paths):
            if group not in roles.groups:
                diags.error(Code.UNKNOWN_GROUP, f"group `{group}` is not declared under `groups`"
                            f"{suggest(group, roles.groups)}", src.where(path), path)


def _check_tasks(typed: TypedPilot, diags: Diagnostics) -> None:
    pilot, src = typed.pilot, typed.source
    contracts = {c.name for c in pilot.data_contracts}
    for j, job in enumerate(pilot.jobs):
        keys: dict[str, int] = {}
        for t, task in enumerate(job.tasks):
            path = ("jobs", j, "tasks", t)
            if task.key in keys:
                diags.error(Code.DUPLICATE_NAME, f"job `{job.name}` has two tasks `{task.key}`",
                            src.where(path + ("key",)), path + ("key",))
            keys.setdefault(task.key, t)
            if task.contract is not None and task.contract not in contracts:
                diags.error(Code.UNKNOWN_CONTRACT, f"task `{task.key}` checks contract "
                            f"`{task.contract}`, which the pilot does not declare under "
                            f"`data_contracts`{suggest(task.contract, contracts)}",
                            src.where(path + ("contract",)), path + ("contract",))
        for t, task in enumerate(job.tasks):
            for d, dep in enumerate(task.depends_on):
                path = ("jobs", j, "tasks", t, "depends_on", d)
                if dep not in keys:
                    diags.error(Code.UNKNOWN_TASK, f"task `{task.key}` depends on `{dep}`, which is "
                                f"not a task of job `{job.name}`{suggest(dep, keys)}",
                                src.where(path), path)
                elif dep == task.key:
                    diags.error(Code.TASK_CYCLE, f"task `{task.key}` depends on itself",
                                src.where(path), path)
        cycle = _find_cycle({t.key: [d for d in t.depends_on if d in keys] for t in job.tasks})
        if cycle and len(cycle) > 2:
            path = ("jobs", j, "tasks", keys[cycle[0]], "depends_on")
            diags.error(Code.TASK_CYCLE, f"tasks of job `{job.name}` depend on each other in a "
                        f"cycle: {' -> '.join(cycle)}", src.where(path), path)
        if job.schedule is not None:
            path = ("jobs", j, "schedule", "cron")
            problem = quartz_error(job.schedule.cron)
            if problem:
                diags.error(Code.BAD_CRON, f"cron `{job.schedule.cron}` {problem}", src.where(path), path)
            if job.schedule.timezone not in _timezones():
                path = ("jobs", j, "schedule", "timezone")
                diags.error(Code.UNKNOWN_TIMEZONE, f"`{job.schedule.timezone}` is not an IANA time "
                            f"zone{suggest(job.schedule.timezone, _timezones())}", src.where(path), path)


def _find_cycle(graph: dict[str, list[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in graph.get(node, []):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for node in graph:
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def _check_names(typed: TypedPilot, diags: Diagnostics) -> None:
    pilot, src = typed.pilot, typed.source
    stem = typed.file.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    if stem != pilot.name:
        diags.error(Code.FILE_NAME, f"pilot `{pilot.name}` is in file `{typed.file}`; name the file "
                    f"`{pilot.name}.yaml`", src.where(("name",)), ("name",))
    for field, label in (("jobs", "job"), ("data_contracts", "data contract")):
        seen: set[str] = set()
        for i, item in enumerate(getattr(pilot, field)):
            if item.name in seen:
                path = (field, i, "name")
                diags.error(Code.DUPLICATE_NAME, f"two {label}s are named `{item.name}`", src.where(path), path)
            seen.add(item.name)
    for i, contract in enumerate(pilot.data_contracts):
        columns = {c.name for c in contract.schema_}
        if contract.freshness and contract.freshness.column not in columns:
            path = ("data_contracts", i, "freshness", "column")
            diags.error(Code.UNKNOWN_COLUMN, f"freshness column `{contract.freshness.column}` is not in "
                        f"the schema of `{contract.name}`{suggest(contract.freshness.column, columns)}",
                        src.where(path), path)
    if pilot.owners.builders == pilot.owners.approvers:
        path = ("owners", "approvers")
        diags.error(Code.SAME_GROUPS, f"builders and approvers are both `{pilot.owners.builders}`: "
                    "makers would approve their own change", src.where(path), path)


def _check_groups(catalog: Catalog, typed: TypedPilot, diags: Diagnostics) -> None:
    if catalog.roles is None:
        return
    for role in ("builders", "approvers"):
        group = getattr(typed.pilot.owners, role)
        if group not in catalog.roles.groups:
            path = ("owners", role)
            diags.error(Code.UNKNOWN_GROUP, f"group `{group}` is not declared in config/roles.yaml"
                        f"{suggest(group, catalog.roles.groups)}", typed.source.where(path), path)


def _check_environments(catalog: Catalog, typed: TypedPilot, diags: Diagnostics) -> None:
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
    for name in pilot.release.canary_percent:
        check(name, ("release", "canary_percent", name), True)
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


def _check_release(catalog: Catalog, typed: TypedPilot, reached: list[str], diags: Diagnostics) -> None:
    pilot, src = typed.pilot, typed.source
    release = pilot.release
    slots = set(release.slots)
    if release.strategy == "single":
        if len(slots) != 1:
            diags.error(Code.BAD_SLOT, f"a `single` release has exactly one slot (found "
                        f"{len(slots)}: {', '.join(sorted(slots)) or 'none'})",
                        src.where(("release", "slots"), key=True), ("release", "slots"))
        for name in release.canary_percent:
            path = ("release", "canary_percent", name)
            diags.error(Code.BAD_SLOT, "`canary_percent` needs a blue_green release: a single slot "
                        "has nothing to send the canary to", src.where(path, key=True), path)
    else:
        if slots != {"blue", "green"}:
            diags.error(Code.BAD_SLOT, f"a `blue_green` release has the slots `blue` and `green` "
                        f"(found {', '.join(sorted(slots)) or 'none'})",
                        src.where(("release", "slots"), key=True), ("release", "slots"))
        # `production: blue` for `prod: blue` is reported as an unknown environment with a
        # did-you-mean; the environment it leaves without a slot is the same slip.
        envs = catalog.environments.environments
        meant = {closest(name, envs) for name in release.active if name not in envs}
        for env_name in reached:
            if env_name not in release.active and env_name not in meant:
                diags.error(Code.BAD_SLOT, f"phase `{pilot.phase}` reaches `{env_name}`, but "
                            f"`release.active` names no live slot there",
                            src.where(("release", "active"), key=True), ("release", "active"))
    # A blue_green release names its slots `blue` and `green`; when a slot is misnamed, that is
    # reported once above, not again for every environment whose active slot it leaves dangling.
    valid = {"blue", "green"} if release.strategy == "blue_green" else slots
    for env_name, slot in release.active.items():
        path = ("release", "active", env_name)
        if slot not in valid:
            what = "`blue` or `green`" if release.strategy == "blue_green" else "a declared slot"
            diags.error(Code.BAD_SLOT, f"active slot `{slot}` is not {what}"
                        f"{suggest(slot, valid)}", src.where(path), path)
    _check_slot_readiness(typed, reached, diags)


def _serves(pilot, env_name: str) -> bool:
    """Whether the pilot has a serving endpoint in `env_name`, its overlay included."""
    if pilot.model is None:
        return False
    overlay = pilot.overrides.get(env_name)
    return pilot.model.serving is not None or bool(overlay and overlay.model and overlay.model.serving)


def _check_slot_readiness(typed: TypedPilot, reached: list[str], diags: Diagnostics) -> None:
    """Per environment: the live slot must run and serve; a standby may still be empty (warned)."""
    pilot, src = typed.pilot, typed.source
    release = pilot.release
    if release.strategy == "single" and len(release.slots) != 1:
        return  # reported above: a single release has exactly one slot
    live_in: dict[str, list[str]] = {}
    standby_in: dict[str, list[str]] = {}
    for env_name in reached:
        active = next(iter(release.slots)) if release.strategy == "single" else release.active.get(env_name)
        if active not in release.slots:
            continue  # reported above as a bad or missing active slot
        live_in.setdefault(active, []).append(env_name)
        for name in release.slots:
            if name != active:
                standby_in.setdefault(name, []).append(env_name)
    for name, envs in sorted(live_in.items()):
        slot, path = release.slots[name], ("release", "slots", name)
        if slot.version is None:
            diags.error(Code.NO_VERSION, f"slot `{name}` is live in {', '.join(envs)} but has no "
                        "`version`", src.where(path, key=True), path)
        serving = [e for e in envs if _serves(pilot, e)]
        if serving and slot.model_version is None:
            diags.error(Code.SERVING_WITHOUT_MODEL, f"slot `{name}` is live in {', '.join(serving)}, "
                        "where the pilot serves its model, but has no `model_version` to serve",
                        src.where(path, key=True), path)
    for name, envs in sorted(standby_in.items()):
        slot, path = release.slots[name], ("release", "slots", name)
        serving = [e for e in envs if _serves(pilot, e)]
        canary = [e for e in serving if release.canary_percent.get(e)]
        if canary and slot.model_version is None:
            where = ("release", "canary_percent", canary[0])
            diags.error(Code.SERVING_WITHOUT_MODEL, f"`canary_percent` sends traffic in "
                        f"{', '.join(canary)} to standby slot `{name}`, which has no `model_version` "
                        "to serve", src.where(where), where)
        elif serving and slot.model_version is None and name not in live_in:
            diags.warning(Code.SERVING_WITHOUT_MODEL, f"standby slot `{name}` has no `model_version` "
                          "yet: the endpoint serves no entity for it", src.where(path, key=True), path)
        if slot.version is None and name not in live_in:
            diags.warning(Code.NO_VERSION, f"standby slot `{name}` has no `version` yet: no job is "
                          "declared for it until `pilotfactory release` stages one",
                          src.where(path, key=True), path)


def _check_compute(catalog: Catalog, typed: TypedPilot, diags: Diagnostics) -> None:
    standards = catalog.standards
    if standards is None:
        return
    pilot, src = typed.pilot, typed.source
    for prefix, compute in [(("compute",), pilot.compute)] + [
            (("overrides", env, "compute"), o.compute) for env, o in pilot.overrides.items() if o.compute]:
        size = compute.size or pilot.compute.size
        tier = standards.sizes.get(size)
        if tier is None:
            path = prefix + ("size",)
            diags.error(Code.UNKNOWN_SIZE, f"compute size `{size}` is not defined in "
                        f"config/standards.yaml{suggest(size, standards.sizes)}", src.where(path), path)
            continue

        def loosen(field: str, message: str) -> None:
            path = prefix + (field,)
            diags.error(Code.LOOSENS_STANDARD, f"{message}; a pilot may tighten the platform "
                        "standards, never loosen them", src.where(path), path)

        if compute.max_workers is not None and compute.max_workers > tier.max_workers:
            loosen("max_workers", f"max_workers {compute.max_workers} is above the `{size}` tier's "
                   f"{tier.max_workers}")
        if compute.min_workers is not None and compute.min_workers < tier.min_workers:
            loosen("min_workers", f"min_workers {compute.min_workers} is below the `{size}` tier's "
                   f"{tier.min_workers}")
        lo = compute.min_workers if compute.min_workers is not None else tier.min_workers
        hi = compute.max_workers if compute.max_workers is not None else tier.max_workers
        if lo > hi:
            path = prefix + ("min_workers",)
            diags.error(Code.BAD_VALUE, f"min_workers {lo} is above max_workers {hi}", src.where(path), path)
        if compute.autotermination_minutes is not None and \
                compute.autotermination_minutes > standards.autotermination_minutes:
            loosen("autotermination_minutes", f"autotermination_minutes {compute.autotermination_minutes}"
                   f" is above the standard {standards.autotermination_minutes}")
        for i, node in enumerate(compute.node_types or []):
            if node not in tier.node_types:
                path = prefix + ("node_types", i)
                diags.error(Code.LOOSENS_STANDARD, f"node type `{node}` is not allowed for size "
                            f"`{size}` (allowed: {', '.join(tier.node_types)}){suggest(node, tier.node_types)}",
                            src.where(path), path)
        if compute.spark_version is not None and compute.spark_version not in standards.spark_versions:
            loosen("spark_version", f"spark_version `{compute.spark_version}` is not one of the "
                   f"standard LTS versions ({', '.join(standards.spark_versions)})")
    for j, job in enumerate(pilot.jobs):
        if job.max_concurrent_runs > standards.max_concurrent_runs:
            path = ("jobs", j, "max_concurrent_runs")
            diags.error(Code.LOOSENS_STANDARD, f"max_concurrent_runs {job.max_concurrent_runs} is above "
                        f"the standard {standards.max_concurrent_runs}; a pilot may tighten the "
                        "platform standards, never loosen them", src.where(path), path)
    for tag in pilot.tags:
        if tag in ("cost_center", "pilot", "env", "data_classification"):
            path = ("tags", tag)
            diags.error(Code.DUPLICATE_NAME, f"tag `{tag}` is set by Pilot Factory itself; set it "
                        "through its own field", src.where(path, key=True), path)
    provided = {"cost_center", "pilot", "env", "data_classification", *pilot.tags}
    for tag in standards.required_tags:
        if tag not in provided:
            diags.error(Code.MISSING_KEY, f"config/standards.yaml requires tag `{tag}` on every "
                        "cluster; set it under `tags`", src.where(("tags",), key=True), ("tags",))


def validate(catalog: Catalog, resolution: Resolution, diags: Diagnostics) -> None:
    """Check every cross-field and cross-file rule; append what fails to `diags`."""
    from pilotfactory.catalog.resolve import reached_environments

    _check_config(catalog, diags)
    check_security(catalog, diags)
    names: dict[str, TypedPilot] = {}
    for typed in resolution.pilots:
        if typed.pilot.name in RESERVED_NAMES:
            diags.error(Code.DUPLICATE_NAME, f"`{typed.pilot.name}` is reserved: its stacks would "
                        f"collide with the `{typed.pilot.name}` stacks; choose another name",
                        typed.source.where(("name",)), ("name",))
        if typed.pilot.name in names:
            first = names[typed.pilot.name]
            diags.error(Code.DUPLICATE_NAME, f"pilot `{typed.pilot.name}` is also defined in "
                        f"{first.file}", typed.source.where(("name",)), ("name",))
        names.setdefault(typed.pilot.name, typed)
        _check_names(typed, diags)
        _check_tasks(typed, diags)
        _check_groups(catalog, typed, diags)
        _check_environments(catalog, typed, diags)
        _check_compute(catalog, typed, diags)
        if catalog.environments is not None:
            reached = reached_environments(catalog, typed.pilot.phase)
            _check_release(catalog, typed, reached, diags)
