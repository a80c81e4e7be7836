"""Validate rules on `release:`: slots fit the strategy, and the slot live in each environment can run."""
from __future__ import annotations

from pilotfactory.catalog.load import Catalog
from pilotfactory.catalog.parse import closest, suggest
from pilotfactory.catalog.resolve import TypedPilot, reached_environments
from pilotfactory.catalog.traffic import traffic_of
from pilotfactory.diagnostics.codes import Code
from pilotfactory.diagnostics.diagnostic import Diagnostics
from pilotfactory.validate.registry import pilot_rule


@pilot_rule(Code.BAD_SLOT)
def slots_match_the_strategy(catalog: Catalog, typed: TypedPilot, diags: Diagnostics) -> None:
    """Slots fit the strategy, and every reached environment names a declared live slot."""
    if catalog.environments is None:
        return
    reached = reached_environments(catalog, typed.pilot.phase)
    pilot, src = typed.pilot, typed.source
    release = pilot.release
    slots = set(release.slots)
    if release.strategy == "single":
        if len(slots) != 1:
            diags.error(Code.BAD_SLOT, f"a `single` release has exactly one slot (found "
                        f"{len(slots)}: {', '.join(sorted(slots)) or 'none'})",
                        src.where(("release", "slots"), key=True), ("release", "slots"))
        for name in release.canary:
            path = ("release", "canary", name)
            diags.error(Code.BAD_SLOT, "`canary` needs a blue_green release: a single slot "
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
    if release.strategy == "blue_green":
        for env_name, canary in release.canary.items():
            path = ("release", "canary", env_name, "slot")
            if canary.slot not in valid:
                diags.error(Code.BAD_SLOT, f"canary slot `{canary.slot}` is not `blue` or `green`"
                            f"{suggest(canary.slot, valid)}", src.where(path), path)
            elif canary.slot == release.active.get(env_name):
                diags.error(Code.BAD_SLOT, f"canary slot `{canary.slot}` is the active slot in {env_name}: "
                            "a canary is the other slot, taking `percent` of the traffic beside the active one",
                            src.where(path), path)


def _serves(pilot, env_name: str) -> bool:
    """Whether the pilot has a serving endpoint in `env_name`, its overlay included."""
    if pilot.model is None:
        return False
    overlay = pilot.overrides.get(env_name)
    return pilot.model.serving is not None or bool(overlay and overlay.model and overlay.model.serving)


@pilot_rule(Code.NO_VERSION, Code.SERVING_WITHOUT_MODEL)
def live_slots_run_and_serve(catalog: Catalog, typed: TypedPilot, diags: Diagnostics) -> None:
    """Per environment: the active slot and a canary must run and serve; an idle slot may still be
    empty (warned)."""
    if catalog.environments is None:
        return
    reached = reached_environments(catalog, typed.pilot.phase)
    pilot, src = typed.pilot, typed.source
    release = pilot.release
    if release.strategy == "single" and len(release.slots) != 1:
        return  # reported above: a single release has exactly one slot
    live_in: dict[str, list[str]] = {}
    canary_in: dict[str, list[str]] = {}
    idle_in: dict[str, list[str]] = {}
    for env_name in reached:
        traffic = traffic_of(release, env_name)
        if traffic is None:
            continue  # reported above as a bad or missing active slot
        live_in.setdefault(traffic.active, []).append(env_name)
        if traffic.canary is not None:
            canary_in.setdefault(traffic.canary, []).append(env_name)
        for name in traffic.idle:
            idle_in.setdefault(name, []).append(env_name)
    for name, envs in sorted(canary_in.items()):
        slot = release.slots[name]
        where = ("release", "canary", envs[0])
        if slot.version is None:
            diags.error(Code.NO_VERSION, f"canary slot `{name}` takes traffic in {', '.join(envs)} but has "
                        "no `version`", src.where(where, key=True), where)
        quiet = [e for e in envs if not _serves(pilot, e)]
        if quiet:
            at = ("release", "canary", quiet[0])
            diags.error(Code.SERVING_WITHOUT_MODEL, f"`canary` splits serving traffic, but the pilot has no "
                        f"serving endpoint in {', '.join(quiet)}", src.where(at, key=True), at)
        elif slot.model_version is None:
            diags.error(Code.SERVING_WITHOUT_MODEL, f"`canary` sends traffic in {', '.join(envs)} to slot "
                        f"`{name}`, which has no `model_version` to serve", src.where(where, key=True), where)
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
    for name, envs in sorted(idle_in.items()):
        if name in live_in or name in canary_in:
            continue
        slot, path = release.slots[name], ("release", "slots", name)
        if any(_serves(pilot, e) for e in envs) and slot.model_version is None:
            diags.warning(Code.SERVING_WITHOUT_MODEL, f"idle slot `{name}` has no `model_version` "
                          "yet: the endpoint serves no entity for it", src.where(path, key=True), path)
        if slot.version is None:
            diags.warning(Code.NO_VERSION, f"idle slot `{name}` has no `version` yet: no job is "
                          "declared for it until `pilotfactory release` stages one",
                          src.where(path, key=True), path)
