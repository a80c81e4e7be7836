"""Blue/green releases: cutover and rollback are safe for every example pilot; each refusal; the CLI."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from pilotfactory.cli.app import cli
from pilotfactory.diagnostics.diagnostic import Diagnostics
from pilotfactory.pipeline import check
from pilotfactory.release.rehearsal import rehearse
from pilotfactory.catalog.resolve import reached_environments
from pilotfactory.tfjson.slots import addresses
from pilotfactory.release.plan import find_pilot
from pilotfactory.yamlio.edit import DeleteKey, SetValue, apply_edits

from tests.conftest import ESTATE, TODAY

KYC = "kyc-document-triage"
KYC_FILE = f"catalog/pilots/{KYC}.yaml"


def run(root: Path, *args: str):
    return CliRunner().invoke(cli, [*args, "--root", str(root)])


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for d in ("catalog", "config", "evidence") for p in sorted((root / d).rglob("*")) if p.is_file()}


def edit(root: Path, file: str, *edits) -> None:
    path = root / file
    path.write_bytes(apply_edits(path.read_bytes().decode(), edits, file).encode())


def only_changed_lines(before: bytes, after: bytes) -> list[tuple[str, str]]:
    a, b = before.decode().splitlines(), after.decode().splitlines()
    assert len(a) == len(b)
    return [(x, y) for x, y in zip(a, b) if x != y]


@pytest.fixture(scope="module")
def example():
    checked = check(ESTATE)
    assert checked.ok, [d.render() for d in checked.diagnostics.errors]
    return checked


def _pilots(strategy: str) -> list:
    """(pilot, environment) for every example pilot of `strategy` and every environment it reaches."""
    checked = check(ESTATE)
    return [pytest.param(t.pilot.name, env, id=f"{t.pilot.name}-{env}")
            for t in checked.resolution.pilots if t.pilot.release.strategy == strategy
            for env in reached_environments(checked.catalog, t.pilot.phase)]


def test_the_production_example_pilot_is_blue_green(example):
    production = [t.pilot for t in example.resolution.pilots if t.pilot.phase == "production"]
    assert production and all(p.release.strategy == "blue_green" for p in production)


# ---- the properties, for every example pilot and environment ----------------------------------


@pytest.mark.parametrize("pilot, env", _pilots("blue_green"))
def test_cutover_and_rollback_change_attributes_only_and_restore_the_stack(example, pilot, env):
    diags = Diagnostics()
    typed = find_pilot(example, pilot, env, diags)
    result = rehearse(ESTATE, example, typed, env, diags)
    if env in typed.pilot.release.canary:
        # A promoted canary rolls back to the active slot alone: the start is not restored, so refused.
        assert result is None and [d.code for d in diags.errors] == ["PF407"]
        assert "runs a canary" in diags.errors[0].summary
        return
    assert result is not None, [d.render() for d in diags.errors]
    stack = f"{pilot}-{env}"
    before = result.cutover.before_stacks[stack]
    cut = result.cutover.after_stacks[stack]
    back = result.rollback.after_stacks[stack]
    assert cut != before  # the cutover did flip something
    assert addresses(json.loads(before)) == addresses(json.loads(cut)) == addresses(json.loads(back))
    assert back == before
    assert result.rollback.after_text == result.cutover.before_text
    assert result.ok and result.problems == []


@pytest.mark.parametrize("pilot, env", _pilots("single"))
@pytest.mark.parametrize("action", ["cutover", "rollback", "rehearse"])
def test_single_release_pilots_only_release(example, pilot, env, action):
    diags = Diagnostics()
    assert find_pilot(example, pilot, env, diags, action) is None
    assert [d.code for d in diags] == ["PF403"]
    assert find_pilot(example, pilot, env, Diagnostics(), "release") is not None


def test_the_in_memory_stack_is_what_synth_writes(example, tmp_path):
    from pilotfactory.synth.build import synth_pilot_stacks, synthesize

    synthesize(example.resolution.catalog, tmp_path / "out")
    mine = [rp for rp in example.resolution.catalog.pilots if rp.name == KYC]
    for stack, data in synth_pilot_stacks(mine).items():
        assert data == (tmp_path / "out" / "stacks" / stack / "cdk.tf.json").read_bytes()


# ---- the command line, end to end on a copy of the repository ---------------------------------


# The example's record of the change prod's canary runs under; each change to prod replaces it.
PROD_CHANGE = "  changes: {prod: {ref: CHG0004417, action: cutover, date: 2026-11-17}}"


def test_cutover_promotes_the_canary_then_rollback_returns_to_the_last_known_good(repo_copy):
    original = (repo_copy / KYC_FILE).read_bytes()
    result = run(repo_copy, "cutover", KYC, "--env", "prod", "--change", "CHG0000001")
    assert result.exit_code == 0, result.output + result.stderr
    assert only_changed_lines(original, (repo_copy / KYC_FILE).read_bytes()) == [
        ("  active: {dev: green, staging: green, prod: blue}", "  active: {dev: green, staging: green, prod: green}"),
        ("  canary: {prod: {slot: green, percent: 10}}", "  canary: {}"),
        (PROD_CHANGE, "  changes: {prod: {ref: CHG0000001, action: cutover, date: 2026-11-25}}")]
    out = result.stdout
    assert "release.active.prod: blue -> green" in out and "release.canary.prod: green 10% -> none" in out
    assert "`blue` (v1.4.0, model version 7) active 90% -> idle 0%" in out
    assert "`green` (v1.5.0, model version 8) canary 10% -> active 100%" in out
    assert "job kyc-document-triage-classify-blue: schedule UNPAUSED -> PAUSED" in out
    assert "classify-green: schedule" not in out      # the canary's jobs already ran
    assert "endpoint kyc-document-triage-prod: traffic blue 90% -> 0%, green 10% -> 100%" in out
    assert "alias champion 7 -> 8, challenger 8 -> 7" in out
    assert "nothing created or destroyed" in out and "npx cdktf deploy kyc-document-triage-prod" in out

    # No canary now: rollback makes the idle slot (the previous active) active at 100%.
    result = run(repo_copy, "rollback", KYC, "--env", "prod", "--change", "CHG0000001")
    assert result.exit_code == 0, result.output + result.stderr
    assert (repo_copy / KYC_FILE).read_bytes() == original.replace(
        b"  canary: {prod: {slot: green, percent: 10}}", b"  canary: {}").replace(
        PROD_CHANGE.encode(), b"  changes: {prod: {ref: CHG0000001, action: rollback, date: 2026-11-25}}")
    assert "endpoint kyc-document-triage-prod: traffic blue 0% -> 100%, green 100% -> 0%" in result.stdout


def test_rollback_with_a_canary_only_takes_the_canary_share_back(repo_copy):
    original = (repo_copy / KYC_FILE).read_bytes()
    result = run(repo_copy, "rollback", KYC, "--env", "prod", "--change", "CHG0000001")
    assert result.exit_code == 0, result.output + result.stderr
    assert only_changed_lines(original, (repo_copy / KYC_FILE).read_bytes()) == [
        ("  canary: {prod: {slot: green, percent: 10}}", "  canary: {}"),
        (PROD_CHANGE, "  changes: {prod: {ref: CHG0000001, action: rollback, date: 2026-11-25}}")]
    out = result.stdout
    assert "endpoint kyc-document-triage-prod: traffic blue 90% -> 100%, green 10% -> 0%" in out
    assert "job kyc-document-triage-classify-green: schedule UNPAUSED -> PAUSED" in out
    assert "classify-blue: schedule" not in out and "alias" not in out
    assert "release.active" not in out


def test_a_canary_starts_and_changes_share_through_cutover(repo_copy):
    edit(repo_copy, KYC_FILE, DeleteKey(("release", "canary", "prod")))
    result = run(repo_copy, "cutover", KYC, "--env", "prod", "--change", "CHG0000001", "--canary", "5")
    assert result.exit_code == 0, result.output + result.stderr
    assert "canary: {prod: {slot: green, percent: 5}}" in (repo_copy / KYC_FILE).read_text()
    out = result.stdout
    assert "endpoint kyc-document-triage-prod: traffic blue 100% -> 95%, green 0% -> 5%" in out
    assert "job kyc-document-triage-classify-green: schedule PAUSED -> UNPAUSED" in out
    result = run(repo_copy, "cutover", KYC, "--env", "prod", "--change", "CHG0000001", "--canary", "20")
    assert result.exit_code == 0, result.output + result.stderr
    assert "canary: {prod: {slot: green, percent: 20}}" in (repo_copy / KYC_FILE).read_text()
    assert run(repo_copy, "cutover", KYC, "--env", "prod", "--change", "CHG0000001", "--canary", "51").exit_code == 2


def test_dry_run_writes_nothing(repo_copy):
    before = tree(repo_copy)
    result = run(repo_copy, "cutover", KYC, "--env", "dev", "--dry-run")
    assert result.exit_code == 0 and "release.active.dev: green -> blue" in result.stdout
    assert tree(repo_copy) == before


def test_release_stages_the_standby_and_names_the_code_change(repo_copy):
    # Production gates bind approvals to the slot versions; a pilot in staging shows the mechanics.
    edit(repo_copy, KYC_FILE, SetValue(("phase",), "staging"), SetValue(("release", "active", "dev"), "blue"),
         SetValue(("release", "active", "staging"), "blue"))
    original = (repo_copy / KYC_FILE).read_bytes()
    result = run(repo_copy, "release", KYC, "--env", "dev", "--version", "v1.6.0", "--model-version", "9")
    assert result.exit_code == 0, result.output + result.stderr
    assert only_changed_lines(original, (repo_copy / KYC_FILE).read_bytes()) == [
        ("    green: {version: v1.5.0, model_version: 8}", "    green: {version: v1.6.0, model_version: 9}")]
    out = result.stdout
    assert "stage v1.6.0 and model version 9 on slot `green`, idle in dev, staging: no traffic moves" in out
    assert ("job kyc-document-triage-classify-green: code wheel kyc_triage-1.5.0-py3-none-any.whl -> "
            "wheel kyc_triage-1.6.0-py3-none-any.whl") in out
    assert "endpoint kyc-document-triage-staging: served model version green 8 -> 9" in out
    assert "alias challenger 8 -> 9" in out and "schedule" not in out
    assert check(repo_copy).ok


def test_release_on_a_production_pilot_is_written_and_withheld_until_approved(repo_copy):
    # Maker stages a new version; its approvals go stale by design, so the gates withhold the
    # environments that need them until a checker approves the new content.
    assert run(repo_copy, "cutover", KYC, "--env", "prod", "--change", "CHG0000001").exit_code == 0  # every env on green
    result = run(repo_copy, "release", KYC, "--env", "prod", "--change", "CHG0000001", "--version", "v1.6.0", "--model-version", "9")
    assert result.exit_code == 0, result.output + result.stderr
    assert "blue: {version: v1.6.0, model_version: 9}" in (repo_copy / KYC_FILE).read_text()
    assert "error[PF310]" in result.stderr and "pilotfactory approve kyc-document-triage" in result.stdout
    checked = check(repo_copy)
    assert not checked.ok
    assert "kyc-document-triage-prod" not in {rp.stack_id for rp in checked.resolution.catalog.pilots}


def test_rehearse_prints_the_script_and_records_the_result(repo_copy):
    original = (repo_copy / KYC_FILE).read_bytes()
    result = run(repo_copy, "rehearse", KYC, "--env", "staging")
    assert result.exit_code == 0, result.output + result.stderr
    out = result.stdout
    assert "keep all" in out and "restores the stack JSON of kyc-document-triage-staging byte for byte" in out
    steps = [line for line in out.splitlines() if line[:1].isdigit()]
    assert steps == [
        f"1. Cut over: pilotfactory cutover {KYC} --env staging",
        f"2. Deploy: npx cdktf deploy {KYC}-staging --ignore-missing-stack-dependencies",
        "3. Verify the cutover in staging:",
        f"4. Roll back: pilotfactory rollback {KYC} --env staging",
        f"5. Deploy: npx cdktf deploy {KYC}-staging --ignore-missing-stack-dependencies",
        "6. Verify the rollback in staging:",
        f"7. Record the outcome: pilotfactory rehearse {KYC} --env staging --record pass (or --record fail)",
    ]
    assert (repo_copy / KYC_FILE).read_bytes() == original

    result = run(repo_copy, "rehearse", KYC, "--env", "staging", "--record", "pass")
    assert result.exit_code == 0, result.output + result.stderr
    after = (repo_copy / KYC_FILE).read_text()
    entry = (f"  - {{kind: rollback_rehearsal, env: staging, date: {TODAY.isoformat()}, from: green, "
             "to: blue, result: pass}\n")
    anchor = "    rationale: Every metric at target after six weeks on live onboarding cases.\n"  # the last entry
    assert after == original.decode().replace(anchor, anchor + entry)
    assert check(repo_copy).ok


# ---- refusals: a clear message, exit 1, nothing written ---------------------------------------


def _refused(root: Path, args: list[str], code: str, *words: str) -> str:
    before = tree(root)
    result = run(root, *args)
    assert result.exit_code == 1, result.output + result.stderr
    assert f"error[{code}]" in result.stderr and "refused:" in result.stderr
    for word in words:
        assert word in result.stderr
    assert tree(root) == before
    assert "Traceback" not in result.stderr
    return result.stderr


@pytest.mark.parametrize("command", ["release", "cutover", "rollback", "rehearse"])
def test_unknown_pilot_and_environment(repo_copy, command):
    extra = ["--version", "v1.6.0"] if command == "release" else []
    _refused(repo_copy, [command, "kyc-document-triag", "--env", "prod", *extra], "PF401",
             "did you mean `kyc-document-triage`?")
    _refused(repo_copy, [command, KYC, "--env", "production", *extra], "PF206", "did you mean `prod`?")
    if command != "release":   # a single-slot pilot releases (tests/release/test_single_release.py)
        _refused(repo_copy, [command, "card-fraud-scoring", "--env", "dev", *extra], "PF403",
                 "card-fraud-scoring.yaml:", "strategy `single`")


def test_environment_the_phase_does_not_reach(repo_copy):
    edit(repo_copy, KYC_FILE, SetValue(("phase",), "staging"))
    _refused(repo_copy, ["cutover", KYC, "--env", "prod", "--change", "CHG0000001"], "PF402", "reaches dev, staging, not `prod`")


def test_release_onto_a_slot_with_live_traffic_anywhere_is_refused(repo_copy):
    # prod runs blue with green on canary: no idle slot there
    _refused(repo_copy, ["release", KYC, "--env", "prod", "--change", "CHG0000001", "--version", "v1.6.0"], "PF405",
             "no idle slot in prod (active `blue` 90%, canary `green` 10%, idle none)",
             f"`pilotfactory cutover {KYC} --env prod` promotes `green`")
    # blue is idle in dev but active in prod
    _refused(repo_copy, ["release", KYC, "--env", "dev", "--version", "v1.6.0"], "PF405",
             "slot `blue`, idle in dev, takes live traffic in prod (active 90%)")
    # the canary alone is enough: green idle in dev, staging once they run blue, yet on canary in prod
    edit(repo_copy, KYC_FILE, SetValue(("release", "active", "dev"), "blue"),
         SetValue(("release", "active", "staging"), "blue"))
    _refused(repo_copy, ["release", KYC, "--env", "dev", "--version", "v1.6.0"], "PF405",
             "slot `green`, idle in dev, takes live traffic in prod (canary 10%)")


@pytest.mark.parametrize("command", ["cutover", "rollback"])
def test_switching_to_a_slot_without_version_is_refused(repo_copy, command):
    edit(repo_copy, KYC_FILE, SetValue(("phase",), "staging"), SetValue(("release", "active", "dev"), "blue"),
         SetValue(("release", "active", "staging"), "blue"))
    path = repo_copy / KYC_FILE
    path.write_text(path.read_text().replace("green: {version: v1.5.0, model_version: 8}", "green: {}"))
    checked = check(repo_copy)
    assert checked.ok and "PF215" in {d.code for d in checked.diagnostics.warnings}
    _refused(repo_copy, [command, KYC, "--env", "dev"], "PF404", "to slot `green` refused", "no `version`")


def test_cutover_in_a_protected_environment_needs_passing_test_evidence(repo_copy):
    # the gates would already refuse an untested production release; without that gate the command still does
    edit(repo_copy, "config/gates.yaml", SetValue(("exits", "production", "test_reports"), False))
    path = repo_copy / KYC_FILE
    text = path.read_text()
    start = text.index("  - kind: test_report\n    version: v1.5.0")
    path.write_text(text[:start] + text[text.index("  # Staging rolled back"):])
    # the evidence behind the running versions is part of what production approvals bind to
    gates = repo_copy / "config" / "gates.yaml"
    gates.write_text(gates.read_text().replace("approvals: [compliance, security]", "approvals: []"))
    assert check(repo_copy).ok
    _refused(repo_copy, ["cutover", KYC, "--env", "prod", "--change", "CHG0000001"], "PF406", "protected environment `prod`",
             "no test_report for v1.5.0")
    assert run(repo_copy, "cutover", KYC, "--env", "dev").exit_code == 0  # unprotected: no evidence needed


def test_cutover_with_tampered_test_evidence_is_refused(repo_copy):
    report = repo_copy / "evidence" / KYC / "v1.5.0" / "junit.xml"
    report.write_text(report.read_text().replace('failures="0"', 'failures="1"', 1))
    edit(repo_copy, "config/gates.yaml", SetValue(("exits", "production", "test_reports"), False))
    _refused(repo_copy, ["cutover", KYC, "--env", "prod", "--change", "CHG0000001"], "PF406", "sha256")


def test_model_version_for_a_pilot_without_model_is_refused(repo_copy):
    edit(repo_copy, KYC_FILE, SetValue(("phase",), "staging"), SetValue(("release", "active", "prod"), "green"),
         DeleteKey(("release", "canary", "prod")))
    path = repo_copy / KYC_FILE
    text = path.read_text()
    text = text[:text.index("model:\n  name")] + text[text.index("secrets:"):]
    path.write_text(text.replace("    model:\n      serving: {workload_size: Small, scale_to_zero: false}\n", ""))
    assert check(repo_copy).ok
    _refused(repo_copy, ["release", KYC, "--env", "dev", "--version", "v1.6.0", "--model-version", "9"],
             "PF408", "declares no `model`")


def test_an_edit_the_pipeline_rejects_is_not_written(repo_copy):
    edit(repo_copy, KYC_FILE, SetValue(("phase",), "staging"), SetValue(("release", "active", "dev"), "blue"),
         SetValue(("release", "active", "staging"), "blue"))
    err = _refused(repo_copy, ["release", KYC, "--env", "dev", "--version", "1.6"], "PF208")
    assert f"{KYC_FILE}:" in err and "does not validate" in err


def test_a_broken_catalog_is_refused_before_any_edit(repo_copy):
    (repo_copy / "config" / "roles.yaml").write_text("apiVersion: pilotfactory/v1\nkind: Roles\n")
    before = tree(repo_copy)
    result = run(repo_copy, "cutover", KYC, "--env", "dev")
    assert result.exit_code == 1 and "fix them before changing a release" in result.stderr
    assert tree(repo_copy) == before


def test_canary_to_a_slot_without_model_version_is_a_validation_error(repo_copy):
    path = repo_copy / KYC_FILE
    path.write_text(path.read_text().replace("green: {version: v1.5.0, model_version: 8}", "green: {version: v1.5.0}"))
    errors = check(repo_copy).diagnostics.errors
    assert any(d.code == "PF216" and "slot `green` is live in dev, staging" in d.summary for d in errors)
    assert any(d.code == "PF216" and "`canary` sends traffic in prod to slot `green`" in d.summary
               for d in errors)


@pytest.mark.parametrize("canary, code, words", [
    ("{prod: {slot: blue, percent: 10}}", "PF207", "canary slot `blue` is the active slot in prod"),
    ("{prod: {slot: gren, percent: 10}}", "PF207", "canary slot `gren` is not `blue` or `green`"),
    ("{prod: {slot: green, percent: 0}}", "PF104", "`percent` input should be greater than or equal to 1"),
    ("{prod: {slot: green, percent: 51}}", "PF104", "`percent` input should be less than or equal to 50"),
    ("{prod: {slot: green}}", "PF102", "missing required key `percent`"),
])
def test_a_canary_must_be_the_other_slot_with_a_share_from_1_to_50(repo_copy, canary, code, words):
    path = repo_copy / KYC_FILE
    path.write_text(path.read_text().replace("canary: {prod: {slot: green, percent: 10}}", f"canary: {canary}"))
    errors = check(repo_copy).diagnostics.errors
    assert any(d.code == code and words in d.summary for d in errors), [d.render() for d in errors]


@pytest.mark.parametrize("percent", [1, 50])
def test_canary_share_boundaries_are_accepted(repo_copy, percent):
    path = repo_copy / KYC_FILE
    path.write_text(path.read_text().replace("percent: 10}", f"percent: {percent}}}"))
    assert check(repo_copy).ok


def test_a_canary_where_the_pilot_does_not_serve_is_refused(repo_copy):
    path = repo_copy / KYC_FILE
    text = path.read_text()
    # served only in prod (its overlay), a canary in dev has no traffic to split
    path.write_text(text.replace("  serving: {workload_size: Small, scale_to_zero: true}\n", "")
                    .replace("canary: {prod: {slot: green, percent: 10}}",
                             "canary: {prod: {slot: green, percent: 10}, dev: {slot: blue, percent: 10}}"))
    errors = check(repo_copy).diagnostics.errors
    assert [d.summary for d in errors if d.code == "PF216"] == [
        "`canary` splits serving traffic, but the pilot has no serving endpoint in dev"], \
        [d.render() for d in errors]


def test_a_rehearsal_that_would_recreate_resources_fails_and_records_nothing(repo_copy, monkeypatch):
    # Stacks whose construct ids followed the live slot: the mistake the rehearsal exists to catch.
    def ids_follow_the_live_slot(pilots, engine="cdktf"):
        live = {rp.stack_id: next(s.name for s in rp.slots if s.active) for rp in pilots}
        return {stack: json.dumps({"resource": {"databricks_job": {f"jobs_live-{slot}": {"name": "j"}}}}).encode()
                for stack, slot in live.items()}

    monkeypatch.setattr("pilotfactory.release.plan.synth_pilot_stacks", ids_follow_the_live_slot)
    err = _refused(repo_copy, ["rehearse", KYC, "--env", "staging", "--record", "pass"], "PF407",
                   "would create resource.databricks_job.jobs_live-blue",
                   "destroy resource.databricks_job.jobs_live-green", "nothing recorded")
    assert "Script for the operator" not in err


def test_commit_refuses_a_pilot_file_changed_on_disk_since_it_was_read(repo_copy):
    from pilotfactory.diagnostics.diagnostic import DiagnosticsError
    from pilotfactory.release.plan import commit, plan_switch, prepare

    checked = check(repo_copy, today=TODAY)
    diags = Diagnostics()
    typed = find_pilot(checked, KYC, "staging", diags)
    prepared = prepare(repo_copy, checked, plan_switch(checked, typed, "staging", "rollback", diags), diags)
    assert prepared is not None, [d.render() for d in diags.errors]
    path = repo_copy / KYC_FILE
    lines = path.read_bytes().split(b"\n")
    lines[20] += b"  # a colleague's edit, saved meanwhile"
    theirs = b"\n".join(lines)
    path.write_bytes(theirs)
    with pytest.raises(DiagnosticsError) as refused:
        commit(repo_copy, prepared)
    [d] = refused.value.diagnostics.errors
    assert (d.code, d.location.file, d.location.line) == ("PF409", KYC_FILE, 21)
    assert "changed on disk since it was read" in d.summary and "nothing written" in d.summary
    assert path.read_bytes() == theirs
    path.write_bytes(prepared.before_text.encode())
    commit(repo_copy, prepared)
    assert path.read_bytes() == prepared.after_text.encode()


def test_a_line_ending_change_on_disk_is_a_change(repo_copy):
    from pilotfactory.diagnostics.diagnostic import DiagnosticsError
    from pilotfactory.release.plan import commit, plan_switch, prepare

    checked = check(repo_copy, today=TODAY)
    diags = Diagnostics()
    typed = find_pilot(checked, KYC, "staging", diags)
    prepared = prepare(repo_copy, checked, plan_switch(checked, typed, "staging", "rollback", diags), diags)
    path = repo_copy / KYC_FILE
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    with pytest.raises(DiagnosticsError) as refused:
        commit(repo_copy, prepared)
    assert refused.value.diagnostics.errors[0].location.line == 1


STATE = json.dumps({"resource": {"databricks_job": {"jobs_a": {"name": "a", "tags": {"slot": "blue"}}}}})
CUT = STATE.replace('"blue"', '"green"')


@pytest.mark.parametrize("states, texts, problem", [
    ((STATE, CUT, STATE), ("a: 1\n", "a: 1\n"), None),
    ((STATE, CUT, CUT), ("a: 1\n", "a: 1\n"), "the rollback does not restore s"),
    ((STATE, CUT, STATE.replace(" ", "")), ("a: 1\n", "a: 1\n"), "the rollback does not restore s"),
    ((STATE, CUT, STATE), ("a: 1\n", "a: 2\n"), "the rollback does not restore p.yaml byte for byte"),
    ((STATE, STATE.replace("jobs_a", "jobs_b"), STATE), ("a: 1\n", "a: 1\n"),
     "s after the cutover would create resource.databricks_job.jobs_b and destroy resource.databricks_job.jobs_a"),
], ids=["restored", "stack-not-restored", "stack-not-byte-for-byte", "file-not-restored", "recreated"])
def test_the_rehearsal_claims_only_what_it_compared(states, texts, problem):
    from pilotfactory.release.rehearsal import judge

    checks, problems = judge("s", "p.yaml", states, texts)
    if problem is None:
        assert problems == [] and checks == [
            "the cutover and the rollback keep all 1 resource addresses of s: nothing is created or destroyed",
            "the rollback restores the stack JSON of s byte for byte",
            "the rollback restores p.yaml byte for byte"]
    else:
        assert any(problem in p for p in problems), problems
        claims = " ".join(checks)
        assert ("stack JSON of s byte for byte" in claims) is (states[2] == states[0])
        assert ("p.yaml byte for byte" in claims) is (texts[1] == texts[0])
        assert ("keep all" in claims) is (problem.startswith("the rollback"))
