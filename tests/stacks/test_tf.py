"""stacks/tf.py: elements built in Python get the addresses, metadata and meta-arguments the CDK
engine gave the provider classes' objects."""
from __future__ import annotations

import json

import pytest
from hypothesis import given, strategies as st

from stacks.engine import get_engine
from stacks.tf import DataSource, Resource, Scope, Stack, logical_id

# Ids as the catalog makes them (names, e-mails, slot suffixes) and the corner cases of the scheme:
# "Resource" (hidden from the readable part), "Default" (hidden entirely), repeats, characters the
# scheme drops, and ids long enough to be cut.
_PART = st.one_of(
    st.sampled_from(["Resource", "Default", "jobs", "job", "classify-blue", "blue", "Permissions", "a.b@bank.example",
                     "group-kyc builders", "x" * 130, "y" * 300]),
    st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126, blacklist_characters="/"),
            min_size=1, max_size=40))


def _engine_logical_id(components: list[str]) -> str:
    """The id cdktf itself allocates to a construct at `components` below a stack."""
    engine = get_engine("cdktf")
    from constructs import Construct  # the engine's construct library, for the comparison only

    app = engine.App(outdir="/tmp/pf-unused")  # never synthesized
    stack = engine.TerraformStack(app, "s")
    scope = stack
    for part in components:
        scope = Construct(scope, part)
    return stack.get_logical_id(scope.node)


@given(st.lists(_PART, min_size=1, max_size=5).filter(lambda c: any(x != "Default" for x in c)))
def test_logical_ids_are_the_engines(components):
    assert logical_id(components) == _engine_logical_id(components)


def test_logical_id_examples():
    # The addresses of deployed resources (tests/synth snapshots): they must never move.
    assert logical_id(["jobs", "classify-blue", "Resource"]) == "jobs_classify-blue_DFA8890E"
    assert logical_id(["folder", "Resource"]) == "folder_28DEBDF2"
    assert logical_id(["account-state"]) == "account-state"
    with pytest.raises(ValueError):
        logical_id(["Default"])


def _stack(tmp_path) -> Stack:
    return Stack(get_engine("cdktf").app(str(tmp_path)), "s")


def test_an_element_carries_path_metadata_meta_arguments_and_no_none(tmp_path):
    stack = _stack(tmp_path)
    folder = Resource(Scope(stack, "folder"), "Resource", "databricks_directory", {"path": "/p"}, prevent_destroy=True)
    lookup = DataSource(stack, "run-as", "databricks_service_principal", {"application_id": "a"})
    job = Resource(stack, "job", "databricks_job", {
        "name": "j", "description": None, "task": [{"task_key": "t", "depends_on": None}],
        "run_as": {"service_principal_name": lookup.attr("application_id")}, "tags": {}},
        depends_on=[folder])
    synthed = json.loads(get_engine("cdktf").Testing.synth(stack.close()))
    assert synthed["resource"]["databricks_job"]["job"] == {
        "name": "j", "task": [{"task_key": "t"}], "tags": {},
        "run_as": {"service_principal_name": "${data.databricks_service_principal.run-as.application_id}"},
        "depends_on": ["databricks_directory.folder_28DEBDF2"]}
    assert synthed["resource"]["databricks_directory"]["folder_28DEBDF2"] == {
        "path": "/p", "lifecycle": {"prevent_destroy": True}}
    assert synthed["data"]["databricks_service_principal"]["run-as"] == {"application_id": "a"}
    assert folder.id == "${databricks_directory.folder_28DEBDF2.id}"
    assert lookup.address == "data.databricks_service_principal.run-as"
    # Testing.synth leaves metadata out; the element keeps what cdktf wrote for each construct.
    assert job.body["//"] == {"metadata": {"path": "s/job", "uniqueId": "job"}}
    assert folder.body["//"] == {"metadata": {"path": "s/folder/Resource", "uniqueId": "folder_28DEBDF2"}}


def test_the_provider_block_and_the_required_provider(tmp_path):
    stack = _stack(tmp_path)
    stack.provider({"host": "https://h", "account_id": None})
    synthed = json.loads(get_engine("cdktf").Testing.synth(stack.close()))
    assert synthed["provider"] == {"databricks": [{"host": "https://h"}]}
    assert synthed["terraform"]["required_providers"] == {
        "databricks": {"source": "databricks/databricks", "version": "1.99.0"}}
    with pytest.raises(ValueError, match="configured already"):
        stack.provider({"host": "https://other"})


def test_construct_ids_are_unique_and_sanitized_as_the_engine_does(tmp_path):
    stack = _stack(tmp_path)
    jobs = Scope(stack, "jobs")
    Scope(jobs, "a")
    with pytest.raises(ValueError, match="already a construct with id 'a'"):
        Scope(jobs, "a")
    assert Scope(jobs, "x/y").node_path == "s/jobs/x--y"
    with pytest.raises(ValueError, match="already a construct"):
        stack.reserve("jobs")
    stack.reserve("account-state")
    with pytest.raises(ValueError, match="already a construct"):
        Scope(stack, "account-state")


def test_two_elements_never_share_an_address(tmp_path):
    # Different paths with one readable part and one hash cannot happen; the same path can, through
    # sanitizing: "x/y" and "x--y" are one construct id.
    stack = _stack(tmp_path)
    Resource(stack, "x--y", "databricks_directory", {"path": "/a"})
    with pytest.raises(ValueError):
        Resource(stack, "x/y", "databricks_directory", {"path": "/b"})


def test_nothing_is_added_after_the_stack_is_handed_over(tmp_path):
    stack = _stack(tmp_path)
    stack.close()
    with pytest.raises(ValueError, match="handed to the engine"):
        Resource(stack, "late", "databricks_directory", {"path": "/a"})
