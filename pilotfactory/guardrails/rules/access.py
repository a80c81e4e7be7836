"""PFG020-PFG022: permission levels that exist, no grants to everyone in protected environments,
and secret scopes managed only by the platform admins."""
from __future__ import annotations

from pilotfactory.guardrails.registry import Finding, rule
from pilotfactory.guardrails.terraform import blocks
from pilotfactory.tfjson.objects import MANAGE_LEVELS, OBJECTS, is_everyone

# The databricks_permissions argument naming the object -> the levels Databricks accepts on it.
VALID_LEVELS: dict[str, frozenset[str]] = {a: frozenset(o.levels) for o in OBJECTS for a in o.arguments}

@rule("PFG020", "permission-levels-valid", "A level the object does not have fails at apply, after review and approval.",
      "databricks_permissions")
def levels_valid(resource, ctx):
    # in a plan an id not yet known is absent from the values but present as a reference
    objects = [k for k in VALID_LEVELS if resource.values.get(k) not in (None, "") or resource.references(k)]
    if len(objects) != 1:
        yield Finding(f"must name exactly one object (one of {', '.join(sorted(VALID_LEVELS))}); got "
                      f"{', '.join(objects) or 'none'}", ())
        return
    valid = VALID_LEVELS[objects[0]]
    for entry in blocks(resource.values.get("access_control")):
        level = entry.get("permission_level")
        if level not in valid:
            yield Finding(f"{level} is not a permission level of {objects[0].rsplit('_', 1)[0]} "
                          f"(valid: {', '.join(sorted(valid))})", ("access_control",))


def _grantees(resource) -> list[tuple[str, set[str]]]:
    """(principal, levels or privileges) of every grant the resource makes."""
    if resource.type == "databricks_permissions":
        return [(e.get("group_name") or e.get("user_name") or "", {str(e.get("permission_level"))})
                for e in blocks(resource.values.get("access_control"))]
    if resource.type in ("databricks_grants", "databricks_grant"):
        grants = blocks(resource.values.get("grant")) if resource.type == "databricks_grants" else [resource.values]
        return [(g.get("principal") or "", {str(p) for p in g.get("privileges") or []}) for g in grants]
    return [(resource.values.get("principal") or "", {str(resource.values.get("permission"))})]


@rule("PFG021", "no-grant-to-everyone", "In a protected environment (or one not known) every grant names an accountable group, never all users; nowhere may all users manage.",
      "databricks_permissions", "databricks_grants", "databricks_grant", "databricks_secret_acl")
def no_grant_to_everyone(resource, ctx):
    # an unknown environment is checked as protected: safe by default
    protected = ctx.env is None or ctx.env.protected
    where = f"protected environment {ctx.env.name}" if ctx.env else "an unknown environment (checked as protected)"
    for name, levels in _grantees(resource):
        if not isinstance(name, str) or not is_everyone(name):
            continue
        if protected:
            yield Finding(f"grants to `{name}` in {where}", ())
        elif levels & MANAGE_LEVELS:
            yield Finding(f"grants {', '.join(sorted(levels & MANAGE_LEVELS))} to `{name}`: every user could "
                          "change or hand out access, in any environment", ())


@rule("PFG022", "secret-manage-admins-only", "MANAGE on a secret scope can read and change every secret in it.",
      "databricks_secret_acl")
def secret_manage_admins_only(resource, ctx):
    if resource.values.get("permission") == "MANAGE" and resource.values.get("principal") != ctx.platform.platform_admins:
        yield Finding(f"gives MANAGE to `{resource.values.get('principal')}`; only "
                      f"`{ctx.platform.platform_admins}` may manage secret scopes", ("permission",))
