"""SARIF 2.1.0, the format code-scanning dashboards read, for `pilotfactory check --format sarif`."""
from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import Iterable

from pilotfactory.diagnostics.diagnostic import Diagnostic
from pilotfactory.guardrails.registry import RULES
from pilotfactory.guardrails.evaluate import Violation

__all__ = ["to_sarif", "SARIF_SCHEMA"]

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def _version() -> str:
    try:
        return version("pilotfactory")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "0.0.0"


def to_sarif(violations: Iterable[Violation], input_errors: Iterable[Diagnostic] = ()) -> dict:
    ids = sorted(RULES)
    index = {rule_id: i for i, rule_id in enumerate(ids)}
    results = []
    for v in violations:
        location = {"physicalLocation": {"artifactLocation": {"uri": v.file}}}
        if v.line:
            location["physicalLocation"]["region"] = {"startLine": v.line}
        location["logicalLocations"] = [{"fullyQualifiedName": v.resource.address, "kind": "resource"}]
        results.append({"ruleId": v.rule_id, "ruleIndex": index[v.rule_id], "level": "error",
                        "message": {"text": v.message}, "locations": [location]})
    notifications = [{"level": "error", "message": {"text": d.summary},
                      "locations": [{"physicalLocation": {"artifactLocation": {"uri": d.location.file},
                                                          "region": {"startLine": d.location.line,
                                                                     "startColumn": d.location.column}}}]}
                     for d in input_errors if d.location]
    run = {
        "tool": {"driver": {
            "name": "pilotfactory-guardrails",
            "version": _version(),
            "rules": [{
                "id": rule_id,
                "name": RULES[rule_id].title,
                "shortDescription": {"text": RULES[rule_id].title},
                "fullDescription": {"text": RULES[rule_id].rationale},
                "help": {"text": RULES[rule_id].rationale},
                "defaultConfiguration": {"level": "error"},
            } for rule_id in ids],
        }},
        "results": results,
    }
    if notifications:
        run["invocations"] = [{"executionSuccessful": False, "toolExecutionNotifications": notifications}]
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}
