"""The object table: nouns, name attributes and permission levels in rank order, read by every layer.

Levels: terraform-provider-databricks v1.99.0 `permissions/permission_definitions.go`, the
`allowedPermissionLevels` of each `field` (line of the field given per case below).
"""
from __future__ import annotations

import ast

import pytest

from pilotfactory.tfjson.objects import (GRANT_SECURABLES, MANAGE_LEVELS, NAME_ATTRIBUTES, NOUNS, OBJECTS,
                                         SECRET_ACL_LEVELS,
                                         is_everyone, noun, object_of_argument, object_of_key, object_of_values,
                                         rank)
from tests.conftest import REPO


@pytest.mark.parametrize("argument, levels", [
    ("cluster_policy_id", {"CAN_USE"}),                                                     # l.349
    ("instance_pool_id", {"CAN_ATTACH_TO", "CAN_MANAGE"}),                                  # l.357
    ("cluster_id", {"CAN_ATTACH_TO", "CAN_RESTART", "CAN_MANAGE"}),                         # l.368
    ("pipeline_id", {"CAN_VIEW", "CAN_RUN", "CAN_MANAGE", "IS_OWNER"}),                     # l.380
    ("job_id", {"CAN_VIEW", "CAN_MANAGE_RUN", "IS_OWNER", "CAN_MANAGE"}),                   # l.398
    ("notebook_path", {"CAN_READ", "CAN_RUN", "CAN_EDIT", "CAN_MANAGE"}),                   # l.433
    ("directory_path", {"CAN_READ", "CAN_RUN", "CAN_EDIT", "CAN_MANAGE"}),                  # l.462
    ("workspace_file_path", {"CAN_READ", "CAN_RUN", "CAN_EDIT", "CAN_MANAGE"}),             # l.492
    ("sql_endpoint_id", {"CAN_USE", "CAN_MANAGE", "CAN_MONITOR", "CAN_VIEW", "IS_OWNER"}),  # l.561
    ("experiment_id", {"CAN_READ", "CAN_EDIT", "CAN_MANAGE"}),                              # l.699
    ("serving_endpoint_id", {"CAN_VIEW", "CAN_QUERY", "CAN_MANAGE"}),                       # l.728
])
def test_levels_are_the_providers(argument, levels):
    assert set(object_of_argument(argument).levels) == levels


def test_each_argument_names_one_object_and_each_key_is_unique():
    arguments = [a for o in OBJECTS for a in o.arguments]
    assert len(arguments) == len(set(arguments))
    assert len({o.key for o in OBJECTS}) == len(OBJECTS)
    assert object_of_key("serving_endpoint").arguments == ("serving_endpoint_id",)
    assert object_of_argument("no_such_id") is None


def test_the_object_a_permissions_resource_governs_is_the_argument_it_sets():
    assert object_of_values({"job_id": "${databricks_job.j.id}", "access_control": []}).key == "job"
    assert object_of_values({"directory_path": "/pilotfactory/x/dev"}).key == "directory"
    assert object_of_values({"job_id": "", "access_control": []}) is None
    assert object_of_values({}) is None


@pytest.mark.parametrize("obj", OBJECTS, ids=lambda o: o.key)
def test_a_later_level_ranks_higher_on_its_object(obj):
    """Widening is computable: every step up an object's list ranks strictly higher."""
    ranks = [rank(level, obj) for level in obj.levels]
    assert ranks == sorted(ranks) and len(set(ranks)) == len(ranks) and ranks[0] >= 1


def test_rank_boundaries_on_a_job():
    job = object_of_key("job")
    assert rank("CAN_VIEW", job) < rank("CAN_MANAGE_RUN", job) < rank("CAN_MANAGE", job) < rank("IS_OWNER", job)
    assert rank("NO_SUCH_LEVEL", job) == 0
    assert rank("CAN_QUERY") > rank("CAN_VIEW")      # no object: the generic order
    assert list(SECRET_ACL_LEVELS) == ["READ", "WRITE", "MANAGE"]


def test_nouns_and_name_attributes():
    assert noun("databricks_model_serving") == "serving endpoint"
    assert noun("databricks_alert_v2") == "alert v2"       # an unlisted type in words
    assert set(NAME_ATTRIBUTES) <= set(NOUNS)
    assert NAME_ATTRIBUTES["databricks_directory"] == "path"
    assert GRANT_SECURABLES["model"] == "registered model"
    assert is_everyone(" Account Users ") and is_everyone("users") and not is_everyone("users-eu")


def test_the_readers_use_the_table():
    """Guardrails, stacks, review and live all answer from the one table."""
    from pilotfactory.guardrails.rules import access
    from pilotfactory.guardrails.rules.access import VALID_LEVELS as GUARDED

    assert access.MANAGE_LEVELS is MANAGE_LEVELS
    from pilotfactory.live.emergency import NEEDED
    from pilotfactory.review.labels import label

    assert GUARDED == {a: frozenset(o.levels) for o in OBJECTS for a in o.arguments}
    assert {kind: (obj.key, level) for kind, (obj, level) in NEEDED.items()} == {
        "traffic": ("serving_endpoint", "CAN_MANAGE"), "unpause": ("job", "CAN_MANAGE"), "pause": ("job", "CAN_MANAGE")}
    assert label("databricks_permissions", "p", {"sql_endpoint_id": "abc-warehouse"}, "s") \
        == "permissions on SQL warehouse `abc-warehouse`"


# --- no second copy of a level table ---

def _level_tables(root) -> list[str]:
    """Literal tuples, lists or sets outside tfjson/objects.py that spell out every level of an object
    with three or more (a copy of its row); a `Literal[...]` of a few levels is a type, not a copy."""
    home = root / "pilotfactory" / "tfjson" / "objects.py"
    rows = [frozenset(o.levels) for o in OBJECTS if len(o.levels) >= 3] + [MANAGE_LEVELS]
    offenders = []
    for package in ("pilotfactory", "stacks", "generators"):
        for path in sorted((root / package).rglob("*.py")):
            if path == home:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            slices = {id(n.slice) for n in ast.walk(tree) if isinstance(n, ast.Subscript)}
            for node in ast.walk(tree):
                if isinstance(node, (ast.Tuple, ast.List, ast.Set)) and id(node) not in slices:
                    strings = {e.value for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)}
                    if any(row <= strings for row in rows):
                        offenders.append(f"{path.relative_to(root)}:{node.lineno}")
    return offenders


def test_no_module_copies_a_row_of_permission_levels():
    assert _level_tables(REPO) == []


def test_the_copy_check_sees_a_copied_row(tmp_path):
    module = tmp_path / "stacks" / "copy.py"
    module.parent.mkdir(parents=True)
    module.write_text('from typing import Literal\nJobLevel = Literal["CAN_VIEW", "CAN_MANAGE_RUN", "CAN_MANAGE"]\n'
                      'LEVELS = {"serving": frozenset({"CAN_VIEW", "CAN_QUERY", "CAN_MANAGE"})}\n'
                      f'MANAGE = frozenset({sorted(MANAGE_LEVELS)!r})\n')
    assert sorted(_level_tables(tmp_path)) == ["stacks/copy.py:3", "stacks/copy.py:4"]
