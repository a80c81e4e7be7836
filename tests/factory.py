"""A catalog factory: a complete repository on disk (config/, templates, pilots, evidence) for N
generated pilots that earn their declared phase, so tests never lean on the example catalog.

Evidence files are real JUnit reports pinned by their sha256; production approvals carry the
digest `pilotfactory.gates.digest.approval_digest` computes for the pilot as the pipeline types it.
Knobs per pilot: phase, template, serving, slots (1 = single, 2 = blue/green), canary, and the
date of the rollback rehearsal; `Estate.pilot_file` and `Estate.break_pilot` edit one afterwards.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
# The day the factory dates its evidence and approvals relative to: tests/conftest.py pins
# pilotfactory.gates.clock.today to it.
AS_OF = dt.date(2026, 11, 25)

SERVICE_PRINCIPALS = {"dev": "0b7c1d2e-3f40-4a51-8b62-7c83d94ea5f6",
                      "staging": "1c8d2e3f-4051-4b62-9c73-8d94ea5fb607",
                      "prod": "2d9e3f40-5162-4c73-8d84-9ea5fb60c718"}


def environments(account: bool = False) -> dict:
    """`account`: the account stack also creates prod's workspace, assigns the metastore and delivers
    audit logs (as a bank's first workspace on the factory would), instead of only assigning groups."""
    envs = {}
    for name, phase in (("dev", "pilot"), ("staging", "staging"), ("prod", "production")):
        env = {"min_phase": phase,
               # The id lets the account stack assign the managed groups to the workspace.
               "workspace": {"host": f"https://dbc-factory-{name}.cloud.databricks.com",
                             "id": {"dev": 1000000000000001, "staging": 1000000000000002, "prod": 1000000000000003}[name]},
               "catalog": f"pilots_{name}",
               "run_as": {"application_id": SERVICE_PRINCIPALS[name], "display_name": f"sp-factory-{name}"},
               "artifacts": f"/Volumes/pilots_{name}/releases/wheels",
               "sql_warehouse_id": {"dev": "4f2a9c81d0e3b657", "staging": "9b1e7d3c5a2f8604", "prod": "2c7f0a94e1b6d835"}[name]}
        if name == "prod" and account:
            env["workspace"] = {"create": {"workspace_name": "factory-prod", "deployment_name": "factory-prod",
                                           "region": "eu-west-2",
                                           "credentials_id": "7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c0d",
                                           "storage_configuration_id": "8b9c0d1e-2f3a-4b4c-9d5e-6f7a8b9c0d1e"}}
        if name == "prod":
            env["protected"] = True
            # Always open (a 24-hour window every day), so estates never wait for a window.
            env["change_control"] = {"timezone": "Europe/London", "windows": [
                {"days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], "start": "00:00", "end": "00:00"}]}
        envs[name] = env
    ids = {"id": "6f1a2b3c-4d5e-4f60-8a71-b2c3d4e5f607"}
    if account:
        ids |= {"metastore_id": "9e8d7c6b-5a49-4382-9170-6f5e4d3c2b1a",
                "audit_logs": {"credentials_id": "806908a2-44c1-43e4-8cb4-b62c4a788ca2",
                               "storage_configuration_id": "b1cd0de0-bb81-42fd-950b-2383a374055d",
                               "delivery_path_prefix": "audit-logs"}}
    return {"apiVersion": "pilotfactory/v1", "kind": "Environments", "account": ids, "environments": envs}


STANDARDS = {
    "apiVersion": "pilotfactory/v1", "kind": "Standards",
    "spark_versions": ["15.4.x-scala2.12", "14.3.x-scala2.12"],
    "node_types": {"m6i.xlarge": {"dbu_per_hour": 0.69}, "m6i.2xlarge": {"dbu_per_hour": 1.37}},
    "autotermination_minutes": 60,
    "sizes": {"small": {"min_workers": 1, "max_workers": 4, "node_types": ["m6i.xlarge", "m6i.2xlarge"]},
              "medium": {"min_workers": 2, "max_workers": 8, "node_types": ["m6i.2xlarge"]}},
}

GATES = {
    "apiVersion": "pilotfactory/v1", "kind": "Gates",
    # An estate without git history: signed approvals are tested in tests/gates/test_signature.py.
    "approvals": {"verify": "none"},
    "intake": {"min_value_score": 3, "min_data_readiness_score": 3, "model_risk_review_above": 3,
               "required": ["executive_sponsor", "product_owner", "pmo_lead", "success_metrics"]},
    "exits": {
        "staging": {"data_contracts_complete": True, "owners_complete": True,
                    "segregation_of_duties": True, "security_review": True},
        "production": {"test_reports": True,
                       "rollback_rehearsal": {"env": "staging", "max_age_days": 90},
                       "approvals": ["compliance", "security"]},
    },
}

TEMPLATES = ("batch", "serving")

SECURITY = "sec.reviewer@bank.example"
COMPLIANCE = "compliance.officer@bank.example"


@dataclass
class PilotSpec:
    name: str
    phase: str = "production"            # pilot | staging | production
    template: str = "batch"              # one of TEMPLATES
    serving: bool = False                # a model serving endpoint
    slots: int = 2                       # 1: single release; 2: blue/green
    canary_percent: int = 0              # on the slot not active in prod (blue/green and serving only)
    rehearsal_date: dt.date | None = None  # default: 10 days before AS_OF
    extra: dict = field(default_factory=dict)  # top-level keys written over the generated ones

    @property
    def file(self) -> str:
        return f"catalog/pilots/{self.name}.yaml"


def _roles(specs: list[PilotSpec]) -> dict:
    groups = {"platform-admins": {"members": ["platform.admin@bank.example"]},
              "security-review": {"members": [SECURITY]},
              "compliance": {"members": [COMPLIANCE]},
              "model-risk": {"members": ["model.risk@bank.example"]}}
    for s in specs:
        groups[f"{s.name}-builders"] = {"managed": True, "members": [f"builder.{s.name}@bank.example"]}
        groups[f"{s.name}-approvers"] = {"managed": True, "members": [f"approver.{s.name}@bank.example"]}
        groups[f"{s.name}-oncall"] = {"managed": True, "members": [f"oncall.{s.name}@bank.example"]}
    return {"apiVersion": "pilotfactory/v1", "kind": "Roles", "platform_admins": "platform-admins",
            "roles": {"security": "security-review", "compliance": "compliance", "model_risk": "model-risk"},
            "groups": groups}


def _template(name: str) -> dict:
    defaults = {"compute": {"size": "small"}, "sla": {"max_run_minutes": 120}}
    return {"apiVersion": "pilotfactory/v1", "kind": "Template", "name": name,
            "title": f"Factory template {name}", "description": "Generated for tests.",
            "version": "1.0.0", "defaults": defaults}


def _junit(name: str, version: str) -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<testsuites><testsuite name="{name}" tests="2" '
            f'failures="0" errors="0" timestamp="2026-11-01T10:00:00"><properties><property name="git_tag" '
            f'value="{version}"/></properties><testcase classname="{name}" name="test_score"/>'
            f'<testcase classname="{name}" name="test_contract"/></testsuite></testsuites>\n').encode()


def _pilot(spec: PilotSpec, root: Path) -> dict:
    n = spec.name
    schema = n.replace("-", "_")
    versions = ["v1.0.0", "v1.1.0"][:spec.slots]
    names = ["blue", "green"] if spec.slots == 2 else ["main"]
    slots = {slot: {"version": v, "model_version": i + 1} for i, (slot, v) in enumerate(zip(names, versions))}
    release: dict = {"repo": f"https://git.bank.example/pilots/{n}", "slots": slots}
    if spec.slots == 2:
        release["strategy"] = "blue_green"
        release["active"] = {"dev": "green", "staging": "green", "prod": "green"}
        if spec.canary_percent:
            release["canary"] = {"prod": {"slot": "blue", "percent": spec.canary_percent}}
    model: dict = {"name": f"{schema}_model"}
    if spec.serving:
        model["serving"] = {"workload_size": "Small", "scale_to_zero": True}
    evidence: list = []
    for v in versions:
        data = _junit(n, v)
        path = Path("evidence") / n / v / "junit.xml"
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_bytes(data)
        evidence.append({"kind": "test_report", "version": v, "path": path.as_posix(),
                         "sha256": hashlib.sha256(data).hexdigest()})
    if spec.slots == 2 or spec.phase == "production":
        # a single slot rolls back by redeploying the previous version: rehearsed main -> main
        standby = ("green", "blue") if spec.slots == 2 else ("main", "main")
        evidence.append({"kind": "rollback_rehearsal", "env": "staging",
                         "date": spec.rehearsal_date or AS_OF - dt.timedelta(days=10),
                         "from": standby[0], "to": standby[1], "result": "pass"})
    evidence.append({"kind": "security_review", "date": AS_OF - dt.timedelta(days=20),
                     "reviewer": SECURITY, "result": "pass"})
    pilot = {
        "apiVersion": "pilotfactory/v1", "kind": "Pilot", "name": n, "title": f"Generated pilot {n}",
        "template": spec.template, "phase": spec.phase, "cost_center": "CC-1000",
        "data_classification": "confidential",
        "owners": {"executive_sponsor": f"sponsor.{n}@bank.example", "product_owner": f"po.{n}@bank.example",
                   "pmo_lead": "pmo@bank.example", "builders": f"{n}-builders", "approvers": f"{n}-approvers",
                   "on_call": f"oncall.{n}@bank.example", "on_call_group": f"{n}-oncall"},
        "intake": {"value": {"score": 4, "business_case": "Generated."}, "risk": {"score": 2, "model_risk_tier": 2},
                   "data_readiness": {"score": 4},
                   "success_metrics": [{"name": "cycle_minutes", "baseline": 45, "target": 30}]},
        "data_contracts": [{"name": "inputs", "table": f"main.{schema}.inputs", "producer": "core-banking",
                            "schema": [{"name": "id", "type": "string", "nullable": False},
                                       {"name": "loaded_at", "type": "timestamp", "nullable": False}],
                            "freshness": {"column": "loaded_at", "max_delay_minutes": 1560},
                            "quality": {"min_completeness": 0.99}}],
        "jobs": [{"name": "score", "schedule": {"cron": "0 30 2 * * ?", "timezone": "Europe/London"},
                  "tasks": [{"key": "contract_check", "contract": "inputs"},
                            {"key": "score", "python_wheel": {"package": schema, "entry_point": "score"},
                             "depends_on": ["contract_check"]}]}],
        "model": model,
        "release": release,
        "evidence": evidence,
    }
    pilot.update(spec.extra)
    return pilot


class _NoAliases(yaml.SafeDumper):
    def ignore_aliases(self, data) -> bool:  # the strict loader refuses anchors and aliases
        return True


def _clock_strings(dumper: yaml.SafeDumper, value: str):
    """Quote `00:00`-like strings, which the strict loader refuses plain as YAML 1.1 look-alikes."""
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style='"' if ":" in value else None)


_NoAliases.add_representer(str, _clock_strings)


def _dump(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.dump(data, Dumper=_NoAliases, sort_keys=False), encoding="utf-8")


@dataclass
class Estate:
    root: Path
    specs: list[PilotSpec]

    def pilot_file(self, name: str) -> Path:
        return self.root / "catalog" / "pilots" / f"{name}.yaml"

    def edit_pilot(self, name: str, change) -> None:
        """Apply `change(data)` to the pilot's YAML data and write it back (approvals untouched)."""
        path = self.pilot_file(name)
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        change(data)
        _dump(path, data)

    def break_pilot(self, name: str, how: str = "validate") -> None:
        """A content error in the pilot's own file. `validate`: max_workers above its tier (PF211),
        the pilot still resolves; `resolve`: a size no tier has, it does not."""
        change = {"validate": {"max_workers": 99}, "resolve": {"size": "gigantic"}}[how]
        self.edit_pilot(name, lambda d: d.setdefault("compute", {}).update(change))

    def sign(self, *names: str, date: dt.date = AS_OF) -> None:
        """(Re-)approve the production gate of each named pilot (all when none) for its current content."""
        sign_production(self.root, set(names) or None, date)


def sign_production(root: Path, only: set[str] | None = None, date: dt.date = AS_OF) -> None:
    """Write compliance and security approvals bound to each production pilot's current digest."""
    from pilotfactory.gates.digest import approval_digest
    from pilotfactory.pipeline import check

    checked = check(root, today=date)
    for typed in checked.resolution.pilots:
        if typed.pilot.phase != "production" or (only is not None and typed.pilot.name not in only):
            continue
        path = root / typed.file
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        digest = approval_digest(checked.catalog, typed.pilot, "production")
        data["approvals"] = [{"gate": "production", "approver": who, "role": role, "date": date, "digest": digest}
                             for who, role in ((COMPLIANCE, "compliance"), (SECURITY, "security"))]
        _dump(path, data)


def write_estate(root: Path, specs: list[PilotSpec], account: bool = False) -> Estate:
    """A complete repository under `root` whose every pilot earns its declared phase as of AS_OF
    (`account`: see environments())."""
    root.mkdir(parents=True, exist_ok=True)
    _dump(root / "config" / "environments.yaml", environments(account))
    _dump(root / "config" / "standards.yaml", STANDARDS)
    _dump(root / "config" / "roles.yaml", _roles(specs))
    _dump(root / "config" / "gates.yaml", GATES)
    for name in TEMPLATES:
        _dump(root / "catalog" / "templates" / name / "template.yaml", _template(name))
    (root / "catalog" / "pilots").mkdir(parents=True, exist_ok=True)
    for spec in specs:
        _dump(root / spec.file, _pilot(spec, root))
    shutil.copy(REPO / "cdktf.json", root / "cdktf.json")
    sign_production(root)
    return Estate(root, list(specs))


def specs(count: int, **knobs) -> list[PilotSpec]:
    """`count` pilots cycling through phases, templates, serving and slot counts (knobs fix one)."""
    phases = ("production", "staging", "pilot")
    out = []
    for i in range(count):
        phase = phases[i % 3]
        # a single-slot pilot has no rollback to rehearse, which the production exit asks for
        spec = PilotSpec(name=f"pilot-{i:03d}", phase=phase, template=TEMPLATES[i % 2],
                         serving=i % 2 == 1, slots=1 if i % 4 == 3 and phase != "production" else 2)
        for key, value in knobs.items():
            setattr(spec, key, value)
        out.append(spec)
    return out


@pytest.fixture
def make_estate(tmp_path: Path):
    """make_estate(count=3, **knobs) or make_estate(specs=[PilotSpec(...)]): a fresh repository."""
    made = []

    def make(count: int = 3, specs_: list[PilotSpec] | None = None, **knobs) -> Estate:
        root = tmp_path / f"estate{len(made)}"
        estate = write_estate(root, specs_ if specs_ is not None else specs(count, **knobs))
        made.append(estate)
        return estate

    return make


__all__ = ["AS_OF", "PilotSpec", "Estate", "write_estate", "sign_production", "specs", "make_estate"
           ]
