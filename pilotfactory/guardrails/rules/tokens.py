"""PFG030-PFG033: no secret values in Terraform, and every token expires."""
from __future__ import annotations

from pilotfactory.guardrails.registry import Finding, rule

DAY = 86400


def _bound_days(ctx) -> int:
    return ctx.env.max_token_lifetime_days if ctx.env else ctx.platform.max_token_lifetime_days


@rule("PFG030", "no-literal-secret", "A literal secret lands in state, plans, CI logs and git history.", "databricks_secret")
def no_literal_secret(resource, ctx):
    if resource.values.get("string_value") is not None and resource.is_literal("string_value"):
        # never echo the value: the finding is printed and uploaded
        yield Finding("sets `string_value` to a literal; pass it in from a variable or a secret store",
                      ("string_value",))


@rule("PFG031", "token-lifetime", "A token without an expiry is a standing credential nobody rotates.",
      "databricks_token", "databricks_obo_token")
def token_lifetime(resource, ctx):
    value = resource.values.get("lifetime_seconds")
    bound = _bound_days(ctx)
    if not isinstance(value, int) or isinstance(value, bool) or not 0 < value <= bound * DAY:
        yield Finding(f"must set `lifetime_seconds` between 1 and {bound * DAY} ({bound} days); "
                      f"got {value if value is not None else 'none'}", ("lifetime_seconds",))


@rule("PFG032", "workspace-token-lifetime", "The workspace cap bounds every token users create by hand.",
      "databricks_workspace_conf")
def workspace_token_lifetime(resource, ctx):
    config = resource.values.get("custom_config")
    value = config.get("maxTokenLifetimeDays") if isinstance(config, dict) else None
    bound = _bound_days(ctx)
    try:
        days = int(str(value))
    except ValueError:
        days = None
    if days is None or not 0 < days <= bound:
        yield Finding(f"must set `custom_config.maxTokenLifetimeDays` between 1 and {bound}; got "
                      f"{value if value is not None else 'none'}", ("custom_config",))


@rule("PFG033", "one-workspace-conf", "Two workspace_conf resources overwrite each other's keys on every apply.",
      "databricks_workspace_conf")
def one_workspace_conf(resource, ctx):
    same = [r for r in ctx.document.resources if r.type == resource.type
            and r.values.get("provider") == resource.values.get("provider")]
    if len(same) > 1 and same[0] is not resource:
        yield Finding(f"is a second databricks_workspace_conf for the same workspace (first: {same[0].address})", ())
