"""PF246: a tier's node types run under each environment's compliance security profile (one fact,
pilotfactory/catalog/model/security.py `profile_runs`, that preflight reads too)."""
from __future__ import annotations

from pilotfactory.pipeline import check
from tests.validate.test_boundaries import edit


def _pf246(root):
    return [d for d in check(root).diagnostics.errors if d.code == "PF246"]


def _add_node(root, node: str) -> None:
    def change(d):
        d["node_types"][node] = {"dbu_per_hour": 0.69}
        d["sizes"]["small"]["node_types"].append(node)
    edit(root / "config" / "standards.yaml", change)


def _profile(root, env: str) -> None:
    edit(root / "config" / "environments.yaml",
         lambda d: d["environments"][env].setdefault("security", {}).__setitem__("compliance_standards", ["PCI_DSS"]))


def test_a_family_the_profile_does_not_run_is_refused_where_the_profile_is_on(make_estate):
    estate = make_estate(1, phase="pilot")
    _add_node(estate.root, "m5d.xlarge")
    assert _pf246(estate.root) == []          # no environment has the profile: any family runs
    _profile(estate.root, "prod")
    (error,) = _pf246(estate.root)
    assert error.location.file == "config/standards.yaml" and error.location.line > 1
    assert "`m5d.xlarge`" in error.summary and "`prod` (PCI_DSS)" in error.summary and "small" in error.summary


def test_families_the_profile_runs_pass(make_estate):
    estate = make_estate(1, phase="pilot")
    _add_node(estate.root, "m6id.xlarge")
    _profile(estate.root, "prod")
    assert _pf246(estate.root) == []


def test_preflight_reads_the_same_fact(monkeypatch):
    """pilotfactory/live/preflight.py fails the tier validate refuses, from the same function."""
    from pilotfactory.catalog.model.security import profile_runs
    from pilotfactory.live.preflight import _profile_node_types
    from tests.stacks.conftest import ENVIRONMENTS, STANDARDS, make_catalog

    standards = {**STANDARDS, "node_types": {**STANDARDS["node_types"], "m5d.xlarge": {"dbu_per_hour": 0.69}},
                 "sizes": {**STANDARDS["sizes"], "small": {**STANDARDS["sizes"]["small"],
                                                           "node_types": ["m6i.xlarge", "m5d.xlarge"]}}}
    env = next(iter(ENVIRONMENTS["environments"]))
    envs = {**ENVIRONMENTS, "environments": {**ENVIRONMENTS["environments"], env: {
        **ENVIRONMENTS["environments"][env], "security": {"compliance_standards": ["HIPAA"]}}}}
    monkeypatch.setattr("tests.stacks.conftest.STANDARDS", standards)
    catalog = make_catalog(environments=envs)
    rows = {c.subject: c.ok for c in _profile_node_types(catalog, env)}
    assert rows == {f"size {name}": all(profile_runs(n) for n in tier["node_types"])
                    for name, tier in standards["sizes"].items()}
    assert rows["size small"] is False and rows["size medium"] is True
