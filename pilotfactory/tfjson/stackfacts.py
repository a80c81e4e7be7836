"""Facts read back from a synthesized `<pilot>-<env>` stack JSON, for documents auditors read.

Access, schedules and policies are read from what Terraform will apply, not restated from the
YAML, so a document can never claim an access the stack does not grant (or miss one it does).
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pilotfactory.tfjson.objects import GRANT_SECURABLES, NAME_ATTRIBUTES, OBJECTS, noun
from pilotfactory.tfjson.policy import POLICY, policy_rules
from pilotfactory.tfjson.references import reference, resolve_literal
from pilotfactory.tfjson.slots import model_aliases, pause_status, routes, served_entities
from pilotfactory.tfjson.workspace_paths import wsfs_path

__all__ = ["Access", "JobFacts", "StackFacts", "read_stack", "principal_kind"]

_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")

# The arguments naming the object a permissions or grants resource governs.
_PERMISSION_TARGETS = tuple(a for o in OBJECTS for a in o.arguments)
_GRANT_TARGETS = tuple(GRANT_SECURABLES)


@dataclass(frozen=True)
class Access:
    principal: str
    kind: str            # group, user or service principal
    object: str          # e.g. "job kyc-document-triage-classify-blue"
    level: str           # permission level, secret ACL permission or UC privileges


@dataclass(frozen=True)
class JobFacts:
    name: str
    slot: str | None
    cron: str | None
    timezone: str | None
    paused: bool | None  # None: no schedule (on demand)
    timeout_seconds: int | None
    on_failure: tuple[str, ...]
    tasks: tuple[tuple[str, tuple[str, ...]], ...]  # (task key, depends on)


@dataclass(frozen=True)
class StackFacts:
    name: str
    data: dict

    def resources(self, type_: str) -> dict[str, dict]:
        return self.data.get("resource", {}).get(type_, {})

    def object_label(self, token: Any) -> str:
        """`job kyc-document-triage-classify-blue` for a `${databricks_job.x.id}` token."""
        ref = reference(str(token))
        if ref is None:
            return str(token)
        return f"{noun(ref.type)} {self._name(ref.type, self.resources(ref.type).get(ref.name, {}))}"

    def _name(self, type_: str, values: dict) -> str:
        if type_ == "databricks_registered_model":
            return f"{values.get('catalog_name')}.{self._plain(values.get('schema_name'))}.{values.get('name')}"
        if type_ == "databricks_schema":
            return f"{values.get('catalog_name')}.{values.get('name')}"
        return str(values.get(NAME_ATTRIBUTES.get(type_, "name"), "?"))

    def _plain(self, value: Any) -> str:
        return str(resolve_literal(str(value), self.data.get("resource", {})))

    def access(self) -> list[Access]:
        out: list[Access] = []
        for values in self.resources("databricks_permissions").values():
            target = next((values[k] for k in _PERMISSION_TARGETS if k in values), None)
            label = self.object_label(target)
            for entry in values.get("access_control", []):
                for field, kind in (("group_name", "group"), ("user_name", "user"),
                                    ("service_principal_name", "service principal")):
                    if field in entry:
                        out.append(Access(entry[field], kind, label, entry["permission_level"]))
        for values in self.resources("databricks_secret_acl").values():
            out.append(Access(values["principal"], principal_kind(values["principal"]),
                              f"secret scope {self._plain(values['scope'])}", values["permission"]))
        for values in self.resources("databricks_grants").values():
            target = next((values[k] for k in _GRANT_TARGETS if k in values), None)
            label = self.object_label(target)
            for grant in values.get("grant", []):
                out.append(Access(grant["principal"], principal_kind(grant["principal"]), label,
                                  ", ".join(grant["privileges"])))
        return out

    def jobs(self) -> list[JobFacts]:
        out = []
        for values in self.resources("databricks_job").values():
            schedule = values.get("schedule")
            out.append(JobFacts(
                name=values["name"], slot=values.get("tags", {}).get("slot"),
                cron=schedule["quartz_cron_expression"] if schedule else None,
                timezone=schedule["timezone_id"] if schedule else None,
                paused=(pause_status(values) == "PAUSED") if schedule else None,
                timeout_seconds=values.get("timeout_seconds"),
                on_failure=tuple(values.get("email_notifications", {}).get("on_failure", [])),
                tasks=tuple((t["task_key"], tuple(d["task_key"] for d in t.get("depends_on", [])))
                            for t in values.get("task", [])),
            ))
        return sorted(out, key=lambda j: j.name)

    def policy_rules(self) -> dict[str, dict]:
        for values in self.resources(POLICY).values():
            return policy_rules(values["definition"]) or {}
        return {}

    def serving(self) -> dict | None:
        for values in self.resources("databricks_model_serving").values():
            entities = served_entities(values)
            shares = [(entity, percent, entities[entity]["entity_version"])
                      for entity, percent in routes(values).items()]
            first = next(iter(entities.values()))
            return {"name": values["name"], "routes": shares, "model": first["entity_name"],
                    "scale_to_zero": first.get("scale_to_zero_enabled"),
                    "workload_size": first.get("workload_size")}
        return None

    def _subscribers(self, subscription: dict) -> list[str]:
        """A subscription's e-mail addresses: a user's, or those of the notification destination it names."""
        if "user_email" in subscription:
            return [subscription["user_email"]]
        ref = reference(subscription.get("destination_id"))
        if ref is None or (ref.type, ref.attribute) != ("databricks_notification_destination", "id"):
            return []
        destination = self.resources(ref.type).get(ref.name, {})
        return list(destination.get("config", {}).get("email", {}).get("addresses", []))

    def alerts(self) -> list[dict]:
        """SQL alerts: name, schedule, what fires them and who hears it."""
        out = []
        for values in self.resources("databricks_alert_v2").values():
            evaluation = values["evaluation"]
            out.append({
                "name": values["display_name"],
                "schedule": values["schedule"]["quartz_cron_schedule"],
                "column": evaluation["source"]["name"],
                "op": evaluation["comparison_operator"],
                "threshold": evaluation["threshold"]["value"]["double_value"],
                "runbook": values.get("custom_description"),
                "notify": [who for s in evaluation.get("notification", {}).get("subscriptions", [])
                           for who in self._subscribers(s)],
            })
        return sorted(out, key=lambda a: a["name"])

    def monitors(self) -> list[dict]:
        """Lakehouse monitors: the table watched, its profile columns, baseline, schedule and who hears a failure."""
        out = []
        for values in self.resources("databricks_quality_monitor").values():
            log = (values.get("inference_log") or [{}])[0]
            schedule = (values.get("schedule") or [{}])[0]
            out.append({
                "table": values["table_name"],
                "problem_type": log.get("problem_type", "").removeprefix("PROBLEM_TYPE_").lower(),
                "timestamp": log.get("timestamp_col"), "prediction": log.get("prediction_col"),
                "model_id": log.get("model_id_col"), "label": log.get("label_col"),
                "baseline": values.get("baseline_table_name"),
                "output_schema": values["output_schema_name"],
                "schedule": schedule.get("quartz_cron_expression"), "timezone": schedule.get("timezone_id"),
                "notify": [who for n in values.get("notifications", []) for f in n.get("on_failure", [])
                           for who in f.get("email_addresses", [])],
            })
        return sorted(out, key=lambda m: m["table"])

    def dashboards(self) -> list[str]:
        """Workspace paths of the pilot's Lakeview dashboards."""
        return sorted(f"{v['parent_path']}/{v['display_name']}"
                      for v in self.resources("databricks_dashboard").values())

    def health_rules(self) -> dict[str, list[str]]:
        """Job name -> its health rules in words."""
        def words(rule: dict) -> str:
            if rule["metric"] == "RUN_DURATION_SECONDS" and rule["op"] == "GREATER_THAN":
                return f"a run longer than {rule['value']} s ({rule['value'] / 60:g} min) warns on-call"
            return f"{rule['metric']} {rule['op']} {rule['value']}"

        return {v["name"]: [words(r) for r in v.get("health", {}).get("rules", [])]
                for v in self.resources("databricks_job").values() if v.get("health")}

    def model_aliases(self) -> dict[str, int]:
        for values in self.resources("databricks_registered_model").values():
            return model_aliases(values)
        return {}

    def contract_files(self) -> dict[str, str]:
        """Contract name -> workspace path of its generated check."""
        out = {}
        for values in self.resources("databricks_workspace_file").values():
            path = values["path"]
            out[Path(path).stem] = wsfs_path(path)
        return out


def read_stack(path: Path) -> StackFacts:
    return StackFacts(path.parent.name, json.loads(path.read_text(encoding="utf-8")))


def principal_kind(principal: str) -> str:
    if _UUID.match(principal):
        return "service principal"
    return "user" if "@" in principal else "group"
