"""The resolve step: template defaults, then the pilot file, then each environment's overlay."""
from __future__ import annotations

from dataclasses import dataclass, field

from pilotfactory.catalog.load import Catalog
from pilotfactory.diagnostics.codes import Code
from pilotfactory.diagnostics.diagnostic import Diagnostics
from pilotfactory.catalog.parse import parse_document, suggest
from pilotfactory.catalog.model import PHASES, Pilot
from pilotfactory.catalog.overlay import layer
from pilotfactory.catalog.resolved import EffectiveCompute, ResolvedCatalog, ResolvedPilot, SlotRun
from pilotfactory.catalog.traffic import traffic_of
from pilotfactory.yamlio.source import Source

__all__ = ["TypedPilot", "Resolution", "resolve", "reached_environments", "type_pilot", "resolve_pilot"]


@dataclass(frozen=True)
class TypedPilot:
    """A pilot typed with its template's defaults layered under it."""

    pilot: Pilot
    source: Source  # positions of every value, in the pilot file or the template
    file: str


@dataclass
class Resolution:
    pilots: list[TypedPilot] = field(default_factory=list)
    catalog: ResolvedCatalog | None = None
    # Every environment the phases declare, before the gates withhold the unearned ones: what a
    # change would deploy once its gates pass.
    declared: ResolvedCatalog | None = None


def _retention_days(catalog: Catalog, pilot: Pilot) -> int | None:
    retention = catalog.standards.inference_retention_days
    return getattr(retention, pilot.data_classification) if retention is not None else None


def reached_environments(catalog: Catalog, phase: str) -> list[str]:
    """Environments a pilot in `phase` deploys to, in promotion order."""
    rank = PHASES.index(phase)
    return [name for name, env in catalog.environments.environments.items()
            if PHASES.index(env.min_phase) <= rank]


def type_pilot(catalog: Catalog, source: Source, diags: Diagnostics) -> TypedPilot | None:
    """One pilot file typed, its template's defaults layered under it; None when it does not type."""
    layers = [(source, ())]
    template_name = source.data.get("template")
    if isinstance(template_name, str):
        entry = catalog.templates.get(template_name)
        if entry is None and template_name in catalog.broken_templates:
            return None  # its template's errors are reported; without its defaults, more would be noise
        if entry is None:
            diags.error(Code.UNKNOWN_TEMPLATE, f"no template `{template_name}` in catalog/templates/"
                        f"{suggest(template_name, catalog.templates)}", source.where(("template",)),
                        ("template",))
        elif entry.source.data.get("defaults"):
            layers.insert(0, (entry.source, ("defaults",)))
    merged = layer(*layers) if len(layers) > 1 else source
    pilot = parse_document(merged, Pilot, diags)
    if pilot is None:
        return None
    return TypedPilot(pilot, merged, source.file)


def _compute(catalog: Catalog, pilot: Pilot) -> EffectiveCompute | None:
    standards = catalog.standards
    tier = standards.sizes.get(pilot.compute.size)
    if tier is None:
        return None
    c = pilot.compute
    return EffectiveCompute(
        size=c.size,
        min_workers=tier.min_workers if c.min_workers is None else c.min_workers,
        max_workers=tier.max_workers if c.max_workers is None else c.max_workers,
        autotermination_minutes=c.autotermination_minutes or standards.autotermination_minutes,
        node_types=tuple(c.node_types or tier.node_types),
        spark_version=c.spark_version or standards.spark_versions[0],
        data_security_mode=standards.data_security_mode,
        libraries=standards.libraries,
    )


def _slots(pilot: Pilot, env_name: str) -> tuple[SlotRun, ...] | None:
    release = pilot.release
    traffic = traffic_of(release, env_name)
    if traffic is None or (release.strategy == "blue_green" and len(release.slots) != 2):
        return None
    return tuple(SlotRun(name=name, slot=slot, role=traffic.role(name), traffic_percent=traffic.share(name))
                 for name, slot in sorted(release.slots.items()))


def _tags(catalog: Catalog, pilot: Pilot, env_name: str) -> dict[str, str]:
    known = {"cost_center": pilot.cost_center, "pilot": pilot.name, "env": env_name,
             "data_classification": pilot.data_classification, **pilot.tags}
    return dict(sorted(known.items()))


def resolve_pilot(catalog: Catalog, typed: TypedPilot, diags: Diagnostics) -> list[ResolvedPilot]:
    """One typed pilot expanded into a ResolvedPilot per environment its phase reaches (a complete catalog)."""
    resolved: list[ResolvedPilot] = []
    # A decommissioned pilot has no stack anywhere: CI plans the destruction of what it had.
    reached = [] if typed.pilot.decommission is not None else reached_environments(catalog, typed.pilot.phase)
    for env_name in reached:
        pilot = typed.pilot
        if env_name in pilot.overrides:
            overlay = pilot.overrides[env_name]
            job_names = {job.name for job in pilot.jobs}
            contract_names = {c.name for c in pilot.data_contracts}
            if any(job.name not in job_names for job in overlay.jobs) or \
                    any(c.name not in contract_names for c in overlay.data_contracts):
                continue  # validate reports the overlay naming an unknown job or contract
            merged = layer((typed.source, ()), (typed.source, ("overrides", env_name)),
                           drop=("overrides",))
            pilot = parse_document(merged, Pilot, diags)
            if pilot is None:
                continue
        env = catalog.environments.environments[env_name]
        compute = _compute(catalog, pilot)
        slots = _slots(pilot, env_name)
        if compute is None or slots is None:
            continue  # validate reports the missing size or slot
        resolved.append(ResolvedPilot(
            pilot=pilot, env_name=env_name, env=env, compute=compute, slots=slots,
            tags=_tags(catalog, pilot, env_name), platform_admins=catalog.roles.platform_admins,
            file=typed.file, account_backend=catalog.environments.account_backend,
            inference_retention_days=_retention_days(catalog, pilot),
            source=merged if env_name in typed.pilot.overrides else typed.source,
        ))
    return resolved


def resolve(catalog: Catalog, diags: Diagnostics) -> Resolution:
    """Type every pilot and expand it into one ResolvedPilot per environment its phase reaches."""
    result = Resolution()
    for source in catalog.pilot_sources:
        typed = type_pilot(catalog, source, diags)
        if typed is not None:
            result.pilots.append(typed)
    if not catalog.complete:
        return result
    resolved = [rp for typed in result.pilots for rp in resolve_pilot(catalog, typed, diags)]
    result.catalog = ResolvedCatalog(environments=catalog.environments, standards=catalog.standards,
                                     roles=catalog.roles, pilots=tuple(resolved),
                                     config_sources=dict(catalog.config_sources))
    return result
