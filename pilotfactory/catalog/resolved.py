"""What the resolve step hands to synth: one pilot in one environment, every default applied."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

from pilotfactory.catalog.model.config import Backend, Environment, Environments, Libraries, Roles, SizeTier, Standards
from pilotfactory.tfjson.stacknames import pilot_stack
from pilotfactory.yamlio.source import Source
from pilotfactory.catalog.model.pilot import Job, Pilot, Slot

__all__ = ["EffectiveCompute", "SlotRun", "ResolvedPilot", "ResolvedCatalog"]


@dataclass(frozen=True, kw_only=True)
class EffectiveCompute:
    """The cluster limits after standards, size tier and pilot tightening."""

    size: str
    min_workers: int
    max_workers: int
    autotermination_minutes: int
    node_types: tuple[str, ...]
    spark_version: str
    data_security_mode: str
    libraries: Libraries | None = None   # the standards' allow list, which every policy installs


@dataclass(frozen=True, kw_only=True)
class SlotRun:
    """One release slot as it runs in one environment."""

    name: str           # "main" for a single release; "blue" / "green" for blue/green
    slot: Slot
    role: str           # active (champion, the traffic a canary leaves), canary, or idle (no traffic)
    traffic_percent: int  # share of serving traffic

    @property
    def active(self) -> bool:
        return self.role == "active"

    @property
    def live(self) -> bool:
        """Takes traffic, so its jobs run on schedule: the active slot and a canary."""
        return self.role != "idle"


@dataclass(frozen=True, kw_only=True)
class ResolvedPilot:
    pilot: Pilot                 # template defaults, then the pilot file, then this env's overlay
    env_name: str
    env: Environment
    compute: EffectiveCompute
    slots: tuple[SlotRun, ...]   # one for `single`, two for `blue_green`
    tags: dict[str, str]         # required cluster/job tags with their values
    platform_admins: str         # group with MANAGE on secret scopes
    file: str                    # the pilot file, repository-relative
    account_backend: Backend     # where the `account` stack keeps state (its outputs give new hosts)
    # days its inference-table rows are kept (standards, per its data classification); None: for ever
    inference_retention_days: int | None = None
    # positions of every value (pilot file, template, overlay): guardrail findings point back here
    source: Source | None = field(default=None, compare=False, repr=False)

    @property
    def name(self) -> str:
        return self.pilot.name

    @property
    def stack_id(self) -> str:
        return pilot_stack(self.pilot.name, self.env_name)

    @property
    def blue_green(self) -> bool:
        return self.pilot.release.strategy == "blue_green"

    @property
    def catalog(self) -> str:
        """Unity Catalog catalog the pilot's schema lives in: restricted data only where approved for it
        (validate refuses a restricted pilot where there is none, PF223)."""
        if self.pilot.data_classification == "restricted" and self.env.restricted_catalog is not None:
            return self.env.restricted_catalog
        return self.env.catalog

    @property
    def schema_name(self) -> str:
        """Unity Catalog schema holding the pilot's model: the pilot name in snake case."""
        return self.pilot.name.replace("-", "_")

    @property
    def jobs(self) -> list[Job]:
        return self.pilot.jobs


@dataclass(frozen=True, kw_only=True)
class ResolvedCatalog:
    environments: Environments
    standards: Standards
    roles: Roles
    pilots: tuple[ResolvedPilot, ...] = field(default=())
    # config/ documents by name ("environments", "standards", "roles"), for located guardrail findings
    config_sources: Mapping[str, Source] = field(default_factory=dict, compare=False, repr=False)

    def env_pilots(self, env_name: str) -> list[ResolvedPilot]:
        return [p for p in self.pilots if p.env_name == env_name]

    def tier(self, size: str) -> SizeTier:
        return self.standards.sizes[size]
