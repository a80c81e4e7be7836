"""rollback --emergency, the host and profile rules and the failure words, against the local workspace
(the real databricks-sdk over HTTPS on 127.0.0.1), with faults injected at each step."""
from __future__ import annotations

import re

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from pilotfactory.cli.app import cli
from pilotfactory.pipeline import check
from tests.live.conftest import deploy

# A loaded runner's slow answer must not read as a workspace that does not answer; the retry budget is
# short only where running out of it is what a test is about.
PATIENT = ["--timeout", "10", "--retry-timeout", "20"]
KYC = "kyc-document-triage"
ENDPOINT = f"{KYC}-staging"
MODEL = "staging.kyc_document_triage.kyc_doc_classifier"
BLUE, GREEN = f"{KYC}-classify-blue", f"{KYC}-classify-green"


def run(root: Path, *args: str, input: str | None = None, limits: list[str] = PATIENT):
    return CliRunner().invoke(cli, [*args, *limits, "--root", str(root)], input=input)


def emergency(root: Path, *extra: str, input: str | None = None):
    return run(root, "rollback", KYC, "--env", "staging", "--emergency", *extra, input=input)


def stacks_of(root: Path) -> dict[str, dict]:
    """The staging stacks of the catalog at `root`: what its deploy leaves live."""
    from pilotfactory.synth.build import synth_pilot_stacks

    checked = check(root)
    assert checked.ok, [d.render() for d in checked.diagnostics.errors]
    return {k: json.loads(v) for k, v in synth_pilot_stacks(checked.resolution.catalog.env_pilots("staging")).items()}


def on_call(root: Path) -> str:
    return next(t.pilot.owners.on_call for t in check(root).resolution.pilots if t.pilot.name == KYC)


def on_call_group(root: Path) -> str:
    """The rota's group, which the stacks grant on-call's rights to (a member of it calls)."""
    return next(t.pilot.owners.on_call_group for t in check(root).resolution.pilots if t.pilot.name == KYC)


def routes(ws) -> dict[str, int]:
    return {r["served_entity_name"]: r["traffic_percentage"] for r in ws.endpoints[ENDPOINT]["traffic_config"]["routes"]}


def pauses(ws) -> dict[str, str]:
    # the slot jobs a rollback moves; housekeeping jobs (`<pilot>/<key>`) carry no slot and never move
    return {s["name"]: s["schedule"]["pause_status"] for s in ws.jobs.values()
            if "schedule" in s and s["name"].startswith(f"{KYC}-")}


def records(root: Path) -> list[dict]:
    return [json.loads(p.read_text()) for p in sorted((root / "evidence" / KYC / "emergency").glob("*.json"))]


def pilot_text(root: Path) -> str:
    return (root / "catalog" / "pilots" / f"{KYC}.yaml").read_text()


@pytest.fixture
def live(workspace):
    """The example staging deployed as is, the caller being the pilot's on-call."""
    root = workspace.root
    deploy(workspace, stacks_of(root))
    workspace.user = on_call(root)
    workspace.user_groups = [on_call_group(root)]
    workspace.admin = False            # on-call is no workspace admin: it has what the stacks grant
    return workspace


# ---- the traffic moves, printed before they are made ----------------------------------------------

