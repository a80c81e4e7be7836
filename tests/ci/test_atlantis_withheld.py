"""atlantis.yaml per pilot (issue 13): a stack withheld by its own pilot's errors or gates keeps the
project it had, so a deployed stack never drops out of CI silently; every other project is written.
Estates come from the catalog factory."""
from __future__ import annotations

from pathlib import Path

import yaml
from click.testing import CliRunner

from pilotfactory.cli.app import cli


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def _projects(root: Path) -> dict[str, dict]:
    return {p["name"]: p for p in yaml.safe_load((root / "atlantis.yaml").read_text())["projects"]}


def _names(root: Path) -> list[str]:
    return [p["name"] for p in yaml.safe_load((root / "atlantis.yaml").read_text())["projects"]]


def test_a_broken_pilot_keeps_its_projects_and_the_others_are_written(make_estate):
    estate = make_estate(3)  # pilot-000 production, pilot-001 staging, pilot-002 pilot
    root = str(estate.root)
    assert run("atlantis", "--root", root).exit_code == 0
    before, order = _projects(estate.root), _names(estate.root)
    estate.break_pilot("pilot-001", "resolve")
    # another pilot's change still reaches CI: a new template for pilot-002 changes what its project watches
    estate.edit_pilot("pilot-002", lambda d: d.update(template="serving" if d["template"] == "batch" else "batch"))
    result = run("atlantis", "--root", root)
    assert result.exit_code == 3, result.output
    after = _projects(estate.root)
    assert after["pilot-001-dev"] == before["pilot-001-dev"]
    assert after["pilot-001-staging"] == before["pilot-001-staging"]
    assert after["pilot-002-dev"] != before["pilot-002-dev"]
    assert _names(estate.root) == order  # kept where they were
    assert "withheld pilot-001-staging (its previous project kept): catalog/pilots/pilot-001.yaml has errors" \
        in result.output
    assert run("atlantis", "--root", root, "--check").exit_code == 3  # up to date, still withheld


def test_unearned_gates_keep_the_production_project(make_estate):
    estate = make_estate(2)
    root = str(estate.root)
    assert run("atlantis", "--root", root).exit_code == 0
    before = _projects(estate.root)["pilot-000-prod"]
    estate.edit_pilot("pilot-000", lambda d: d.update(compute={"size": "small", "max_workers": 3}))  # approvals stale
    result = run("atlantis", "--root", root)
    assert result.exit_code == 3, result.output
    assert _projects(estate.root)["pilot-000-prod"] == before
    assert "withheld pilot-000-prod (its previous project kept)" in result.output and "not earned" in result.output


def test_without_a_previous_project_a_withheld_stack_gets_none_and_says_so(make_estate):
    estate = make_estate(3)
    estate.break_pilot("pilot-002")
    result = run("atlantis", "--root", str(estate.root))
    assert result.exit_code == 3, result.output
    assert "pilot-002-dev" not in _projects(estate.root)
    assert {"account", "platform-prod", "pilot-000-prod", "pilot-001-staging"} <= set(_projects(estate.root))
    assert "withheld pilot-002-dev (not in the previous atlantis.yaml, so no project" in result.output


def test_an_unreadable_previous_file_is_never_overwritten_while_stacks_are_withheld(make_estate):
    estate = make_estate(2)
    (estate.root / "atlantis.yaml").write_text("projects: [unclosed\n")
    estate.break_pilot("pilot-001")
    result = run("atlantis", "--root", str(estate.root))
    assert result.exit_code == 1
    assert "atlantis.yaml not written: atlantis.yaml is not valid YAML" in result.output
    assert (estate.root / "atlantis.yaml").read_text() == "projects: [unclosed\n"


def test_stacks_lists_what_synth_builds_and_names_the_withheld(make_estate):
    estate = make_estate(3)
    estate.break_pilot("pilot-001")
    result = run("stacks", "--root", str(estate.root))
    assert result.exit_code == 3
    listed = result.stdout.split()
    assert "pilot-000-prod" in listed and "pilot-002-dev" in listed
    assert not [s for s in listed if s.startswith("pilot-001-")]
    assert "withheld pilot-001-staging: catalog/pilots/pilot-001.yaml has errors" in result.stderr
