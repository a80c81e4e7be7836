"""At synth: the rules run on every stack before the swap and point back at the catalog."""
from __future__ import annotations

import dataclasses
import json
import shutil

import pytest

from pilotfactory.guardrails import RULES
from pilotfactory.synth.build import synthesize
from pilotfactory.synth.guard import GuardrailViolations, check_synthesized

from .checkov_run import checkov_failures


def test_the_generated_synth_passes_every_rule_and_checkov(estate_root, example, synthesized):
    check_synthesized(example.resolution.catalog, synthesized)  # raises on any violation
    failures = checkov_failures(synthesized, estate_root)
    assert len(failures) == len(list(synthesized.glob("stacks/*/cdk.tf.json")))
    assert {f: ids for f, ids in failures.items() if ids} == {}


def test_a_violation_stops_synth_points_at_the_pilot_line_and_keeps_the_previous_output(example, tmp_path):
    catalog = example.resolution.catalog
    # a protected pilot that declares its compute in its own file (conftest.py)
    rp = next(p for p in catalog.pilots if p.env.protected and p.source.where(("compute",)).file == p.file)
    # a validator gap simulated: a compute limit the standards forbid reaches synth
    loose = dataclasses.replace(rp, compute=dataclasses.replace(rp.compute, spark_version="13.0.x-scala2.12"))
    tampered = dataclasses.replace(catalog, pilots=tuple(loose if p is rp else p for p in catalog.pilots))
    out = tmp_path / "cdktf.out"
    (out / "stacks" / "previous").mkdir(parents=True)
    (out / "stacks" / "previous" / "cdk.tf.json").write_text("{}")

    with pytest.raises(GuardrailViolations) as raised:
        synthesize(tampered, out)

    errors = raised.value.diagnostics.errors
    assert {d.code for d in errors} == {"PFG001"}
    where = rp.source.where(("compute",))
    assert {(d.location.file, d.location.line) for d in errors} == {(rp.file, where.line)}
    assert f"{rp.stack_id}" in str(raised.value) and "previous output is unchanged" in str(raised.value)
    assert sorted(p.name for p in (out / "stacks").iterdir()) == ["previous"]
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".cdktf.out.") and p.is_dir()] == []


def test_a_job_violation_points_at_that_job_in_the_pilot_file(estate_root, example, synthesized, tmp_path):
    catalog = example.resolution.catalog
    rp = next(p for p in catalog.pilots if len(p.pilot.jobs) >= 1)
    out = tmp_path / "out"
    shutil.copytree(synthesized / "stacks" / rp.stack_id, out / "stacks" / rp.stack_id)
    stack_file = out / "stacks" / rp.stack_id / "cdk.tf.json"
    stack = json.loads(stack_file.read_text())
    job_name = rp.pilot.jobs[-1].name
    for body in stack["resource"]["databricks_job"].values():
        if f"/jobs/{job_name}" in body["//"]["metadata"]["path"]:
            body["max_concurrent_runs"] = 99
    stack_file.write_text(json.dumps(stack, indent=2))

    with pytest.raises(GuardrailViolations) as raised:
        check_synthesized(catalog, out)
    errors = raised.value.diagnostics.errors
    index = len(rp.pilot.jobs) - 1
    expected = rp.source.where(("jobs", index, "max_concurrent_runs"))
    assert errors and {d.code for d in errors} == {"PFG013"}
    assert {(d.location.file, d.location.line) for d in errors} == {(expected.file, expected.line)}
    # The line the diagnostic names, read from the file itself: that job's `max_concurrent_runs`
    # when the pilot sets one, else the list entry that names the job.
    [(file, line)] = {(d.location.file, d.location.line) for d in errors}
    text = (estate_root / file).read_text(encoding="utf-8").splitlines()[line - 1]
    assert "max_concurrent_runs" in text or f"name: {job_name}" in text, (file, line, text)
    assert f"{file}:{line}:" in raised.value.diagnostics.errors[0].render()
    assert all(code in RULES for code in {d.code for d in errors})


def test_a_workspace_created_for_an_unprotected_environment_synthesizes_and_a_protected_one_is_held(tmp_path):
    """The `account` stack's workspace at `account/<env>` is judged under <env>: an unprotected
    dev workspace without prevent_destroy passes (it was refused as "unknown environment, checked as
    protected", so no catalog creating a dev workspace could synthesize); prod's still must have it."""
    import copy

    from tests.stacks.conftest import ENVIRONMENTS, make_catalog
    from pilotfactory.synth.guard import violations_by_stack

    envs = copy.deepcopy(ENVIRONMENTS)
    envs["environments"]["dev"]["workspace"] = {"create": {
        **envs["environments"]["prod"]["workspace"]["create"],
        "workspace_name": "analytics-dev", "deployment_name": "bank-analytics-dev"}}
    catalog = make_catalog(envs)
    out = tmp_path / "cdktf.out"
    synthesize(catalog, out)   # raises on a violation
    path = out / "stacks" / "account" / "cdk.tf.json"
    stack = json.loads(path.read_text())
    workspaces = stack["resource"]["databricks_mws_workspaces"]
    assert "lifecycle" not in workspaces["dev"] and workspaces["prod"]["lifecycle"] == {"prevent_destroy": True}
    del workspaces["prod"]["lifecycle"]
    path.write_text(json.dumps(stack))
    found = violations_by_stack(catalog, out, only=["account"])
    assert [(d.code, "protected environment prod" in d.summary) for d in found["account"].errors] == [("PFG040", True)]