def test_swap_prints_every_move_then_makes_it_and_edits_the_catalog(live):
    root = live.root
    live.model_owner = live.user        # may set aliases: they move now too
    result = emergency(root, input="y\n")
    assert result.exit_code == 0, result.output
    out = result.output
    plan, acted = out.split("Make these changes now?")
    # Before acting: exactly what traffic moves where, then aliases, then schedules, in that order.
    lines = [line.strip() for line in plan.splitlines() if line.strip().startswith("will:")]
    assert lines == [
        f"will: serving endpoint `{ENDPOINT}`: traffic blue 0% -> 100%, green 100% -> 0%",
        f"will: model `{MODEL}`: alias challenger version 7 -> 8",
        f"will: model `{MODEL}`: alias champion version 8 -> 7",
        f"will: job `{BLUE}` ({next(i for i, j in live.jobs.items() if j['name'] == BLUE)}): schedule PAUSED -> UNPAUSED",
        f"will: job `{GREEN}` ({next(i for i, j in live.jobs.items() if j['name'] == GREEN)}): schedule UNPAUSED -> PAUSED",
    ]
    assert f"As {live.user}" in plan and "done:" not in plan
    assert routes(live) == {"blue": 100, "green": 0}
    assert live.aliases[MODEL] == {"champion": 7, "challenger": 8}
    assert pauses(live) == {BLUE: "UNPAUSED", GREEN: "PAUSED"}
    updates = live.calls("POST", "/api/2.2/jobs/update")
    # The slot coming in runs before the one going out stops: never both paused.
    assert [u[2]["new_settings"]["schedule"]["pause_status"] for u in updates] == ["UNPAUSED", "PAUSED"]
    assert "active: {dev: green, staging: blue, prod: blue}" in pilot_text(root)
    (record,) = records(root)
    assert record["result"] == "complete" and record["by"] == live.user
    assert record["catalog_change"]["written"] is True and len(record["steps"]) == 5
    assert run(root, "verify", "--env", "staging").exit_code == 0


def test_with_a_canary_only_the_canary_share_comes_back(workspace):
    root = workspace.root
    path = root / "catalog" / "pilots" / f"{KYC}.yaml"
    path.write_text(path.read_text().replace("canary: {prod: {slot: green, percent: 10}}",
                                             "canary: {prod: {slot: green, percent: 10}, staging: {slot: blue, percent: 20}}"))
    deploy(workspace, stacks_of(root))
    workspace.user = on_call(root)
    workspace.user_groups = [on_call_group(root)]
    workspace.admin = False
    assert routes(workspace) == {"blue": 20, "green": 80} and pauses(workspace) == {BLUE: "UNPAUSED", GREEN: "UNPAUSED"}
    result = emergency(root, "--yes")
    assert result.exit_code == 0, result.output
    assert f"will: serving endpoint `{ENDPOINT}`: traffic blue 20% -> 0%, green 80% -> 100%" in result.output
    assert routes(workspace) == {"blue": 0, "green": 100}
    assert pauses(workspace) == {BLUE: "PAUSED", GREEN: "UNPAUSED"}
    assert workspace.aliases[MODEL] == {"champion": 8, "challenger": 7}   # the active slot stays champion
    assert not workspace.calls("PUT", "/api/2.1/unity-catalog/models/")
    text = pilot_text(root)
    assert "active: {dev: green, staging: green, prod: blue}" in text
    assert "canary: {prod: {slot: green, percent: 10}}" in text


def test_answering_no_changes_nothing(live):
    root = live.root
    before = pilot_text(root)
    result = emergency(root, input="n\n")
    assert result.exit_code == 1
    assert not live.calls("POST", "/api/2.2/jobs/update") and not live.calls("PUT", "/api/2.0/serving-endpoints/")
    assert pilot_text(root) == before and records(root)[0]["result"] == "cancelled before any change"


# ---- rights, checked before the first change -----------------------------------------------------

def test_missing_rights_are_named_and_nothing_moves(live):
    root = live.root
    live.user = "someone-else@bank.example"
    live.user_groups = []
    before = pilot_text(root)
    result = emergency(root, "--yes")
    assert result.exit_code == 1
    err = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert len(err) == 1 and "someone-else@bank.example lacks" in err[0]
    assert f"CAN_MANAGE on serving endpoint `{ENDPOINT}` (to move its traffic)" in err[0]
    assert f"CAN_MANAGE on job `{BLUE}`" in err[0] and f"CAN_MANAGE on job `{GREEN}`" in err[0]
    assert not live.calls("POST", "/api/2.2/jobs/update") and not live.calls("PUT", "/api/2.0/serving-endpoints/")
    assert pilot_text(root) == before
    assert records(root)[0]["result"] == "refused: missing rights"


