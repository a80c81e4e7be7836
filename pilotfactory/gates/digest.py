"""What an approval binds to: the pilot's approved content and its sha256 digest.

Everything a reviewer approves is in it; what changes without a new approval is not: the
approvals themselves, the evidence gathered for them, and the blue/green slot switch
(`release.active`, `release.canary_percent`), which the release rules govern instead.
"""
from __future__ import annotations

import hashlib
import json
from typing import Any

from pilotfactory.catalog.model import Pilot

__all__ = ["approved_content", "content_digest", "EXCLUDED"]

EXCLUDED = ("approvals", "evidence", "release.active", "release.canary_percent")


def approved_content(pilot: Pilot) -> dict[str, Any]:
    """The typed pilot (template defaults included) as JSON data, without the excluded parts."""
    # exclude_defaults: a field added to the model later, unused by this pilot, must not turn
    # every approval stale; a value the pilot (or its template) sets still counts.
    return pilot.model_dump(mode="json", by_alias=True, exclude_defaults=True,
                            exclude={"approvals": True, "evidence": True,
                                     "release": {"active", "canary_percent"}})


def content_digest(pilot: Pilot) -> str:
    """`sha256:<hex>` of the canonical JSON of `approved_content` (sorted keys, no spaces, UTF-8)."""
    canonical = json.dumps(approved_content(pilot), sort_keys=True, separators=(",", ":"),
                           ensure_ascii=False)
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()
