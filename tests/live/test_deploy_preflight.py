"""Issue 11 against the real databricks-sdk: preflight proves the model versions (item 3), groups and
principals (5, 6) and the deployer's rights (10); `aliases` sets champion/challenger (item 8)."""
from __future__ import annotations

from pilotfactory.live.expected import expected_of
from pilotfactory.live.registry import wanted_versions
from stacks.names import model_full_name
from tests.live.conftest import deploy
from tests.live.test_live_commands import run


def _rows(result, status: str) -> list[str]:
    return [line for line in result.output.splitlines() if line.startswith(status)]


def _staging_model(example_checked):
    return next(rp for rp in example_checked.resolution.catalog.env_pilots("staging")
                if rp.pilot.model is not None and rp.pilot.model.serving is not None)


def test_preflight_shows_each_deployer_right_and_each_version_it_will_serve(workspace, example_checked, staging_stacks):
    result = run("preflight", "--env", "staging")
    assert result.exit_code == 0, result.output
    ok = _rows(result, "ok")
    assert any("deployer" in line and "workspace admin" in line for line in ok)
    assert any("use sp-pilotfactory-staging" in line and "roles/servicePrincipal.user" in line for line in ok)
    assert any("catalog" in line and "owner" in line for line in ok)
    versions = wanted_versions(expected_of(staging_stacks))
    assert versions
    for full_name, version in versions:
        assert any(f"{full_name} v{version}" in line for line in ok), (full_name, version)


def test_preflight_names_a_missing_model_version_and_who_needs_it(workspace, example_checked, staging_stacks):
    rp = _staging_model(example_checked)
    full = model_full_name(rp)
    served = sorted(v for (name, v) in wanted_versions(expected_of(staging_stacks)) if name == full)
    workspace.model_versions[full].discard(served[-1])
    result = run("preflight", "--env", "staging")
    assert result.exit_code == 1
    (line,) = [line for line in _rows(result, "FAIL") if "model version" in line]
    assert f"{full} v{served[-1]}" in line and "missing" in line and "endpoint" in line
    assert "register it" in line


def test_preflight_refuses_a_deployer_without_admin_or_principal_use(workspace):
    workspace.admin = False
    workspace.rule_sets.clear()
    result = run("preflight", "--env", "staging")
    assert result.exit_code == 1
    fails = _rows(result, "FAIL")
    assert any("not in `admins`" in line for line in fails)
    assert any("use sp-pilotfactory-staging" in line and "servicePrincipal.user" in line for line in fails)


def test_principal_use_through_a_group_or_as_manager_counts(workspace, example_checked):
    from pilotfactory.live.deployer import rule_set_name

    cat = example_checked.resolution.catalog
    name = rule_set_name(cat.environments.account.id, cat.environments.environments["staging"].run_as.application_id)
    workspace.rule_sets[name] = [{"role": "roles/servicePrincipal.manager", "principals": ["groups/admins"]}]
    assert run("preflight", "--env", "staging").exit_code == 0
    # A role held by someone else is no right of ours; nor is an unrelated role.
    workspace.rule_sets[name] = [{"role": "roles/servicePrincipal.user", "principals": ["users/other@bank.example"]},
                                 {"role": "roles/servicePrincipal.viewer", "principals": ["groups/admins"]}]
    assert run("preflight", "--env", "staging").exit_code == 1


def test_catalog_rights_owner_or_manage_nothing_less(workspace, example_checked):
    catalog = example_checked.resolution.catalog.environments.environments["staging"].catalog
    workspace.catalogs[catalog] = "someone-else"
    workspace.catalog_privileges[catalog] = {workspace.user: ["USE_CATALOG", "CREATE_SCHEMA", "ALL_PRIVILEGES"]}
    result = run("preflight", "--env", "staging")
    assert result.exit_code == 1
    assert any(f"catalog {catalog}" in line and "neither owner" in line for line in _rows(result, "FAIL"))
    workspace.catalog_privileges[catalog] = {workspace.user: ["MANAGE"]}
    assert run("preflight", "--env", "staging").exit_code == 0
    del workspace.catalogs[catalog]
    result = run("preflight", "--env", "staging")
    assert result.exit_code == 1 and any(catalog in line for line in _rows(result, "FAIL"))


