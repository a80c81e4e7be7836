"""The synth step's guardrail gate: every rule on every freshly synthesized stack, before the swap.

A violation stops synth and points at the catalog line that caused it: the construct path in
each resource's `//.metadata.path` names the stack (pilot and environment) and the construct
(job, policy, secret scope...), and the pilot's Source knows where that came from.
"""
from __future__ import annotations

from pathlib import Path
from typing import Collection

from pilotfactory.diagnostics.diagnostic import Diagnostics, DiagnosticsError, Location
from pilotfactory.guardrails import Platform, Violation, evaluate, load_document
from pilotfactory.catalog.resolved import ResolvedCatalog, ResolvedPilot
from pilotfactory.tfjson.stacknames import ACCOUNT, platform_stack

__all__ = ["GuardrailViolations", "check_synthesized", "catalog_location", "violations_by_stack"]


class GuardrailViolations(DiagnosticsError):
    def __str__(self) -> str:
        count = len(self.diagnostics.errors)
        return (f"synth stopped by {count} guardrail violation{'s' * (count != 1)}; the previous output "
                "is unchanged\n" + super().__str__())


def _job_index(rp: ResolvedPilot, construct_id: str) -> int | None:
    """Job construct ids are `<job>` or `<job>-<slot>` (stacks/names.py)."""
    best = None
    for i, job in enumerate(rp.pilot.jobs):
        if construct_id == job.name or construct_id.startswith(f"{job.name}-"):
            if best is None or len(job.name) > len(rp.pilot.jobs[best].name):
                best = i
    return best


def _pilot_path(rp: ResolvedPilot, parts: list[str], v: Violation) -> tuple:
    area = parts[1] if len(parts) > 1 else ""
    if v.resource.type in ("databricks_permissions", "databricks_grants", "databricks_secret_acl"):
        return ("owners",)
    if area == "jobs" and len(parts) > 2:
        index = _job_index(rp, parts[2])
        return ("jobs",) if index is None else ("jobs", index) + v.attribute[:1]
    if area == "contracts" and len(parts) > 2:
        names = [c.name for c in rp.pilot.data_contracts]
        return ("data_contracts", names.index(parts[2])) if parts[2] in names else ("data_contracts",)
    return {"policy": ("compute",), "secrets": ("secrets",), "experiment": ("model",), "model": ("model",),
            "serving": ("model", "serving")}.get(area, ())


def catalog_location(catalog: ResolvedCatalog, v: Violation) -> Location | None:
    """The catalog or config line behind a violation, or None when nothing there caused it."""
    path = v.resource.construct_path
    if not path:
        return None
    parts = path.split("/")
    stack = parts[0]
    for rp in catalog.pilots:
        if rp.stack_id == stack:
            yaml_path = _pilot_path(rp, parts, v)
            return rp.source.where(yaml_path) if rp.source else Location(rp.file, 1, 1)
    sources = catalog.config_sources
    for env_name in catalog.environments.environments:
        if stack == platform_stack(env_name):
            if len(parts) > 2 and parts[1] == "policies" and "standards" in sources:
                return sources["standards"].where(("sizes", parts[2]))
            if len(parts) > 1 and parts[1] == "groups" and "roles" in sources:
                return sources["roles"].where(("groups", parts[2] if len(parts) > 2 else ""))
            if "environments" in sources:
                return sources["environments"].where(("environments", env_name, "security"))
    if stack == ACCOUNT and "environments" in sources:
        env = parts[1] if len(parts) > 1 and parts[1] in catalog.environments.environments else None
        return sources["environments"].where(("environments", env, "workspace") if env else ("account",))
    return None


def violations_by_stack(catalog: ResolvedCatalog, outdir: Path,
                        only: Collection[str] | None = None) -> dict[str, Diagnostics]:
    """Stack name -> its guardrail violations, for the stacks under `outdir/stacks` (or those in `only`)."""
    platform = Platform.from_config(catalog.environments, catalog.standards, catalog.roles)
    paths = [p for p in sorted((outdir / "stacks").glob("*/cdk.tf.json")) if only is None or p.parent.name in only]
    out: dict[str, Diagnostics] = {}
    for path in paths:
        violations = evaluate([load_document(path, f"cdktf.out/{path.relative_to(outdir).as_posix()}")], platform)
        for v in violations:
            where = catalog_location(catalog, v)
            construct = (v.resource.construct_path or v.resource.address).removesuffix("/Resource")
            out.setdefault(path.parent.name, Diagnostics()).error(
                v.rule_id, f"{construct} {v.detail} ({v.resource.type})" + ("" if where else f" at {v.file}:{v.line}"),
                where or Location(v.file, v.line or 1, 1))
    return out


def check_synthesized(catalog: ResolvedCatalog, outdir: Path, only: Collection[str] | None = None) -> None:
    """Raise GuardrailViolations when any stack under `outdir/stacks` (or those in `only`) breaks a rule."""
    found = violations_by_stack(catalog, outdir, only)
    if not found:
        return
    diags = Diagnostics()
    for stack in sorted(found):
        diags.extend(found[stack].items)
    raise GuardrailViolations(diags)