def test_on_call_with_what_the_stacks_grant_may_do_each_step_but_aliases_wait_for_the_deploy(live):
    result = emergency(live.root, "--yes")
    assert result.exit_code == 0, result.output
    assert f"deferred to the deploy: model `{MODEL}`: alias champion version 8 -> 7" in result.output
    assert "ownership of the model (owner: sp-owner)" in result.output
    assert live.aliases[MODEL] == {"champion": 8, "challenger": 7}
    assert routes(live) == {"blue": 100, "green": 0}


def test_a_member_of_a_group_holding_the_rights_may_act(live):
    live.user = "deputy@bank.example"
    for acl in [*live.permissions.values(), *live.endpoint_permissions.values()]:
        acl.append({"group_name": "kyc-incident", "all_permissions": [{"permission_level": "CAN_MANAGE", "inherited": False}]})
    live.user_groups = ["kyc-incident"]
    assert emergency(live.root, "--yes").exit_code == 0


def test_the_stacks_grant_on_call_exactly_the_emergency_levels(staging_stacks, example_checked):
    from pilotfactory.catalog.emergency_access import EMERGENCY_LEVEL

    kyc = next(t.pilot for t in example_checked.resolution.pilots if t.pilot.name == KYC)
    single = next(t.pilot for t in example_checked.resolution.pilots if t.pilot.release.strategy == "single")
    configured = example_checked.catalog.environments.environments["staging"].access.on_call

    def on_call_levels(pilot) -> dict[str, str]:
        stack = staging_stacks[f"{pilot.name}-staging"]
        out = {}
        for perms in stack["resource"].get("databricks_permissions", {}).values():
            kind = "job" if "job_id" in perms else "serving_endpoint" if "serving_endpoint_id" in perms else None
            for entry in perms["access_control"]:
                if kind and entry.get("group_name") == pilot.owners.on_call_group:
                    out[kind] = entry["permission_level"]
        return out

    assert on_call_levels(kyc) == EMERGENCY_LEVEL
    assert set(on_call_levels(single).values()) <= {configured}   # no emergency path, no extra right


# ---- idempotent and resumable ---------------------------------------------------------------------

def test_a_failure_halfway_leaves_a_job_running_and_a_rerun_skips_what_is_done(live):
    root = live.root
    before = pilot_text(root)
    live.fail["/api/2.2/jobs/update"] = [403]
    first = emergency(root, "--yes")
    assert first.exit_code == 1 and "Traceback" not in first.output
    assert routes(live) == {"blue": 100, "green": 0}                 # the traffic moved
    assert pauses(live) == {BLUE: "PAUSED", GREEN: "UNPAUSED"}       # green still runs: never both paused
    assert "not run: job" in first.output and pilot_text(root) == before
    assert records(root)[0]["result"] == "incomplete"
    puts = len(live.calls("PUT", "/api/2.0/serving-endpoints/"))
    second = emergency(root, "--yes")
    assert second.exit_code == 0, second.output
    assert f"already done: serving endpoint `{ENDPOINT}`: traffic already blue 100%, green 0%" in second.output
    assert len(live.calls("PUT", "/api/2.0/serving-endpoints/")) == puts   # not sent again
    assert pauses(live) == {BLUE: "UNPAUSED", GREEN: "PAUSED"}
    assert [r["result"] for r in records(root)] in (["incomplete", "complete"], ["complete", "incomplete"])
    assert "active: {dev: green, staging: blue, prod: blue}" in pilot_text(root)