def test_preflight_checks_profile_node_types_only_where_the_profile_is_on(workspace, example_checked):
    cat = example_checked.resolution.catalog
    # Only the environment that names the local workspace can be asked: staging, without the profile,
    # then with the one prod has.
    assert not cat.environments.environments["staging"].security.compliance_standards
    result = run("preflight", "--env", "staging")
    assert "profile node types" not in result.output
    config = workspace.root / "config" / "environments.yaml"
    text = config.read_text()
    config.write_text(text.replace("    protected: false\n    backend:\n      type: local\n    # Staging",
                                   "    protected: false\n    security:\n      compliance_standards: [PCI_DSS]\n"
                                   "      enhanced_security_monitoring: true\n    backend:\n      type: local\n"
                                   "    # Staging", 1))
    assert config.read_text() != text
    result = run("preflight", "--env", "staging")
    rows = [line for line in result.output.splitlines() if "profile node types" in line]
    assert len(rows) == len(cat.standards.sizes), result.output
    # The example's tiers use m6id/r6id/i4i, families with encryption in transit between nodes
    # (validate refuses any other where a profile is on: tests/validate/test_profile_node_types.py).
    assert all(line.startswith("ok") for line in rows), result.output


def test_aliases_sets_what_the_stacks_declare_and_reads_it_back(workspace, example_checked, staging_stacks):
    deploy(workspace, staging_stacks)
    expected = expected_of(staging_stacks)
    model = next(m for m in expected.models if m.aliases)
    declared = dict(model.aliases)
    # Provider 1.99 never sets aliases: after a real apply they are whatever they were before.
    workspace.aliases[model.full_name] = {}
    checked = run("aliases", "--env", "staging", "--check")
    assert checked.exit_code == 1 and "would move" in checked.output
    assert not workspace.calls("PUT", f"/api/2.1/unity-catalog/models/{model.full_name}/aliases")
    result = run("aliases", "--env", "staging")
    assert result.exit_code == 0, result.output
    assert workspace.aliases[model.full_name] == declared
    assert len(workspace.calls("PUT", f"/api/2.1/unity-catalog/models/{model.full_name}/aliases")) == len(declared)
    again = run("aliases", "--env", "staging")
    assert again.exit_code == 0 and "already version" in again.output


def test_aliases_refuses_a_version_the_registry_lacks(workspace, staging_stacks):
    deploy(workspace, staging_stacks)
    model = next(m for m in expected_of(staging_stacks).models if m.aliases)
    alias, version = sorted(model.aliases.items())[0]
    workspace.aliases[model.full_name] = {}
    workspace.model_versions[model.full_name].discard(version)
    result = run("aliases", "--env", "staging")
    assert result.exit_code == 1
    assert any(f"{model.full_name}@{alias}" in line and "not in this registry" in line
               for line in _rows(result, "FAIL"))
    assert alias not in workspace.aliases[model.full_name]


def test_the_restricted_catalog_needs_the_same_rights_as_the_environment_catalog(workspace):
    import re

    config = workspace.root / "config" / "environments.yaml"
    text = config.read_text()
    # staging's catalog approved for restricted data is one of this test's own naming
    text, n = re.subn(r"(\n  staging:\n(?:    .*\n)*?    catalog: \S+\n)(    (?:#.*|restricted_catalog: .*)\n)*",
                      lambda m: m.group(1) + "    restricted_catalog: stg_approved\n", text, count=1)
    assert n == 1
    config.write_text(text)
    result = run("preflight", "--env", "staging")
    assert result.exit_code == 1 and any("stg_approved" in line for line in _rows(result, "FAIL")), result.output
    workspace.catalogs["stg_approved"] = workspace.user
    result = run("preflight", "--env", "staging")
    # the catalog rows pass now (model versions registered under the old name are another check's concern)
    assert not any("catalog stg_approved" in line or re.search(r"catalog\s+stg_approved", line)
                   for line in _rows(result, "FAIL")), result.output
    assert any("catalog stg_approved" in line and "owner" in line for line in _rows(result, "ok")), result.output
