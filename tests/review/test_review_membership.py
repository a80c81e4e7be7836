"""A member joining a group, or a group entering a workspace, widens access though no access list
changes: the review flags it (PFR014, or PFR012 for a new group in a protected stack) and fails by
default. Stacks are plain cdk.tf.json dicts in the shapes stacks/account_identity.py writes."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from ruamel.yaml import YAML

from pilotfactory.cli.app import cli
from pilotfactory.review import build_review, exit_code
from pilotfactory.review.diff import diff_stacks, stack_ref
from tests.review.test_review_golden import git
from tests.review.test_review_risks import assert_flagged, stack

GROUP = "${databricks_group.groups_p-builders_1A2B3C4D.id}"
IDP_GROUP = "${data.databricks_group.idp_analysts_5E6F7A8B.id}"
ALICE = "${data.databricks_user.users_alice_0A1B2C3D.id}"
EVE = "${data.databricks_user.users_eve_4E5F6A7B.id}"
BUILDERS = {"groups_p-builders_1A2B3C4D": {"display_name": "p-builders"}}


def member(who: str, group: str = GROUP) -> dict:
    return {"group_id": group, "member_id": who}


def assignment(permissions: list[str], group: str = GROUP, workspace: str = "1234567890") -> dict:
    return {"workspace_id": workspace, "principal_id": group, "permissions": permissions}


def account(members: dict, assignments: dict | None = None, groups: dict | None = BUILDERS) -> dict:
    resources = {"databricks_group": groups or {}, "databricks_group_member": members}
    if assignments:
        resources["databricks_mws_permission_assignment"] = assignments
    return {"account": stack(**resources)}


def review_of(base: dict, head: dict, environments: dict[str, bool]):
    review = build_review("base", "head", diff_stacks(base, head, lambda n: stack_ref(n, environments)),
                          rates={}, removed_stacks=[s for s in base if s not in head])
    return review, exit_code(review, "broadening")[0]


def test_a_member_joining_an_existing_group_is_broadening():
    base = account({"alice": member(ALICE)})
    found = assert_flagged(base, account({"alice": member(ALICE), "eve": member(EVE)}), "PFR014")
    assert "eve" in found["text"] and "every grant, permission and workspace" in found["text"]


def test_a_member_joining_an_identity_provider_group_is_broadening():
    """A looked-up group is never new: whatever it holds, the new member holds too."""
    assert_flagged(account({}, groups={}), account({"eve": member(EVE, IDP_GROUP)}, groups={}), "PFR014")


def test_a_membership_pointed_at_another_person_is_broadening():
    """member_id forces a new membership: the old member leaves and another joins."""
    assert_flagged(account({"m": member(ALICE)}), account({"m": member(EVE)}), "PFR014")


def test_membership_widening_fails_even_where_no_environment_is_protected():
    review, status = review_of(account({}), account({"eve": member(EVE)}), {"dev": False})
    assert [f.rule_id for f in review.findings if f.kind == "broadening"] == ["PFR014"] and status == 1


def test_a_new_groups_members_are_flagged_in_a_protected_stack_only():
    head = account({"alice": member(ALICE)}, assignments={"dev": assignment(["USER"])})
    review, status = review_of({}, head, {"dev": False, "prod": True})
    rules = sorted(f.rule_id for f in review.findings if f.kind == "broadening")
    assert rules == ["PFR012", "PFR012"] and status == 1, rules
    review, status = review_of({}, head, {"dev": False})
    assert [f for f in review.findings if f.kind == "broadening"] == [] and status == 0


def test_a_member_leaving_is_a_destroy_not_broadening():
    base, head = account({"alice": member(ALICE), "eve": member(EVE)}), account({"alice": member(ALICE)})
    review, status = review_of(base, head, {"dev": False})
    assert [f for f in review.findings if f.kind == "broadening"] == [] and status == 0
    review, status = review_of(base, head, {"prod": True})   # a protected destroy still fails (PFR050)
    assert [f.rule_id for f in review.findings if f.blocks_by_default] == ["PFR050"] and status == 1


def test_an_existing_group_let_into_a_workspace_is_broadening():
    found = assert_flagged(account({}), account({}, assignments={"prod": assignment(["USER"])}), "PFR014")
    assert "workspace access none → USER" in found["text"]


def test_a_lower_level_in_a_protected_stack_is_a_destroy_not_broadening():
    """No Update in the provider: the assignment is destroyed and created again (identity fields)."""
    review, status = review_of(account({}, assignments={"a": assignment(["ADMIN"])}),
                               account({}, assignments={"a": assignment(["USER"])}), {"prod": True})
    assert [f.rule_id for f in review.findings if f.blocks_by_default] == ["PFR051"] and status == 1


def test_an_assignment_moved_to_another_workspace_is_broadening():
    assert_flagged(account({}, assignments={"a": assignment(["USER"], workspace="111")}),
                   account({}, assignments={"a": assignment(["USER"], workspace="222")}), "PFR014")


@pytest.mark.parametrize("was, now, widened", [
    (["USER"], ["ADMIN"], True),
    (["USER"], ["USER", "ADMIN"], True),
    (["USER"], ["SOMETHING_NEW"], True),     # a level this code does not know counts as the highest
    (["ADMIN"], ["USER"], False),
    (["USER"], ["USER"], False),
    (["ADMIN"], ["ADMIN", "USER"], False),
])
def test_workspace_permission_levels_are_ranked(was, now, widened):
    """In an estate with nothing protected, so that only broadening can fail the review (a new level
    replaces the assignment, which a protected stack would fail as a destroy)."""
    base = account({}, assignments={"a": assignment(was)})
    head = account({}, assignments={"a": assignment(now)})
    review, status = review_of(base, head, {"dev": False})
    flagged = [f.rule_id for f in review.findings if f.kind == "broadening"]
    assert (flagged == ["PFR014"], status) == ((True, 1) if widened else (False, 0)), (flagged, status)


def test_adding_a_person_to_a_pilot_group_in_roles_yaml_fails_the_review(make_estate):
    """Through the command: roles.yaml is the source of managed groups' members (account stack)."""
    estate = make_estate(1)
    root = estate.root
    (root / ".gitignore").write_text("/.pilotfactory/\n/cdktf.out/\n")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    roles_file = root / "config" / "roles.yaml"
    roles = YAML().load(roles_file.read_text())
    group = next(name for name, g in roles["groups"].items() if g.get("managed") and "builders" in name)
    roles["groups"][group]["members"].append("new.joiner@bank.example")
    YAML().dump(roles, roles_file)
    result = CliRunner().invoke(cli, ["review", "--root", str(root), "--base", "HEAD", "--format", "json"])
    assert result.exit_code == 1, result.output
    findings = json.loads(result.output)["findings"]
    joined = [f for f in findings if f["rule"] == "PFR014"]
    assert len(joined) == 1 and "new.joiner@bank.example" in joined[0]["text"] and group in joined[0]["text"], findings