@pytest.mark.parametrize("fault", ["lost", "502 after acting"])
def test_a_lost_response_is_read_back_not_recorded_as_a_failure(live, fault):
    if fault == "lost":
        live.lose["/api/2.2/jobs/update"] = 100
    else:
        live.fail_after[f"/api/2.0/serving-endpoints/{ENDPOINT}/config"] = [502] * 100
    result = emergency(live.root, "--yes")
    assert result.exit_code == 0, result.output
    assert "the response was lost" in result.output and "re-read: applied" in result.output
    assert routes(live) == {"blue": 100, "green": 0} and pauses(live) == {BLUE: "UNPAUSED", GREEN: "PAUSED"}
    assert records(live.root)[0]["result"] == "complete"


def test_the_audit_record_is_written_before_the_first_call_even_when_none_succeeds(live):
    live.stop()
    result = emergency(live.root, "--yes")
    assert result.exit_code == 1
    (record,) = records(live.root)
    assert record["result"] == "failed before any change" and "cannot connect" in record["error"]
    assert record["to"] == "active `blue` 100%, idle `green`"


def test_two_runs_in_one_second_get_records_of_their_own(tmp_path, monkeypatch):
    from pilotfactory.live import audit

    # one second for both, whatever the machine's load (two real calls may straddle a second)
    monkeypatch.setattr(audit, "_now", lambda: "2026-11-25T10:00:00Z")
    first = audit.start(tmp_path, "p", "staging", {})
    second = audit.start(tmp_path, "p", "staging", {})
    assert first.path != second.path and first.path.name[:17] == second.path.name[:17]
    second.update(result="complete")
    assert json.loads((tmp_path / first.path).read_text())["result"] == "started"


# ---- the workspace the environment names, and only it -----------------------------------------------

def test_a_databricks_host_elsewhere_is_refused_naming_both(live, monkeypatch):
    monkeypatch.setenv("DATABRICKS_HOST", "https://elsewhere.cloud.databricks.com")
    result = run(live.root, "preflight", "--env", "staging")
    assert result.exit_code == 1
    assert "DATABRICKS_HOST points at https://elsewhere.cloud.databricks.com" in result.output
    assert f"environment `staging` is the workspace https://127.0.0.1:" in result.output
    assert not live.requests
    result = run(live.root, "preflight", "--env", "staging", "--host", "https://elsewhere.cloud.databricks.com")
    assert result.exit_code == 1 and "--host points at" in result.output


def test_a_profile_for_another_host_never_gets_its_token_sent(live, monkeypatch, tmp_path, token):
    monkeypatch.delenv("DATABRICKS_HOST")
    monkeypatch.delenv("DATABRICKS_TOKEN")
    cfg = tmp_path / "databrickscfg"
    cfg.write_text(f"[prod-ops]\nhost = https://prod.cloud.databricks.com\ntoken = {token}\n")
    monkeypatch.setenv("DATABRICKS_CONFIG_FILE", str(cfg))
    result = emergency(live.root, "--yes", "--profile", "prod-ops")
    assert result.exit_code == 1
    assert "profile `prod-ops` points at https://prod.cloud.databricks.com" in result.output
    assert not live.requests                       # the token went nowhere
    host = (live.root / "config" / "environments.yaml").read_text().split("host: https://127.0.0.1:")[1].split()[0]
    cfg.write_text(f"[staging-ops]\nhost = https://127.0.0.1:{host}\ntoken = {token}\n")
    result = run(live.root, "verify", "--env", "staging", "--profile", "staging-ops")
    assert result.exit_code == 0, result.output


# ---- failures read as what they are ----------------------------------------------------------------

