"""Controls that are resources, read back live: each quality monitor and artifact allowlist the
stacks declare, and each serving endpoint's inference logging, as a ResourceChange the review
classifies (a monitor gone is PFR034, an allowlist emptied or widened PFR035, inference logging
off PFR038), so drift names a weakened control as `review` does.

databricks-sdk 0.162: quality_monitors.get(table_name) (GET /api/2.1/unity-catalog/tables/<t>/monitor,
404 when there is none); artifact_allowlists.get(artifact_type) (GET .../artifact-allowlists/<type>);
serving_endpoints.get(name) (GET /api/2.0/serving-endpoints/<name>, its `ai_gateway`).
"""
from __future__ import annotations

from typing import Any, Mapping

from pilotfactory.live.client import LiveError, Workspace
from pilotfactory.review.changes import ResourceChange
from pilotfactory.review.controls import logs_inference
from pilotfactory.review.diff import resource_change, stack_ref

__all__ = ["control_changes"]


def _monitor(ws: Workspace, stack, rname: str, values: Mapping[str, Any], label: str) -> ResourceChange | None:
    table = values.get("table_name")
    try:
        ws.call(f"quality monitor of `{table}`", ws.client.quality_monitors.get, table)
    except LiveError as err:
        if not err.missing:
            raise
        # gone live: the same change a destroy in a plan is
        return resource_change(stack, "databricks_quality_monitor", rname, dict(values), None, label)
    return None


def _allowlist(ws: Workspace, stack, rname: str, values: Mapping[str, Any], label: str) -> ResourceChange | None:
    from databricks.sdk.service.catalog import ArtifactType

    kind = str(values.get("artifact_type"))
    info = ws.call(f"artifact allowlist {kind}", ws.client.artifact_allowlists.get, ArtifactType(kind))
    live = [m.as_dict() for m in info.artifact_matchers or []]
    if not live:
        # an empty list is what a destroy leaves (catalog/resource_artifact_allowlist.go:100-103)
        return resource_change(stack, "databricks_artifact_allowlist", rname, dict(values), None, label)
    want = {str(m.get("artifact")) for m in values.get("artifact_matcher") or []}
    if {str(m.get("artifact")) for m in live} == want:
        return None
    return resource_change(stack, "databricks_artifact_allowlist", rname, dict(values),
                           {**values, "artifact_matcher": live}, label)


def _endpoint(ws: Workspace, stack, rname: str, values: Mapping[str, Any], label: str) -> ResourceChange | None:
    if not logs_inference(values):
        return None
    name = str(values.get("name"))
    info = ws.call(f"serving endpoint `{name}`", ws.client.serving_endpoints.get, name)
    config = info.ai_gateway.inference_table_config if info.ai_gateway else None
    if config is not None and config.enabled:
        return None
    # switched off (or its gateway configuration removed) by hand: the change review sees in a plan
    live = {**values, "ai_gateway": {"inference_table_config": config.as_dict() if config else {"enabled": False}}}
    return resource_change(stack, "databricks_model_serving", rname, dict(values), live, label)


def control_changes(ws: Workspace, stacks: Mapping[str, Mapping[str, Any]], envs: Mapping[str, bool],
                    labels: Mapping[str, Mapping], missing: list[str]) -> list[ResourceChange]:
    """Changes for every declared monitor or allowlist that is gone or differs live, and every endpoint
    whose inference logging is off live; what cannot be read goes to `missing`."""
    out = []
    for name, doc in stacks.items():
        stack = stack_ref(name, envs)
        resources = doc.get("resource", {})
        for rtype, read in (("databricks_quality_monitor", _monitor), ("databricks_artifact_allowlist", _allowlist),
                            ("databricks_model_serving", _endpoint)):
            for rname, values in (resources.get(rtype) or {}).items():
                label = labels.get(name, {}).get((rtype, rname), f"{rtype}.{rname}")
                try:
                    change = read(ws, stack, rname, values, label)
                except LiveError as err:
                    if err.fatal:
                        raise
                    missing.append(f"{label}: {err}")
                    continue
                if change is not None:
                    out.append(change)
    return out
