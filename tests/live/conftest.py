"""A local workspace for the live commands: the real databricks-sdk against 127.0.0.1."""
from __future__ import annotations

import json
import secrets
import subprocess

import pytest

from pilotfactory.pipeline import check
from tests.conftest import ESTATE
from pilotfactory.live.deployer import rule_set_name
from tests.live.workspace_server import FakeWorkspace


def registered_versions(cat) -> dict[str, set[int]]:
    """Every model version any slot of the example names, as its training job would have registered it."""
    from stacks.names import model_full_name

    out: dict[str, set[int]] = {}
    for rp in cat.pilots:
        if rp.pilot.model is not None:
            out.setdefault(model_full_name(rp), set()).update(
                s.slot.model_version for s in rp.slots if s.slot.model_version is not None)
    return out


@pytest.fixture(scope="session")
def example_checked():
    return check(ESTATE)


@pytest.fixture(scope="session")
def staging_stacks(example_checked) -> dict[str, dict]:
    """The example's `<pilot>-staging` stacks, synthesized once: what a deploy leaves live."""
    from pilotfactory.synth.build import synth_pilot_stacks

    pilots = example_checked.resolution.catalog.env_pilots("staging")
    return {k: json.loads(v) for k, v in synth_pilot_stacks(pilots).items()}


@pytest.fixture
def token() -> str:
    # Built at run time: a literal token in the repository would (rightly) trip the secret scanner.
    return "dapi" + secrets.token_hex(16)


ROOT: list = []   # the repository the live tests' commands run on, set per test below


@pytest.fixture(autouse=True)
def _root_of_the_workspace(request):
    """Commands run on the repository copy whose staging environment names the local workspace."""
    ROOT[:] = [request.getfixturevalue("workspace").root] if "workspace" in request.fixturenames else [ESTATE]
    yield
    ROOT.clear()


