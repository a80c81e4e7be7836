"""Before a deploy: every model version the stacks serve or alias exists in the environment's registry.

Terraform never creates model versions (no resource does); a version reaches an environment when
the pilot's own training or promotion job registers it there, or a release step copies it. An
endpoint or alias naming a version that is not there fails halfway through an apply, so it is
refused here first, saying which is missing.
"""
from __future__ import annotations

from pilotfactory.live.checks import Check
from pilotfactory.live.client import LiveError, Workspace
from pilotfactory.live.expected import Expected
from pilotfactory.tfjson.references import is_reference

__all__ = ["wanted_versions", "version_checks"]


def wanted_versions(expected: Expected) -> dict[tuple[str, int], list[str]]:
    """(model full name, version) -> what needs it (served entity or alias), from the stacks."""
    out: dict[tuple[str, int], list[str]] = {}
    for endpoint in expected.serving:
        for entity in endpoint.entities:
            name, version = entity.get("entity_name"), entity.get("entity_version")
            if name and version is not None and not is_reference(name) and not is_reference(version):
                out.setdefault((name, int(version)), []).append(f"endpoint {endpoint.name} ({entity.get('name')})")
    for model in expected.models:
        for alias, version in model.aliases.items():
            out.setdefault((model.full_name, int(version)), []).append(f"alias {alias}")
    return out


def version_checks(ws: Workspace, expected: Expected) -> list[Check]:
    checks = []
    for (full_name, version), users in sorted(wanted_versions(expected).items()):
        subject = f"{full_name} v{version}"
        try:
            ws.call(f"model version {version} of `{full_name}`", ws.client.model_versions.get, full_name, version)
            checks.append(Check("model version", subject, True, f"registered; used by {', '.join(users)}"))
        except LiveError as err:
            if err.fatal:
                raise
            why = "missing" if err.missing else str(err)
            checks.append(Check("model version", subject, False, f"{why}: {', '.join(users)} need it; register it "
                                "here with the pilot's training/promotion job or copy it with a release step"))
    return checks
