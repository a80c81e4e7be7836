"""What an approval binds to: per gate, the content that gate approves, and its sha256 digest.

The rule (which keys each gate covers) lives in pilotfactory/catalog/model/approval_scope.py and
is documented in docs/catalog-reference.md; this module applies it to a typed pilot.
"""
from __future__ import annotations

import hashlib
import json
from typing import Any, Iterable

from pilotfactory.catalog.model import Pilot
from pilotfactory.catalog.model.approval_scope import ENVIRONMENT_EXCLUDED, EVIDENCE_BEHIND, INTAKE_KEYS

__all__ = ["INTAKE_KEYS", "ENVIRONMENT_EXCLUDED", "gate_environments", "gate_content", "gate_digest",
           "approval_digest"]


def gate_environments(catalog, gate: str) -> tuple[str, ...]:
    """The environments `gate` opens: those whose `min_phase` is the gate's phase."""
    return tuple(name for name, env in catalog.environments.environments.items() if env.min_phase == gate)


def _typed(pilot: Pilot) -> dict[str, Any]:
    # exclude_defaults: a field added to the model later, unused by this pilot, must not turn
    # every approval stale; a value the pilot (or its template) sets still counts.
    exclude: dict[str, Any] = {}
    for dotted in ENVIRONMENT_EXCLUDED:
        top, _, sub = dotted.partition(".")
        exclude[top] = exclude.get(top, set()) | {sub} if sub else True
    return pilot.model_dump(mode="json", by_alias=True, exclude_defaults=True, exclude=exclude)


def _evidence_behind(pilot: Pilot) -> list[dict[str, Any]]:
    """Each EVIDENCE_BEHIND entry about a version (test_report) or model version (model_validation)
    that a release slot runs."""
    running = {("test_report", s.version) for s in pilot.release.slots.values() if s.version}
    running |= {("model_validation", s.model_version) for s in pilot.release.slots.values()
                if s.model_version is not None}
    behind = [e for e in pilot.evidence if e.kind in EVIDENCE_BEHIND
              and (e.kind, getattr(e, "version", None) or getattr(e, "model_version", None)) in running]
    return [e.model_dump(mode="json", by_alias=True, exclude_defaults=True) for e in behind]


def gate_content(pilot: Pilot, gate: str, envs: Iterable[str] = ()) -> dict[str, Any]:
    """What an approval of `gate` approves, as JSON data."""
    typed = _typed(pilot)
    if gate == "pilot":
        return {key: typed[key] for key in INTAKE_KEYS if key in typed}
    wanted = set(envs)
    overrides = {env: o for env, o in typed.pop("overrides", {}).items() if env in wanted}
    return {**typed, **({"overrides": overrides} if overrides else {}), "evidence": _evidence_behind(pilot)}


def gate_digest(pilot: Pilot, gate: str, envs: Iterable[str] = ()) -> str:
    """`sha256:<hex>` of the canonical JSON of `gate_content` (sorted keys, no spaces, UTF-8)."""
    canonical = json.dumps({"gate": gate, "content": gate_content(pilot, gate, envs)}, sort_keys=True,
                           separators=(",", ":"), ensure_ascii=False)
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def approval_digest(catalog, pilot: Pilot, gate: str) -> str:
    """The digest an approval of `gate` for `pilot` must carry in this catalog."""
    return gate_digest(pilot, gate, gate_environments(catalog, gate))