@pytest.fixture(scope="session")
def tls_files(tmp_path_factory) -> tuple[str, str]:
    """A self-signed certificate for 127.0.0.1, made for this run (no key is kept in the repository)."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    return str(cert), str(key)


@pytest.fixture
def workspace(token, monkeypatch, example_checked, tls_files, repo_copy):
    """A workspace over HTTPS holding everything the example standards and roles name, credentials in
    the env; `workspace.root` is a copy of the repository whose staging environment names it."""
    cat = example_checked.resolution.catalog
    ws = FakeWorkspace(token=token, spark_versions=list(cat.standards.spark_versions) + ["16.4.x-scala2.12"],
                       node_types=list(cat.standards.node_types),
                       groups=sorted({cat.roles.platform_admins, *cat.roles.roles.values(), *cat.roles.groups,
                                      *(p.pilot.owners.builders for p in cat.pilots),
                                      *(p.pilot.owners.approvers for p in cat.pilots)}),
                       service_principals=[e.run_as.application_id for e in cat.environments.environments.values()],
                       members={g: list(spec.members) for g, spec in cat.roles.groups.items()},
                       tls=tls_files)
    for env in cat.environments.environments.values():
        if env.sql_warehouse_id:
            ws.warehouses[env.sql_warehouse_id] = "pilot-alerts"
        # What a first deploy needs: the catalog (owned by the deployer) and its use of the run-as principal.
        ws.catalogs[env.catalog] = ws.user
        if env.restricted_catalog:
            ws.catalogs[env.restricted_catalog] = ws.user
        ws.rule_sets[rule_set_name(cat.environments.account.id, env.run_as.application_id)] = [
            {"role": "roles/servicePrincipal.user", "principals": [f"users/{ws.user}"]}]
    ws.model_versions.update(registered_versions(cat))
    # What the housekeeping jobs read: system schemas enabled, and an account admin's grants to each
    # run-as principal (SELECT on the schema, inherited by its tables).
    ws.system_schemas.update({"lakeflow": "ENABLE_COMPLETED", "access": "MANAGED", "serving": "ENABLE_COMPLETED"})
    runners = [env.run_as.application_id for env in cat.environments.environments.values()]
    ws.uc_privileges["system"] = {sp: ["USE_CATALOG"] for sp in runners}
    for schema in ("lakeflow", "access", "serving"):
        ws.uc_privileges[f"system.{schema}"] = {sp: ["USE_SCHEMA", "SELECT"] for sp in runners}
    host = ws.start()
    config = repo_copy / "config" / "environments.yaml"
    staging = cat.environments.environments["staging"].workspace.url
    config.write_text(config.read_text().replace(f"host: {staging}", f"host: {host}"))
    ws.root = repo_copy
    for name in [n for n in list(__import__("os").environ) if n.startswith("DATABRICKS_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("DATABRICKS_HOST", host)
    monkeypatch.setenv("DATABRICKS_TOKEN", token)
    monkeypatch.setenv("DATABRICKS_CONFIG_FILE", "/nonexistent/databrickscfg")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", tls_files[0])
    yield ws
    ws.stop()


_API_NAMES = {"task": "tasks", "job_cluster": "job_clusters", "library": "libraries"}
_GIT_NAMES = {"url": "git_url", "provider": "git_provider", "tag": "git_tag"}


def _api_shape(value):
    """Terraform's singular block names -> the Jobs API's plural ones, as the provider sends them."""
    if isinstance(value, dict):
        out = {_API_NAMES.get(k, k): _api_shape(v) for k, v in value.items() if k != "//"}
        if "git_source" in out:
            out["git_source"] = {_GIT_NAMES.get(k, k): v for k, v in out["git_source"].items()}
        return out
    if isinstance(value, list):
        return [_api_shape(v) for v in value]
    return value


def _applied(value, live: dict[str, str]):
    """What Terraform writes for a reference: `live` maps each `${...}` the deploy knows to its value."""
    if isinstance(value, dict):
        return {k: _applied(v, live) for k, v in value.items()}
    if isinstance(value, list):
        return [_applied(v, live) for v in value]
    return live.get(value, value) if isinstance(value, str) else value


def deploy(ws: FakeWorkspace, stacks: dict[str, dict]) -> dict[str, int]:
    """Put every policy, job, endpoint and model of `stacks` into `ws` as a deploy would; job name -> id."""
    from pilotfactory.live.expected import expected_of

    expected = expected_of(stacks)
    live: dict[str, dict[str, str]] = {}   # stack -> reference -> value: references are per stack
    for stack_name, stack in stacks.items():
        resources, refs = stack.get("resource", {}), live.setdefault(stack_name, {})
        for rname, policy in resources.get("databricks_cluster_policy", {}).items():
            policy_id = f"{0xC0FFEE00 + len(ws.policies):X}"
            ws.policies[policy_id] = {"name": policy["name"], "definition": policy.get("definition", "{}")}
            refs[f"${{databricks_cluster_policy.{rname}.id}}"] = policy_id
        for rname, file in resources.get("databricks_workspace_file", {}).items():
            # docs/resources/workspace_file.md:54 (provider v1.99.0): /Workspace + path
            refs[f"${{databricks_workspace_file.{rname}.workspace_path}}"] = "/Workspace" + file["path"]
        for monitor in resources.get("databricks_quality_monitor", {}).values():
            ws.monitors[monitor["table_name"]] = {"assets_dir": monitor.get("assets_dir"), "status": "MONITOR_STATUS_ACTIVE"}
        for allowlist in resources.get("databricks_artifact_allowlist", {}).values():
            ws.artifact_allowlists[allowlist["artifact_type"]] = [m["artifact"] for m in allowlist["artifact_matcher"]]
    ids = {}
    for job in expected.jobs:
        settings = _api_shape(_applied(dict(job.settings), live[job.stack]))
        job_id = ws.add_job(**{"name": settings.pop("name"), **settings})
        ids[job.name] = job_id
        acl = []
        for entry in (job.permissions or {}).get("access_control", []):
            principal = {k: v for k, v in entry.items() if k != "permission_level"}
            acl.append({**principal, "all_permissions": [{"permission_level": entry["permission_level"],
                                                          "inherited": False}]})
        acl.append({"group_name": "admins", "all_permissions": [
            {"permission_level": "CAN_MANAGE", "inherited": True, "inherited_from_object": ["/jobs/"]}]})
        ws.permissions[job_id] = acl
    for stack in stacks.values():
        for perms in stack.get("resource", {}).get("databricks_permissions", {}).values():
            target = perms.get("serving_endpoint_id") or ""
            if target.startswith("${databricks_model_serving."):
                resource = target.split(".")[1]
                name = stack["resource"]["databricks_model_serving"][resource]["name"]
                ws.endpoint_permissions[name] = [
                    {**{k: v for k, v in e.items() if k != "permission_level"},
                     "all_permissions": [{"permission_level": e["permission_level"], "inherited": False}]}
                    for e in perms.get("access_control", [])]
    for stack in stacks.values():
        for endpoint in stack.get("resource", {}).get("databricks_model_serving", {}).values():
            if "ai_gateway" in endpoint:
                ws.gateways[endpoint["name"]] = json.loads(json.dumps(endpoint["ai_gateway"]))
    for endpoint in expected.serving:
        ws.endpoints[endpoint.name] = {
            "served_entities": [dict(e) for e in endpoint.entities],
            "traffic_config": {"routes": [{"served_entity_name": k, "traffic_percentage": v}
                                          for k, v in endpoint.routes.items()]}}
    for model in expected.models:
        ws.aliases[model.full_name] = dict(model.aliases)
    return ids
