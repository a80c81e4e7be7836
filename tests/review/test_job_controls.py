"""A job's controls (issue 12): a job moved to another cluster policy, or a task running code from
outside the pilot's folder or repository, is broadening in a catalog review, a plan and drift.

Facts relied on, provider v1.99.0 docs/resources/job.md: a notebook's empty `source` means GIT when
the job has `git_source`, else WORKSPACE (:214); a Python file's empty `source` means WORKSPACE
(:264); workspace paths are absolute, repository paths relative (:213, :263);
docs/resources/workspace_file.md:54: `workspace_path` is `/Workspace` + `path`.
"""
from __future__ import annotations

import copy

import pytest

from pilotfactory.tfjson.workspace_paths import pilot_folder_of
from pilotfactory.review.job_controls import code_origin

from .test_review_risks import assert_flagged, job, run, stack

FOLDER = pilot_folder_of("p", "prod")
OWN = f"/Workspace{FOLDER}/contracts/c.py"
POLICY = "${databricks_cluster_policy.policy_A1.id}"


def pjob(**over) -> dict:
    """A job of pilot `p` whose code is the stack's own: a contract file in its folder, a notebook in its repo."""
    body = job(**over)
    body["task"][0]["spark_python_task"] = {"python_file": OWN, "source": "WORKSPACE"}
    body["job_cluster"][0]["new_cluster"]["policy_id"] = POLICY
    body.setdefault("git_source", {"url": "https://git.bank.example/p.git", "provider": "gitLab", "tag": "v1"})
    body["task"].append({"task_key": "nb", "notebook_task": {"notebook_path": "notebooks/n", "source": "GIT"}})
    return body


def with_task(body: dict, key: str, **block) -> dict:
    out = copy.deepcopy(body)
    for task in out["task"]:
        if task["task_key"] == key:
            task.update(block)
    return out


def base() -> dict:
    return {"p-prod": stack(databricks_job={"j": pjob()})}


def head(body: dict) -> dict:
    return {"p-prod": stack(databricks_job={"j": body})}


def test_the_pilots_own_job_unchanged_or_created_is_not_flagged():
    review, status, _, _ = run(base(), base())
    assert review.findings == [] and status == 0
    own_file = with_task(pjob(), "contract_check", spark_python_task={
        "python_file": "${databricks_workspace_file.contracts_c_1A.workspace_path}", "source": "WORKSPACE"})
    for body in (pjob(), own_file):
        review, _, _, _ = run({}, head(body))
        assert [f.rule_id for f in review.findings if f.rule_id in ("PFR025", "PFR026")] == []


@pytest.mark.parametrize("after", ["${databricks_cluster_policy.other_B2.id}", "0F1E2D3C4B5A6978"])
def test_a_policy_swapped_is_broadening(after):
    body = pjob()
    body["job_cluster"][0]["new_cluster"]["policy_id"] = after
    found = assert_flagged(base(), head(body), "PFR025", words=after)
    assert "job_cluster[main].new_cluster.policy_id" in found["text"]


def test_a_policy_removed_is_broadening_and_one_added_is_not():
    body = pjob()
    del body["job_cluster"][0]["new_cluster"]["policy_id"]
    assert_flagged(base(), head(body), "PFR025", words="nothing limits the cluster")
    review, _, _, _ = run(head(body), base())
    assert [f for f in review.findings if f.rule_id == "PFR025"] == []


@pytest.mark.parametrize("block, where", [
    ({"spark_python_task": {"python_file": "/Workspace/Users/mallory@bank.example/c.py", "source": "WORKSPACE"}},
     "/Users/mallory"),
    ({"spark_python_task": {"python_file": "/Workspace/pilotfactory/other/prod/contracts/c.py"}}, "other/prod"),
    ({"spark_python_task": {"python_file": f"/Workspace{FOLDER}/../../other/prod/c.py"}}, "other/prod"),
    ({"spark_python_task": {"python_file": "s3://bucket/c.py"}}, "cloud storage"),
    ({"spark_python_task": {"python_file": "jobs/c.py"}}, "jobs/c.py"),   # no source: WORKSPACE (:264)
], ids=["someone-elses-file", "another-pilots-file", "dot-dot", "cloud", "relative-without-git"])
def test_a_contract_task_pointed_elsewhere_is_broadening(block, where):
    found = assert_flagged(base(), head(with_task(pjob(), "contract_check", **block)), "PFR026", words=where)
    assert "contract_check" in found["text"] and FOLDER in found["text"]


def test_a_notebook_moved_out_of_the_repository_is_broadening():
    moved = with_task(pjob(), "nb", notebook_task={"notebook_path": "/Users/mallory@bank.example/n",
                                                   "source": "WORKSPACE"})
    assert_flagged(base(), head(moved), "PFR026", words="/Users/mallory")
    climbed = with_task(pjob(), "nb", notebook_task={"notebook_path": "../../other/n", "source": "GIT"})
    assert_flagged(base(), head(climbed), "PFR026", words="../../other/n")
    repo = pjob()
    repo["git_source"] = {**repo["git_source"], "url": "https://git.evil.example/p.git"}
    assert_flagged(base(), head(repo), "PFR026", words="git.evil.example")


def test_moves_inside_the_pilots_own_places_are_not_flagged():
    inside_folder = with_task(pjob(), "contract_check",
                              spark_python_task={"python_file": f"{FOLDER}/contracts/d.py", "source": "WORKSPACE"})
    renamed = with_task(pjob(), "nb", notebook_task={"notebook_path": "notebooks/m"})   # GIT by default (:214)
    for body in (inside_folder, renamed):
        review, _, _, _ = run(base(), head(body))
        assert [f for f in review.findings if f.rule_id == "PFR026"] == [], review.findings


def test_code_origin_reads_what_an_empty_source_means():
    job_ = {"git_source": {"url": "u"}}
    assert code_origin({"notebook_task": {"notebook_path": "n"}}, job_, FOLDER)[1] is True
    assert code_origin({"notebook_task": {"notebook_path": "n"}}, {}, FOLDER)[1] is False
    assert code_origin({"spark_python_task": {"python_file": "f.py"}}, job_, FOLDER)[1] is False
    assert code_origin({"sql_task": [{"file": [{"path": "q.sql"}]}]}, job_, FOLDER)[1] is True
    assert code_origin({"python_wheel_task": {"package_name": "p"}}, job_, FOLDER) is None
