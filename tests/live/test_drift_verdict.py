"""drift --fail-on (issue 12): review's meaning of each value, every exit path; what cannot be
compared fails under all but `never`, a membership difference blocks like governance."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from pilotfactory.cli.app import cli
from pilotfactory.live.drift_verdict import drift_exit
from pilotfactory.review import build_review
from pilotfactory.review.changes import StackRef
from pilotfactory.review.diff import resource_change
from tests.live.conftest import deploy
from tests.live.test_drift import PATIENT

DEV = StackRef("p-dev", "p", "dev", False)
JOB = {"name": "p-score", "max_concurrent_runs": 1}
ACL = {"access_control": [{"group_name": "p-builders", "permission_level": "CAN_VIEW"}]}
RAISED = {"access_control": [{"group_name": "p-builders", "permission_level": "CAN_MANAGE"}]}


def review_of(*changes):
    return build_review("synthesized", "workspace", [c for c in changes if c is not None], rates={})


NONE = review_of()
ROUTINE = review_of(resource_change(DEV, "databricks_job", "j", JOB, {**JOB, "max_concurrent_runs": 4}, "job"))
WIDER = review_of(resource_change(DEV, "databricks_permissions", "j", ACL, RAISED, "permissions on job `p`"))
GONE = review_of(resource_change(DEV, "databricks_job", "j", JOB, None, "job"))   # unprotected: not blocking by default

# (review, unmatched, members) -> status per --fail-on value
CASES = {
    "nothing": ((NONE, [], []), {"broadening": 0, "destructive": 0, "any": 0, "never": 0}),
    "routine-edit": ((ROUTINE, [], []), {"broadening": 0, "destructive": 0, "any": 1, "never": 0}),
    "broadening": ((WIDER, [], []), {"broadening": 1, "destructive": 1, "any": 1, "never": 0}),
    "destructive-in-dev": ((GONE, [], []), {"broadening": 0, "destructive": 1, "any": 1, "never": 0}),
    "not-compared": ((NONE, ["job `x`: not in the workspace"], []), {"broadening": 1, "destructive": 1, "any": 1,
                                                                      "never": 0}),
    "membership": ((NONE, [], ["x"]), {"broadening": 1, "destructive": 1, "any": 1, "never": 0}),
}


@pytest.mark.parametrize("fail_on", ["broadening", "destructive", "any", "never"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_every_exit_path(case, fail_on):
    (review, unmatched, members), statuses = CASES[case]
    status, reason = drift_exit(review, unmatched, members, fail_on)
    assert status == statuses[fail_on], reason
    if status:
        assert f"--fail-on {fail_on}" in reason
    if unmatched:
        assert "could not be compared" in reason
    if members:
        assert "membership" in reason


def test_an_unknown_value_is_refused():
    with pytest.raises(ValueError):
        drift_exit(NONE, [], [], "sometimes")


def _drift(workspace, *args):
    result = CliRunner().invoke(cli, ["drift", "--env", "staging", "--format", "json", *args, *PATIENT,
                                      "--root", str(workspace.root)])
    return result, json.loads(result.stdout)


def test_the_cli_takes_fail_on_and_defaults_to_broadening(workspace, staging_stacks):
    ids = deploy(workspace, staging_stacks)
    job = next(iter(ids.values()))
    workspace.jobs[job]["max_concurrent_runs"] = 4          # a routine hand edit: drift, not broadening
    result, data = _drift(workspace)
    assert result.exit_code == 0 and data["exit"]["fail_on"] == "broadening", result.output
    assert data["stacks"] and "1 object differs" in data["exit"]["reason"]
    result, data = _drift(workspace, "--fail-on", "any")
    assert result.exit_code == 1 and data["exit"]["status"] == 1
    workspace.permissions[job].append({"group_name": "users", "all_permissions": [
        {"permission_level": "CAN_MANAGE", "inherited": False}]})
    for fail_on, status in (("broadening", 1), ("destructive", 1), ("never", 0)):
        result, data = _drift(workspace, "--fail-on", fail_on)
        assert result.exit_code == status, (fail_on, result.output)
    result = CliRunner().invoke(cli, ["drift", "--env", "staging", "--fail-on", "sometimes", "--root",
                                      str(workspace.root)])
    assert result.exit_code == 2 and "sometimes" in result.output
