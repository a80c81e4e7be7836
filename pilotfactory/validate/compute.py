"""Validate rules on compute, jobs and tags against config/standards.yaml: pilots tighten, never loosen."""
from __future__ import annotations

from pilotfactory.catalog.load import Catalog
from pilotfactory.catalog.parse import suggest
from pilotfactory.catalog.resolve import TypedPilot
from pilotfactory.diagnostics.codes import Code
from pilotfactory.diagnostics.diagnostic import Diagnostics
from pilotfactory.validate.registry import pilot_rule


@pilot_rule(Code.UNKNOWN_SIZE, Code.LOOSENS_STANDARD, Code.BAD_VALUE)
def compute_tightens_the_standard_tier(catalog: Catalog, typed: TypedPilot, diags: Diagnostics) -> None:
    """Compute, overlays included, names a standard size and may tighten its limits, never loosen them."""
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


@pilot_rule(Code.LOOSENS_STANDARD)
def jobs_run_within_the_concurrency_standard(catalog: Catalog, typed: TypedPilot, diags: Diagnostics) -> None:
    """A job's `max_concurrent_runs` is at most the standard's."""
    standards = catalog.standards
    if standards is None:
        return
    pilot, src = typed.pilot, typed.source
    for j, job in enumerate(pilot.jobs):
        if job.max_concurrent_runs > standards.max_concurrent_runs:
            path = ("jobs", j, "max_concurrent_runs")
            diags.error(Code.LOOSENS_STANDARD, f"max_concurrent_runs {job.max_concurrent_runs} is above "
                        f"the standard {standards.max_concurrent_runs}; a pilot may tighten the "
                        "platform standards, never loosen them", src.where(path), path)


@pilot_rule(Code.DUPLICATE_NAME, Code.MISSING_KEY)
def tags_leave_reserved_keys_and_cover_required_ones(catalog: Catalog, typed: TypedPilot,
                                                     diags: Diagnostics) -> None:
    """Pilot tags never set a tag Pilot Factory sets itself, and cover the standard's required tags."""
    standards = catalog.standards
    if standards is None:
        return
    pilot, src = typed.pilot, typed.source
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


@pilot_rule(Code.LOOSENS_STANDARD)
def overrides_tighten_the_pilots_own_compute(catalog: Catalog, typed: TypedPilot, diags: Diagnostics) -> None:
    """An environment's `overrides.<env>.compute` may tighten the pilot's compute, never loosen it:
    no bigger size, no more workers, no node type or longer autotermination the pilot does not allow."""
    standards = catalog.standards
    if standards is None:
        return
    pilot, src = typed.pilot, typed.source
    base_tier = standards.sizes.get(pilot.compute.size)
    if base_tier is None:
        return  # reported by compute_tightens_the_standard_tier
    base = pilot.compute
    max_workers = base.max_workers if base.max_workers is not None else base_tier.max_workers
    nodes = list(base.node_types or base_tier.node_types)
    autotermination = base.autotermination_minutes or standards.autotermination_minutes
    for env, overlay in pilot.overrides.items():
        compute = overlay.compute
        if compute is None:
            continue
        prefix = ("overrides", env, "compute")

        def loosen(field: str, message: str, *rest) -> None:
            path = prefix + (field, *rest)
            diags.error(Code.LOOSENS_STANDARD, f"{message} in `{env}`; an override may tighten the pilot's "
                        "compute, never loosen it", src.where(path), path)

        tier = standards.sizes.get(compute.size) if compute.size else base_tier
        if tier is None:
            continue  # reported by compute_tightens_the_standard_tier
        if compute.size and compute.size != base.size and (
                tier.max_workers > base_tier.max_workers or not set(tier.node_types) <= set(base_tier.node_types)):
            loosen("size", f"size `{compute.size}` is bigger than the pilot's `{base.size}`")
        # overlays merge key by key: a max_workers the override leaves out is the pilot's, else the tier's
        workers = compute.max_workers if compute.max_workers is not None else \
            base.max_workers if base.max_workers is not None else tier.max_workers
        if workers > max_workers:
            field = "max_workers" if compute.max_workers is not None else "size"
            loosen(field, f"max_workers {workers} is above the pilot's {max_workers}")
        for i, node in enumerate(compute.node_types or []):
            if node not in nodes:
                loosen("node_types", f"node type `{node}` is not one the pilot allows ({', '.join(nodes)})", i)
        if compute.autotermination_minutes is not None and compute.autotermination_minutes > autotermination:
            loosen("autotermination_minutes", f"autotermination_minutes {compute.autotermination_minutes} is "
                   f"above the pilot's {autotermination}")
