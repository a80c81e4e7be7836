"""The platform standards the rules need, as plain explicit inputs; built from config/."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pilotfactory.diagnostics.diagnostic import Diagnostics, Location
from pilotfactory.tfjson.stacknames import ACCOUNT, environments_of

__all__ = ["Tier", "EnvFacts", "Platform", "load_platform"]


@dataclass(frozen=True)
class Tier:
    min_workers: int
    max_workers: int
    node_types: frozenset[str]


@dataclass(frozen=True)
class EnvFacts:
    name: str
    protected: bool
    host: str | None                 # workspace URL, to recognise a file by its provider block
    run_as: str                      # service principal application id
    max_token_lifetime_days: int


@dataclass(frozen=True)
class Platform:
    spark_versions: frozenset[str]
    node_types: frozenset[str]
    tiers: dict[str, Tier]
    autotermination_minutes: int
    data_security_mode: str
    required_tags: tuple[str, ...]
    max_concurrent_runs: int
    platform_admins: str
    environments: dict[str, EnvFacts] = field(default_factory=dict)
    # (kind, value) of every library config/standards.yaml allows: ("pypi", "x==1"), ("maven", ...), ("jar", ...)
    libraries: frozenset[tuple[str, str]] = frozenset()

    @classmethod
    def from_config(cls, environments, standards, roles) -> "Platform":
        """From the typed config models (pilotfactory.catalog.model.config)."""
        return cls(
            spark_versions=frozenset(standards.spark_versions),
            node_types=frozenset(standards.node_types),
            tiers={name: Tier(t.min_workers, t.max_workers, frozenset(t.node_types))
                   for name, t in standards.sizes.items()},
            autotermination_minutes=standards.autotermination_minutes,
            data_security_mode=standards.data_security_mode,
            required_tags=tuple(standards.required_tags),
            max_concurrent_runs=standards.max_concurrent_runs,
            platform_admins=roles.platform_admins,
            libraries=frozenset((kind, value) for kind in ("pypi", "maven", "jar")
                                for value in getattr(standards.libraries, kind, None) or ()),
            environments={
                name: EnvFacts(name=name, protected=env.protected, host=env.workspace.url,
                               run_as=env.run_as.application_id,
                               max_token_lifetime_days=env.security.max_token_lifetime_days)
                for name, env in environments.environments.items()
            },
        )

    @property
    def max_token_lifetime_days(self) -> int:
        """The bound where the environment is unknown: the loosest any environment allows."""
        return max((e.max_token_lifetime_days for e in self.environments.values()), default=90)

    def env_of_stack(self, stack: str | None) -> EnvFacts | None:
        """`<pilot>-<env>` and `platform-<env>` stacks name their environment last; of two it could
        be in (`x-pre-prod`: `x-pre` in prod or `x` in pre-prod), a protected one is checked."""
        if not stack:
            return None
        if stack in self.environments:
            return self.environments[stack]
        candidates = [self.environments[e] for e in environments_of(stack, self.environments)]
        return next((e for e in candidates if e.protected), candidates[0] if candidates else None)

    def env_of_account_element(self, construct_path: str | None) -> EnvFacts | None:
        """The environment an `account` stack element was made for: a workspace the stack creates
        sits at `account/<env>` (stacks/account_stack.py). The stack's other elements (groups, their
        members and assignments, log delivery) belong to no one environment."""
        parts = construct_path.split("/") if construct_path else []
        if len(parts) >= 2 and parts[0] == ACCOUNT:
            return self.environments.get(parts[1])
        return None

    def env_of_host(self, host: str | None) -> EnvFacts | None:
        if not host:
            return None
        for env in self.environments.values():
            if env.host and env.host.rstrip("/") == host.rstrip("/"):
                return env
        return None


_FILES = {"environments": "environments.yaml", "standards": "standards.yaml", "roles": "roles.yaml"}


def load_platform(config_dir: Path, diags: Diagnostics, display_root: Path | None = None) -> Platform | None:
    """Read environments, standards and roles from `config_dir`; problems go to `diags`."""
    from pilotfactory.catalog.load import CONFIG_FILES
    from pilotfactory.catalog.parse import parse_document
    from pilotfactory.yamlio.source import load_yaml_file

    from pilotfactory.diagnostics.codes import Code

    config_dir = config_dir.resolve()
    root = (display_root or config_dir.parent).resolve()
    typed = {}
    for attr, name in _FILES.items():
        path = config_dir / name
        try:
            shown = path.relative_to(root).as_posix()
        except ValueError:
            shown = path.as_posix()
        if not path.is_file():
            diags.error(Code.MISSING_FILE, f"missing `{shown}`: the guardrails take platform standards "
                        "from it (point elsewhere with --config)", Location(shown, 1, 1))
            continue
        source = load_yaml_file(path, shown, diags)
        typed[attr] = parse_document(source, CONFIG_FILES[attr][1], diags) if source is not None else None
    if len(typed) < len(_FILES) or None in typed.values():
        return None
    return Platform.from_config(typed["environments"], typed["standards"], typed["roles"])