@pytest.mark.parametrize("status, words", [
    (429, "still rate-limited (429) on clusters spark-versions after retrying for 2 s"),
    (502, "clusters spark-versions failed: bad gateway (502) on each of"),
    (503, "gave up after retrying for 2 s: the workspace answers 503 temporarily unavailable"),
])
def test_persistent_server_answers_are_named(live, status, words):
    live.fail["/api/2.1/clusters/spark-versions"] = [status] * 100
    result = run(live.root, "preflight", "--env", "staging", limits=["--timeout", "10", "--retry-timeout", "2"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert words in result.output, result.output


def test_a_tls_failure_reads_as_tls(live, monkeypatch):
    monkeypatch.delenv("REQUESTS_CA_BUNDLE")     # the local certificate is no longer trusted
    result = run(live.root, "preflight", "--env", "staging")
    assert result.exit_code == 1
    assert "TLS failed: certificate verify failed" in result.output, result.output


def test_a_refused_connection_reads_as_cannot_connect(live):
    live.stop()
    result = run(live.root, "preflight", "--env", "staging")
    assert result.exit_code == 1
    assert "cannot connect (connection refused)" in result.output, result.output


# ---- the emergency change record (issue 17) ---------------------------------------------------------

def _with_change_control(root: Path, pattern: str | None = None) -> None:
    """Staging opens for changes on Mondays 10:00-11:00 UTC only."""
    path = root / "config" / "environments.yaml"
    extra = ("    change_control:\n      timezone: UTC\n"
             "      windows:\n        - {days: [mon], start: \"10:00\", end: \"11:00\"}\n"
             + (f"      ticket_pattern: \"{pattern}\"\n" if pattern else ""))
    text = path.read_text()
    path.write_text(text.replace("  staging:\n    min_phase: staging\n", "  staging:\n    min_phase: staging\n" + extra, 1))


def test_an_emergency_rollback_outside_the_windows_is_allowed_and_recorded_as_an_emergency_change(live, monkeypatch):
    import datetime as dt

    import pilotfactory.gates.clock

    _with_change_control(live.root)
    monkeypatch.setattr(pilotfactory.gates.clock, "now",
                        lambda: dt.datetime(2026, 11, 24, 12, 0, tzinfo=dt.timezone.utc))  # a Tuesday
    result = emergency(live.root, "--yes")
    assert result.exit_code == 0, result.output
    assert "Emergency change (reference to follow): outside the change windows" in result.output
    (record,) = records(live.root)
    assert record["change"]["emergency"] is True and record["change"]["outside_window"] is True
    assert record["change"]["ref"] is None
    assert "staging: {action: emergency_rollback, date: 2026-11-25, outside_window: true}}" in pilot_text(live.root)
    # the missing reference is a warning to raise the retrospective change, never an error
    checked = check(live.root)
    assert checked.ok and [d.code for d in checked.diagnostics.warnings if d.code == "PF263"] == ["PF263"]


def test_an_emergency_rollback_inside_a_window_is_recorded_as_such(live, monkeypatch):
    import datetime as dt

    import pilotfactory.gates.clock

    _with_change_control(live.root, "^INC[0-9]{4}$")
    monkeypatch.setattr(pilotfactory.gates.clock, "now",
                        lambda: dt.datetime(2026, 11, 23, 10, 30, tzinfo=dt.timezone.utc))  # a Monday
    result = emergency(live.root, "--yes", "--change", "INC0042")
    assert result.exit_code == 0, result.output
    (record,) = records(live.root)
    assert record["change"]["outside_window"] is False and record["change"]["ref"] == "INC0042"
    assert "staging: {ref: INC0042, action: emergency_rollback, date: 2026-11-25}}" in pilot_text(live.root)


def test_an_emergency_reference_in_the_wrong_format_is_refused_before_the_workspace_is_touched(live):
    _with_change_control(live.root, "^INC[0-9]{4}$")
    before = pilot_text(live.root)
    result = emergency(live.root, "--yes", "--change", "CHG1")
    assert result.exit_code == 1 and "does not match" in result.output and "without --change" in result.output
    # located like every other refused reference: at the pattern the environment asks for
    assert re.search(r"config/environments\.yaml:\d+:\d+: error\[PF262\]", result.output), result.output
    assert records(live.root) == [] and pilot_text(live.root) == before
    assert routes(live) == {"blue": 0, "green": 100}
