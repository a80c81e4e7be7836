"""Items 1 and 2: each pilot and environment owns a folder outside /Shared, created before anything in it.

Citations are to databricks/terraform-provider-databricks at tag v1.99.0.
"""
from __future__ import annotations

from .conftest import pilot_stacks, resources


def _folder(stack: dict) -> tuple[str, dict]:
    (item,) = resources(stack, "databricks_directory").items()
    return item


def _ref(name: str) -> str:
    return f"databricks_directory.{name}"


def test_every_pilot_stack_creates_its_own_folder(stacks):
    """docs/resources/directory.md:25 `path` (Required) absolute; workspace/resource_directory.go:75
    creates it with MkdirsByPath, so its missing parents are made too."""
    paths = [_folder(s)[1]["path"] for s in pilot_stacks(stacks).values()]
    assert paths and len(set(paths)) == len(paths)


def test_no_pilot_object_lives_under_shared(stacks):
    """docs/resources/permissions.md:422: all users have CAN_MANAGE on items in the Shared folder."""
    for stack_id, stack in pilot_stacks(stacks).items():
        paths = [_folder(stack)[1]["path"]]
        paths += [v["name"] for v in resources(stack, "databricks_mlflow_experiment").values()]
        paths += [v["path"] for v in resources(stack, "databricks_workspace_file").values()]
        paths += [v["parent_path"] for t in ("databricks_alert_v2", "databricks_dashboard")
                  for v in resources(stack, t).values()]
        for path in paths:
            assert path.startswith("/") and not path.lower().startswith(("/shared", "/workspace/shared")), \
                (stack_id, path)


def test_experiment_alerts_dashboard_and_files_sit_in_the_folder_and_wait_for_it(stacks):
    """mlflow/resource_mlflow_experiment.go:48 calls CreateExperiment and nothing else (no mkdirs);
    docs/resources/alert_v2.md:77 `parent_path` is the folder containing the alert."""
    for stack_id, stack in pilot_stacks(stacks).items():
        name, folder = _folder(stack)
        root = folder["path"]
        placed = [(v["name"], v) for v in resources(stack, "databricks_mlflow_experiment").values()]
        placed += [(v["path"], v) for v in resources(stack, "databricks_workspace_file").values()]
        placed += [(v["parent_path"] + "/", v) for t in ("databricks_alert_v2", "databricks_dashboard")
                   for v in resources(stack, t).values()]
        for path, value in placed:
            assert path.startswith(root + "/"), (stack_id, path)
            assert _ref(name) in value.get("depends_on", []), (stack_id, path)


def test_an_experiment_never_takes_a_path_that_is_a_folder(stacks):
    """An experiment is a workspace object of its own (docs/resources/mlflow_experiment.md:34):
    no alert or dashboard may use its path as their folder, nor may the pilot folder."""
    for stack in pilot_stacks(stacks).values():
        folders = {v["parent_path"] for t in ("databricks_alert_v2", "databricks_dashboard")
                   for v in resources(stack, t).values()} | {_folder(stack)[1]["path"]}
        for experiment in resources(stack, "databricks_mlflow_experiment").values():
            assert experiment["name"] not in folders


def test_folder_access_run_as_and_admins_manage_the_rest_read_in_protected_environments(catalog_and_stacks):
    """docs/resources/permissions.md:419: folder levels are CAN_READ, CAN_RUN, CAN_EDIT and CAN_MANAGE,
    and what is in a folder inherits them; :426 the folder is named by `directory_path`."""
    catalog, stacks = catalog_and_stacks
    by_stack = {rp.stack_id: rp for rp in catalog.pilots}
    for stack_id, stack in pilot_stacks(stacks).items():
        rp = by_stack[stack_id]
        name, _ = _folder(stack)
        (perm,) = [p for p in resources(stack, "databricks_permissions").values()
                   if p.get("directory_path") == f"${{{_ref(name)}.path}}"]
        levels = {next(v for k, v in e.items() if k.endswith("_name")): e["permission_level"]
                  for e in perm["access_control"]}
        assert levels[rp.env.run_as.application_id] == "CAN_MANAGE"
        assert levels[rp.platform_admins] == "CAN_MANAGE"
        others = {p: lvl for p, lvl in levels.items() if p not in (rp.env.run_as.application_id, rp.platform_admins)}
        assert rp.pilot.owners.builders in others
        if rp.env.protected:
            assert set(others.values()) == {"CAN_READ"}, (stack_id, others)


def test_the_platform_stack_owns_the_root_folder_for_admins_only(catalog_and_stacks):
    catalog, stacks = catalog_and_stacks
    for env_name in catalog.environments.environments:
        stack = stacks[f"platform-{env_name}"]
        name, root = _folder(stack)
        (perm,) = [p for p in resources(stack, "databricks_permissions").values()
                   if p.get("directory_path") == f"${{{_ref(name)}.path}}"]
        assert perm["access_control"] == [{"group_name": catalog.roles.platform_admins,
                                           "permission_level": "CAN_MANAGE"}]
        for stack_id, pilot in pilot_stacks(stacks).items():
            if stack_id.endswith(f"-{env_name}"):
                assert _folder(pilot)[1]["path"].startswith(root["path"] + "/")


def test_a_protected_environment_caps_even_managing_groups_at_read():
    """Whoever may edit the folder may edit the contract check that a job runs as the service principal."""
    import copy

    from stacks.access import folder_access
    from tests.stacks.conftest import ENVIRONMENTS, make_catalog

    envs = copy.deepcopy(ENVIRONMENTS)
    for name, protected in (("prod", True), ("dev", False)):
        envs["environments"][name]["protected"] = protected
        envs["environments"][name]["access"] = {"builders": "CAN_MANAGE", "approvers": "CAN_MANAGE_RUN",
                                                "on_call": "CAN_MANAGE"}
    catalog = make_catalog(envs)
    for rp in catalog.pilots:
        levels = {e.principal.name: e.level for e in folder_access(rp)}
        others = {p: lvl for p, lvl in levels.items() if p not in (rp.env.run_as.application_id, rp.platform_admins)}
        if rp.env_name == "prod":
            assert set(others.values()) == {"CAN_READ"}, others
        elif rp.env_name == "dev":
            assert others[rp.pilot.owners.builders] == "CAN_MANAGE"


def test_a_protected_environment_never_destroys_a_pilot_folder_by_accident(catalog_and_stacks):
    """workspace/resource_directory.go:85-92: a destroy calls Workspace.Delete on the folder (recursive
    when docs/resources/directory.md:26 `delete_recursive` is set); in a protected environment
    lifecycle.prevent_destroy makes that plan fail instead, for the pilot folders and their root."""
    catalog, stacks = catalog_and_stacks
    by_stack = {rp.stack_id: rp.env for rp in catalog.pilots}
    by_stack.update({f"platform-{name}": env for name, env in catalog.environments.environments.items()})
    seen = set()
    for stack_id, env in by_stack.items():
        for folder in resources(stacks[stack_id], "databricks_directory").values():
            guarded = folder.get("lifecycle", {}).get("prevent_destroy") is True
            assert guarded is env.protected, (stack_id, folder["path"])
            seen.add(env.protected)
    assert seen == {True, False}

