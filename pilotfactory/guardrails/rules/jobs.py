"""PFG010-PFG014: a job runs as a service principal that owns it, on a policy, bounded and tagged."""
from __future__ import annotations

from pilotfactory.guardrails.registry import Finding, rule
from pilotfactory.guardrails.terraform import blocks

JOB = "databricks_job"


def run_as_principal(resource) -> str | None:
    for block in blocks(resource.values.get("run_as")):
        name = block.get("service_principal_name")
        if isinstance(name, str) and name.strip():
            return name
    return None


@rule("PFG010", "job-run-as-service-principal", "A job that runs as a person stops when they leave and acts with their rights.",
      JOB)
def run_as_service_principal(resource, ctx):
    if run_as_principal(resource) is None:
        yield Finding("must set `run_as.service_principal_name` (not a user)", ("run_as",))


@rule("PFG011", "job-owned-by-run-as", "Exactly one owner, the run-as service principal: no person can silently take a job over.",
      JOB, "databricks_permissions")
def owned_by_run_as(resource, ctx):
    if resource.type == "databricks_permissions":
        owners = [e for e in blocks(resource.values.get("access_control")) if e.get("permission_level") == "IS_OWNER"]
        on_job = resource.values.get("job_id") is not None or resource.references("job_id")
        if on_job and len(owners) > 1:
            yield Finding(f"grants IS_OWNER {len(owners)} times; a job has exactly one owner", ("access_control",))
        return
    permissions = [p for p in ctx.document.resources if p.type == "databricks_permissions"
                   and resource.address in p.references("job_id")]
    owners = [e for p in permissions for e in blocks(p.values.get("access_control"))
              if e.get("permission_level") == "IS_OWNER"]
    principal = run_as_principal(resource)
    if len(owners) != 1:
        yield Finding(f"needs exactly one IS_OWNER in its databricks_permissions, found {len(owners)}", ())
    elif principal is not None and owners[0].get("service_principal_name") != principal:
        who = next((f"{k} {v}" for k, v in owners[0].items() if k.endswith("_name")), "nobody")
        yield Finding(f"is owned by {who}, not by its run-as service principal {principal}", ())


@rule("PFG012", "job-cluster-policy", "A job cluster outside a policy escapes every compute standard.", JOB)
def cluster_policy(resource, ctx):
    for i, cluster in enumerate(blocks(resource.values.get("job_cluster"))):
        for new in blocks(cluster.get("new_cluster")):
            if not str(new.get("policy_id") or "").strip():
                yield Finding(f"job cluster `{cluster.get('job_cluster_key', i)}` has no `policy_id`", ("job_cluster",))
    for task in blocks(resource.values.get("task")):
        key = task.get("task_key", "?")
        for new in blocks(task.get("new_cluster")):
            if not str(new.get("policy_id") or "").strip():
                yield Finding(f"task `{key}` has a cluster without `policy_id`", ("task",))
        if task.get("existing_cluster_id"):
            yield Finding(f"task `{key}` runs on an existing all-purpose cluster instead of a policy-bound "
                          "job cluster", ("task",))


@rule("PFG013", "job-max-concurrent-runs", "Overlapping runs double cost and can post the same outcome twice downstream.",
      JOB)
def max_concurrent_runs(resource, ctx):
    value = resource.values.get("max_concurrent_runs")
    limit = ctx.platform.max_concurrent_runs
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= limit:
        yield Finding(f"must set `max_concurrent_runs` between 1 and {limit}; got {value if value is not None else 'none'}",
                      ("max_concurrent_runs",))


@rule("PFG014", "job-required-tags", "FinOps charge-back and the audit reports read these tags from every job.", JOB)
def job_tags(resource, ctx):
    tags = resource.values.get("tags")
    tags = tags if isinstance(tags, dict) else {}
    missing = [t for t in ctx.platform.required_tags if not str(tags.get(t, "") or "").strip()]
    if missing:
        yield Finding(f"is missing required tag(s) {', '.join(missing)}", ("tags",))
