"""Items 3 and 8: model versions and aliases, which no Terraform resource of provider 1.99 creates or sets.

Citations are to databricks/terraform-provider-databricks at tag v1.99.0.
"""
from __future__ import annotations

from pilotfactory.live.expected import expected_of
from pilotfactory.live.registry import wanted_versions

from .conftest import pilot_stacks, resources


def test_every_served_version_is_one_preflight_checks(stacks):
    """docs/resources/model_serving.md: `entity_version` names an existing version; no resource of the
    provider creates model versions (only databricks_registered_model, catalog/resource_registered_model.go:48)."""
    seen = 0
    for stack_id, stack in pilot_stacks(stacks).items():
        wanted = wanted_versions(expected_of({stack_id: stack}))
        for endpoint in resources(stack, "databricks_model_serving").values():
            for entity in endpoint["config"]["served_entities"]:
                seen += 1
                assert (entity["entity_name"], int(entity["entity_version"])) in wanted, (stack_id, entity)
    assert seen


def test_every_declared_alias_is_one_the_aliases_step_sets(stacks):
    """catalog/resource_registered_model.go:46-48 sends CreateRegisteredModelRequest to
    RegisteredModels.Create and :84-106 UpdateRegisteredModelRequest to Update; neither calls
    SetAlias, so `aliases` in the stack is a declaration only. `pilotfactory aliases` sets each one."""
    seen = 0
    for stack_id, stack in pilot_stacks(stacks).items():
        planned = {m.full_name: dict(m.aliases) for m in expected_of({stack_id: stack}).models}
        for model in resources(stack, "databricks_registered_model").values():
            declared = {a["alias_name"]: int(a["version_num"]) for a in model.get("aliases", [])}
            if declared:
                seen += 1
                (full,) = [k for k in planned if k.endswith(f".{model['name']}")]
                assert planned[full] == declared
                assert wanted_versions(expected_of({stack_id: stack})).keys() >= {(full, v) for v in declared.values()}
    assert seen
