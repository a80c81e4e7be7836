"""Controls that are resources of their own: removing one weakens a control, it is not a routine destroy.

- `databricks_quality_monitor`: its destroy deletes the monitor (provider v1.99.0
  catalog/resource_quality_monitor.go:132), so drift and data quality of the table go unwatched.
- `databricks_artifact_allowlist`: its destroy sets the type's list empty (catalog/
  resource_artifact_allowlist.go:100-103), and from then on nobody's edit to the list is reviewed
  or seen as drift; matchers added let shared clusters load more (docs/resources/artifact_allowlist.md:6).
- a cluster policy's `libraries` (docs/resources/cluster_policy.md:153-155): the vetted libraries the
  policy installs on every cluster it governs; removed, clusters run without them.
- a serving endpoint's inference table (`ai_gateway.inference_table_config.enabled`, docs/resources/
  model_serving.md:84-89,261-262): the record of every request and prediction, which the monitors,
  alerts and the retention job read; switched off or removed, the endpoint serves unrecorded.
- the inference-table retention (the SQL file the daily retention job runs, tfjson/retention.py):
  the provider sets no retention on an inference table, so this job is the only thing that deletes
  customers' requests and responses; more days, or no job, keeps them longer than the data
  classification allows (config/standards.yaml `inference_retention_days`).
"""
from __future__ import annotations

from typing import Any, Mapping

from pilotfactory.review.changes import Finding, ResourceChange
from pilotfactory.tfjson.retention import is_retention_file, retention_days

__all__ = ["control_findings", "logs_inference", "CONTROL_TYPES"]

# type -> the rule its removal breaks; a deletion of one of these replaces the generic PFR050
CONTROL_TYPES = {"databricks_quality_monitor": "PFR034", "databricks_artifact_allowlist": "PFR035"}


def _list(value: Any) -> list:
    return value if isinstance(value, list) else [value] if isinstance(value, Mapping) else []


def _matchers(values: Mapping[str, Any] | None) -> set[str]:
    return {str(m.get("artifact")) for m in _list((values or {}).get("artifact_matcher")) if isinstance(m, Mapping)}


def _library(block: Any) -> str:
    """One policy `libraries` block in words: `pypi requests==2.32.3`, `jar /Volumes/...`."""
    if not isinstance(block, Mapping):
        return str(block)
    for key, value in sorted(block.items()):
        if isinstance(value, Mapping):
            inner = value.get("package") or value.get("coordinates")
            if inner:
                return f"{key} {inner}"
        elif value:
            return f"{key} {value}"
    return str(dict(block))


def logs_inference(values: Mapping[str, Any] | None) -> bool:
    """Whether an endpoint's AI Gateway writes its inference table (blocks are objects in cdk.tf.json,
    one-item lists in a plan)."""
    for gateway in _list((values or {}).get("ai_gateway")):
        for config in _list(gateway.get("inference_table_config") if isinstance(gateway, Mapping) else None):
            if isinstance(config, Mapping) and config.get("enabled") is True:
                return True
    return False


def _weakened(change: ResourceChange, rule: str, text: str, note: str) -> Finding:
    return Finding("broadening", change.stack, text, change.address, note, rule=rule)


def _retention(change: ResourceChange) -> list[Finding]:
    """The retention job's SQL: days raised, unreadable, or the file gone (its job goes with it)."""
    was = retention_days(change.before)
    note = "inference tables hold every request and response; this job is all that deletes them"
    if change.action == "delete" or not is_retention_file(change.after):
        return [_weakened(change, "PFR039", f"{change.label}: inference-table retention ({was} days) **no longer "
                          "enforced**: requests and predictions are kept indefinitely", note)]
    now = retention_days(change.after)
    if now is None and was is not None:
        return [_weakened(change, "PFR039", f"{change.label}: inference-table retention {was} days → **cannot be "
                          "read** from the new SQL", note)]
    if was is not None and now is not None and now > was:
        return [_weakened(change, "PFR039", f"{change.label}: inference-table retention {was} → **{now}** days: "
                          "requests and predictions are kept longer", note)]
    return []


def control_findings(change: ResourceChange) -> list[Finding]:
    """Weakened-control findings for a quality monitor or artifact allowlist removed (or widened),
    a cluster policy's libraries removed, an endpoint's inference logging off, or its inference-table
    retention raised or removed; [] for anything else."""
    if change.type == "databricks_quality_monitor" and change.action in ("delete", "replace"):
        table = (change.before or {}).get("table_name", "?")
        if change.action == "delete":
            text = (f"deletes the quality monitor on `{table}` ({change.label}): **nothing watches its data "
                    "quality and drift any more**")
        else:
            text = (f"replaces the quality monitor on `{table}` ({change.label}): deleted, then created again, "
                    "**unwatched in between**")
        return [_weakened(change, "PFR034", text, "a monitor is a control: its destroy deletes it")]
    if change.type == "databricks_artifact_allowlist":
        kind = (change.before or change.after or {}).get("artifact_type", "?")
        if change.action == "delete":
            return [_weakened(change, "PFR035", f"removes the artifact allowlist for {kind} ({change.label}) "
                              "from review: **hand edits to it are no longer seen**",
                              "destroy sets the list empty; whatever a metastore admin sets after is unreviewed")]
        added = sorted(_matchers(change.after) - _matchers(change.before)) if change.before is not None else []
        if added:
            return [_weakened(change, "PFR035", f"artifact allowlist for {kind}: shared clusters may load "
                              f"**+ {', '.join(added)}**", "each entry is a prefix match (PREFIX_MATCH)")]
        return []
    if change.type == "databricks_model_serving" and change.action in ("update", "replace"):
        if logs_inference(change.before) and not logs_inference(change.after):
            return [_weakened(change, "PFR038", f"{change.label}: inference table logging on → **off**: requests "
                              "and predictions are **no longer recorded**",
                              "the monitors, alerts and retention job of the endpoint read that table")]
        return []
    if change.type == "databricks_workspace_file" and is_retention_file(change.before):
        return _retention(change)
    if change.type == "databricks_cluster_policy" and change.before is not None and change.after is not None:
        was = [_library(b) for b in _list(change.before.get("libraries"))]
        now = {_library(b) for b in _list(change.after.get("libraries"))}
        gone = [w for w in was if w not in now]
        if gone:
            return [_weakened(change, "PFR036", f"{change.label}: no longer installs **{', '.join(gone)}**",
                              "the policy's libraries are the vetted set every cluster under it gets")]
    return []
