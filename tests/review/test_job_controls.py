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


# ---- libraries: provider v1.99.0 docs/resources/library.md:138 (jar), :140 (egg), :142 (whl),
# :144 (requirements); job.md:338 (a task's `library` block is the cluster's), :372 (dependencies) ----

ARTIFACTS = "/Volumes/prod/platform/artifacts/wheels"
WHEEL = f"{ARTIFACTS}/p-1.0.0-py3-none-any.whl"
PLACES = {"prod": (ARTIFACTS, "/Volumes/platform/libraries/approved/udfs-1.4.0.jar")}


def libjob(*libraries: dict) -> dict:
    return with_task(pjob(), "score", library=[{"whl": WHEEL}, *libraries])


def run_with(base_: dict, head_: dict, places=PLACES):
    from pilotfactory.review import build_review
    from pilotfactory.review.diff import diff_stacks, stack_ref
    ref = lambda name: stack_ref(name, {"dev": False, "prod": True})  # noqa: E731
    return build_review("b", "h", diff_stacks(base_, head_, ref), rates={}, libraries=places)


def _libraries_flagged(base_: dict, head_: dict, places=PLACES) -> list[str]:
    return [f.text for f in run_with(base_, head_, places).findings if f.rule_id == "PFR026"]


@pytest.mark.parametrize("library, where", [
    ({"whl": "dbfs:/FileStore/p-1.0.0-py3-none-any.whl"}, "DBFS"),
    ({"whl": "/dbfs/FileStore/p.whl"}, "DBFS"),
    ({"jar": "s3://bucket/app.jar"}, "cloud storage"),
    ({"whl": "/Volumes/dev/scratch/wheels/p-1.0.0-py3-none-any.whl"}, "/Volumes/dev/scratch"),
    ({"whl": f"{ARTIFACTS}/../../other/p.whl"}, "other/p.whl"),
    ({"requirements": "/Workspace/Users/mallory@bank.example/requirements.txt"}, "requirements file"),
    ({"egg": "/Workspace/pilotfactory/other/prod/p.egg"}, "egg"),
    ({"jar": "/Volumes/platform/libraries/approved/udfs-1.5.0.jar"}, "udfs-1.5.0.jar"),
], ids=["dbfs-uri", "dbfs-fuse", "s3-jar", "another-volume", "dot-dot", "someones-requirements",
        "another-pilots-egg", "a-jar-not-in-the-standards"])
def test_a_library_from_elsewhere_is_broadening(library, where):
    texts = _libraries_flagged(base(), head(libjob(library)))
    assert len(texts) == 1 and where in texts[0] and "`score`" in texts[0] and FOLDER in texts[0], texts
    assert_flagged(base(), head(libjob(library)), "PFR026", words=where)   # also with no places known


@pytest.mark.parametrize("library", [
    {"whl": f"{ARTIFACTS}/p-1.1.0-py3-none-any.whl"},
    {"requirements": f"/Workspace{FOLDER}/requirements.txt"},
    {"whl": "${databricks_workspace_file.wheel_1A.workspace_path}"},
    {"jar": "/Volumes/platform/libraries/approved/udfs-1.4.0.jar"},
    {"pypi": {"package": "requests==2.32.3"}},
], ids=["artifacts-volume", "own-folder", "own-object", "standards-jar", "a-package-not-a-file"])
def test_libraries_from_vetted_places_are_not_flagged(library):
    assert _libraries_flagged(base(), head(libjob(library))) == []


def test_an_unchanged_library_is_not_flagged_again_and_no_places_means_only_the_folder():
    outside = {"whl": "dbfs:/FileStore/p.whl"}
    renamed = {**libjob(outside), "name": "p-score-renamed"}
    assert _libraries_flagged(head(libjob(outside)), head(renamed)) == []
    # with no vetted places known (drift, a plan without config/), the artifacts volume is not vetted
    assert _libraries_flagged(base(), head(libjob()), places={}) != []
    assert _libraries_flagged(base(), head(libjob()), places={"dev": (ARTIFACTS,)}) != []
    assert _libraries_flagged(base(), head(libjob())) == []


def test_a_serverless_environment_installing_a_file_from_elsewhere_is_broadening():
    body = with_task(pjob(), "score", environment_key="default")
    body["environment"] = [{"environment_key": "default", "spec": {"environment_version": "2", "dependencies": [
        "requests==2.32.3", "-r /Workspace/Users/mallory@bank.example/req.txt", f"{ARTIFACTS}/p.whl"]}}]
    (text,) = _libraries_flagged(base(), head(body))
    assert "environment dependency" in text and "/Users/mallory" in text


def test_compose_vets_the_base_catalogs_artifacts_volume_and_jars(repo_copy):
    from pilotfactory.catalog.load import load_catalog
    from pilotfactory.diagnostics.diagnostic import Diagnostics
    from pilotfactory.review.compose import _libraries
    catalog = load_catalog(repo_copy, Diagnostics())
    places = _libraries(catalog)
    for name, env in catalog.environments.environments.items():
        assert places[name][0] == env.artifacts and set(catalog.standards.libraries.jar) <= set(places[name])
