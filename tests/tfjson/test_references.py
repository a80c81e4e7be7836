"""`${type.name.attribute}`: the one reader of references between resources in Terraform JSON."""
from __future__ import annotations

import ast

import pytest

from pilotfactory.tfjson.references import (Reference, is_reference, reference, reference_to,
                                            referenced_addresses, resolve_literal)
from tests.conftest import REPO

# cdktf names a resource after its construct path: letters, digits, `_`, `-` and an 8-hex hash.
CDKTF_NAME = "jobs_classify-blue_DFA8890E"


@pytest.mark.parametrize("value, expected", [
    (f"${{databricks_job.{CDKTF_NAME}.id}}", Reference("databricks_job", CDKTF_NAME, "id")),
    ("${databricks_workspace_file.f_1.content_base64}",
     Reference("databricks_workspace_file", "f_1", "content_base64")),
    ("${databricks_schema.schema.name}", Reference("databricks_schema", "schema", "name")),
])
def test_a_whole_token_is_a_reference(value, expected):
    assert reference(value) == expected
    assert expected.address == f"{expected.type}.{expected.name}"
    assert reference_to(expected.address, expected.attribute) == value  # what stacks/ write, read back


def test_a_reference_to_a_data_source_is_an_expression_not_a_resource():
    written = reference_to("data.databricks_group.lookups_group-x_1A2B3C4D", "id")
    assert written == "${data.databricks_group.lookups_group-x_1A2B3C4D.id}"
    assert is_reference(written) and reference(written) is None


@pytest.mark.parametrize("value", [
    "databricks_job.x.id",                    # no ${ }
    "${databricks_job.x}",                    # no attribute
    "${databricks_job.x.id}-suffix",          # not the whole value
    "prefix-${databricks_job.x.id}",
    "${Databricks_Job.x.id}",                 # resource types are lower case
    "${databricks_job.x.y.z}",                # a nested attribute is not one literal to look up
    None, 42, {"ref": "${databricks_job.x.id}"},
])
def test_anything_else_is_not_a_whole_reference(value):
    assert reference(value) is None


def test_addresses_inside_a_string_include_nested_attributes_and_interpolation():
    text = f"run ${{databricks_job.{CDKTF_NAME}.id}} on ${{databricks_cluster.c-1.spec.name}} and ${{var.x}}"
    assert referenced_addresses(text) == [f"databricks_job.{CDKTF_NAME}", "databricks_cluster.c-1", "var.x"]
    assert referenced_addresses("no references") == []


def test_a_value_holding_any_interpolation_is_known_only_at_apply():
    assert is_reference("${databricks_job.x.id}") and is_reference("/Workspace/${databricks_x.y.path}")
    assert not is_reference("/Workspace/Shared") and not is_reference(3) and not is_reference(None)


def test_a_reference_to_a_literal_of_the_same_stack_resolves_and_anything_else_stays():
    resources = {"databricks_schema": {"s": {"name": "pilot_x", "catalog_name": "${databricks_catalog.c.name}"}}}
    assert resolve_literal("${databricks_schema.s.name}", resources) == "pilot_x"
    assert resolve_literal("${databricks_schema.s.id}", resources) == "${databricks_schema.s.id}"
    assert resolve_literal("${databricks_schema.other.name}", resources) == "${databricks_schema.other.name}"
    assert resolve_literal("plain", resources) == "plain"
    assert resolve_literal(7, resources) == 7


def _strings_outside_docstrings(path) -> list[tuple[int, str]]:
    """(line, text) of every string constant in a module that is not a docstring."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                  and node.body and isinstance(node.body[0], ast.Expr)
                  and isinstance(node.body[0].value, ast.Constant)}
    return [(node.lineno, node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings]


def _reference_spellings(root) -> list[str]:
    """Code outside tfjson/references.py that spells the `${` of a reference itself (a literal `${`
    or a regex `\\$\\{`) instead of asking tfjson.references."""
    home = root / "pilotfactory" / "tfjson" / "references.py"
    offenders = []
    for package in ("pilotfactory", "stacks", "generators"):
        for path in sorted((root / package).rglob("*.py")):
            if path == home:
                continue
            offenders += [f"{path.relative_to(root)}:{line}" for line, text in _strings_outside_docstrings(path)
                          if "${" in text or r"\$\{" in text]
    return offenders


def test_only_tfjson_references_spells_a_terraform_reference():
    assert _reference_spellings(REPO) == []


def test_the_spelling_check_sees_a_second_copy(tmp_path):
    """Not vacuous: a regex or an inline `${` check in another module is found; a docstring is not."""
    module = tmp_path / "pilotfactory" / "review" / "copy.py"
    module.parent.mkdir(parents=True)
    module.write_text('"""Reads `${type.name.attr}`."""\nimport re\n'
                      'TOKEN = re.compile(r"^\\$\\{([a-z_]+)\\.([^.}]+)\\.([a-z_]+)\\}$")\n'
                      'def f(v):\n    """A `${x}` in words."""\n    return v.startswith("${")\n')
    assert _reference_spellings(tmp_path) == ["pilotfactory/review/copy.py:3", "pilotfactory/review/copy.py:6"]
