"""What each gate's approval binds to: the keys of a pilot its digest covers (pilotfactory/gates/digest.py).

One home for the rule, read by the digest and rendered into the catalog reference.
"""
from __future__ import annotations

__all__ = ["INTAKE_KEYS", "ENVIRONMENT_EXCLUDED", "EVIDENCE_BEHIND", "describe"]

# The intake sign-off: the intake facts (value, risk, data readiness, success metrics), the owners
# and the data classification; nothing about how the pilot is built, released or promoted.
INTAKE_KEYS = ("name", "owners", "intake", "data_classification")

# The environment gates: everything else reaches the stacks of the environments they open.
ENVIRONMENT_EXCLUDED = ("phase", "approvals", "evidence", "release.active", "release.canary",
                        "release.changes")

# ... and the evidence behind what runs there.
EVIDENCE_BEHIND = ("test_report", "model_validation")


def describe() -> list[str]:
    """The rule as Markdown, for docs/catalog-reference.md."""
    def keys(names) -> str:
        return ", ".join(f"`{n}`" for n in names)

    return [
        "## What an approval binds to",
        "",
        "Each approval carries `digest: sha256:…` of what its gate approves (`pilotfactory approve` "
        "writes it); it goes stale when that changes, and not otherwise. Template defaults count "
        "as if written in the pilot.",
        "",
        f"- `pilot` (intake): {keys(INTAKE_KEYS)}. A title typo, a phase promotion or a release "
        "does not re-open the intake sign-off.",
        "- `staging`, `production` (environment gates): every key that reaches the stacks of the "
        "environments the gate opens (those whose `min_phase` is the gate), with only those "
        f"environments' `overrides`; not {keys(ENVIRONMENT_EXCLUDED)}. The evidence behind it is "
        f"in: each {keys(EVIDENCE_BEHIND)} entry of a version or model version a release slot runs. "
        "Security reviews and rollback rehearsals are dated records the gate judges on its own, so "
        "recording a new one re-opens nothing; neither does a slot switch or a canary share, which "
        "the release rules govern.",
        "- The gate's name is part of the digest: an approval cannot be moved to another gate.",
        "",
    ]
