"""Validate refuses what the repository's own comments forbid, and overrides only tighten (issue 12)."""
from __future__ import annotations

import io
from pathlib import Path
from typing import Callable

import pytest

from ruamel.yaml import YAML

from pilotfactory.pipeline import check


def edit(path: Path, change: Callable[[dict], None]) -> None:
    y = YAML()
    y.preserve_quotes = True
    data = y.load(path.read_text(encoding="utf-8"))
    change(data)
    out = io.StringIO()
    y.dump(data, out)
    path.write_text(out.getvalue(), encoding="utf-8")


def errors(root: Path, code: str):
    return [d for d in check(root).diagnostics.errors if d.code == code]


def protected_env(root: Path) -> str:
    envs = YAML().load((root / "config" / "environments.yaml").read_text())["environments"]
    return next(name for name, env in envs.items() if env.get("protected"))


def test_builders_managing_jobs_in_a_protected_environment_are_refused(repo_copy: Path):
    env = protected_env(repo_copy)
    edit(repo_copy / "config" / "environments.yaml",
         lambda d: d["environments"][env]["access"].__setitem__("builders", "CAN_MANAGE"))
    [error] = errors(repo_copy, "PF242")
    assert error.location.file == "config/environments.yaml" and f"`{env}`" in error.summary


def test_builders_may_manage_where_unprotected(repo_copy: Path):
    envs = YAML().load((repo_copy / "config" / "environments.yaml").read_text())["environments"]
    env = next(name for name, e in envs.items() if not e.get("protected"))
    edit(repo_copy / "config" / "environments.yaml",
         lambda d: d["environments"][env].setdefault("access", {"approvers": "CAN_VIEW", "on_call": "CAN_VIEW"})
         .__setitem__("builders", "CAN_MANAGE"))
    assert errors(repo_copy, "PF242") == []


def test_verbose_audit_logs_off_in_production_are_refused(repo_copy: Path):
    env = protected_env(repo_copy)
    edit(repo_copy / "config" / "environments.yaml",
         lambda d: d["environments"][env].setdefault("security", {}).__setitem__("verbose_audit_logs", False))
    [error] = errors(repo_copy, "PF243")
    assert "audit" in error.summary and error.location.file == "config/environments.yaml"


def test_a_builders_group_as_platform_admins_is_refused(repo_copy: Path):
    pilot = sorted((repo_copy / "catalog" / "pilots").glob("*.yaml"))[0]
    builders = YAML().load(pilot.read_text())["owners"]["builders"]
    edit(repo_copy / "config" / "roles.yaml", lambda d: d.__setitem__("platform_admins", builders))
    found = errors(repo_copy, "PF244")
    assert found and found[0].location.file == f"catalog/pilots/{pilot.name}"


def _medium_pilot(root: Path) -> tuple[Path, str]:
    for path in sorted((root / "catalog" / "pilots").glob("*.yaml")):
        data = YAML().load(path.read_text())
        if data["compute"]["size"] == "medium":
            return path, data
    raise AssertionError("no medium pilot")


def test_an_override_may_not_loosen_the_pilots_own_compute(repo_copy: Path):
    """16 x i4i.4xlarge in one environment on a medium pilot: a bigger size, more workers, new node types."""
    path, _ = _medium_pilot(repo_copy)
    edit(path, lambda d: d.setdefault("overrides", {}).setdefault("staging", {}).__setitem__(
        "compute", {"size": "large", "max_workers": 16, "node_types": ["i4i.4xlarge"], "autotermination_minutes": 120}))
    found = [e for e in errors(repo_copy, "PF211") if e.path[:3] == ("overrides", "staging", "compute")]
    fields = {e.path[3] for e in found}
    assert {"size", "max_workers", "node_types"} <= fields, [e.render() for e in found]
    assert all("override may tighten" in e.summary or "never loosen" in e.summary for e in found)


def test_an_override_that_tightens_is_accepted(repo_copy: Path):
    path, data = _medium_pilot(repo_copy)
    edit(path, lambda d: d.setdefault("overrides", {}).setdefault("staging", {}).__setitem__(
        "compute", {"max_workers": 2}))
    assert [e for e in errors(repo_copy, "PF211") if e.path[:1] == ("overrides",)] == []


def test_a_pilots_tighter_autotermination_is_kept_in_every_environment(repo_copy: Path):
    path, _ = _medium_pilot(repo_copy)
    edit(path, lambda d: d["compute"].__setitem__("autotermination_minutes", 20))
    edit(path, lambda d: d.setdefault("overrides", {}).setdefault("staging", {}).__setitem__(
        "compute", {"max_workers": 2}))
    checked = check(repo_copy)
    resolved = [rp for rp in checked.resolution.catalog.pilots if rp.file == f"catalog/pilots/{path.name}"]
    assert resolved and {rp.compute.autotermination_minutes for rp in resolved} == {20}


@pytest.mark.parametrize("cron,names", [("0 0 9 ? * 2-6", "MON-FRI"), ("0 0 9 ? * 1,7", "SUN,SAT"),
                                        ("0 0 9 ? * 6#3", "FRI#3"), ("0 0 9 ? * MON-FRI", None),
                                        ("0 0 9 1 * ?", None)])
def test_numbered_days_of_week_are_explained(cron: str, names):
    from pilotfactory.validate.cron import day_of_week_names

    assert day_of_week_names(cron) == names


def test_a_numbered_day_of_week_is_a_located_warning(repo_copy: Path):
    path = sorted((repo_copy / "catalog" / "pilots").glob("*.yaml"))[0]
    edit(path, lambda d: next(j for j in d["jobs"] if j.get("schedule"))["schedule"].__setitem__("cron", "0 0 9 ? * 2-6"))
    [warning] = [d for d in check(repo_copy).diagnostics if d.code == "PF221"]
    assert "`MON-FRI`" in warning.summary and "1 = Sunday" in warning.summary
    assert warning.location.file == f"catalog/pilots/{path.name}"
