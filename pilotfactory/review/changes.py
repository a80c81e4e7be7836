"""What a review is made of: changed resources with their attributes, and the findings judged from them."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pilotfactory.review.rules import rule_of

__all__ = ["ABSENT", "SENSITIVE", "UNKNOWN", "KINDS", "StackRef", "AttributeChange", "ResourceChange",
           "Finding", "Review"]

# Display values Terraform itself uses; kept as strings so JSON output shows them the same way.
SENSITIVE = "(sensitive value)"
UNKNOWN = "(known after apply)"


class _Absent:
    """An attribute that is not set on one side (created, removed); `null` in JSON."""

    def __repr__(self) -> str:
        return "ABSENT"


ABSENT: Any = _Absent()

# Finding kinds, riskiest first; the Markdown summary and --fail-on follow this order. Governance
# (who may approve production) comes first: every other sign-off rests on it.
KINDS = ("governance", "broadening", "destructive", "release", "gate", "narrowing")


@dataclass(frozen=True)
class StackRef:
    """A stack and what it belongs to: a pilot (or `platform` / `account`) in an environment."""

    name: str
    pilot: str
    env: str | None
    protected: bool = False

    @property
    def where(self) -> str:
        return f"{self.pilot} / {self.env}" if self.env else self.pilot


@dataclass(frozen=True)
class AttributeChange:
    path: str                 # readable: task[classify].python_wheel_task.package_name
    before: Any               # display value: ABSENT, SENSITIVE, UNKNOWN or plain JSON
    after: Any
    forces_replacement: bool = False


@dataclass(frozen=True)
class ResourceChange:
    stack: StackRef
    address: str              # <type>.<name>, as Terraform names it
    type: str
    label: str                # reviewer words: job `classify-green`
    action: str               # create | update | delete | replace
    before: dict | None       # raw values (for classification), never rendered as such
    after: dict | None
    attributes: tuple[AttributeChange, ...] = ()
    prevent_destroy: bool = False


@dataclass(frozen=True)
class Finding:
    kind: str                 # one of KINDS
    stack: StackRef
    text: str                 # one line in reviewer words, Markdown-safe apart from `code` and **bold**
    resource: str | None = None   # the address it comes from, for the JSON
    note: str | None = None   # e.g. the cost ceiling, or the protected-environment callout
    rule: str | None = None   # a review rule id (pilotfactory.review.rules); None: the kind's default
    source: str | None = None     # the catalog or config line behind it: `config/gates.yaml:12`
    waived: str | None = None     # the recorded reason, when a waiver covers this finding
    fold: tuple | None = None     # (principal, before, after): equal keys on many objects fold into one
    target: str | None = None     # the object the access finding is about, for folding

    @property
    def rule_id(self) -> str:
        return rule_of(self.kind, self.rule).id

    @property
    def severity(self) -> str:
        """The rule's severity; destroying in a protected environment is always critical."""
        if self.kind == "destructive" and self.stack.protected:
            return "critical"
        return rule_of(self.kind, self.rule).severity

    @property
    def blocks_by_default(self) -> bool:
        """What the default `--fail-on broadening` stops: governance, broadening, and any destroy
        or replacement in a protected environment."""
        if self.waived:
            return False
        return self.kind in ("governance", "broadening") or (self.kind == "destructive" and self.stack.protected)


@dataclass
class Review:
    base: str
    head: str
    changes: list[ResourceChange] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    stacks: list[StackRef] = field(default_factory=list)   # every stack that changed, in order
    # Said before anything else: withheld stacks, missing sign-offs, skipped symlinks.
    banner: list[str] = field(default_factory=list)
    withheld: list[dict] = field(default_factory=list)     # {stack, pilot, env, reasons}
    errors: int = 0            # catalog errors on the head side (gates): the head cannot deploy as it is

    def of_kind(self, kind: str) -> list[Finding]:
        return [f for f in self.findings if f.kind == kind]

    def changes_in(self, stack: StackRef) -> list[ResourceChange]:
        return [c for c in self.changes if c.stack.name == stack.name]
