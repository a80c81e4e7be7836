"""PFG001-PFG008: a cluster policy pins the platform standards (config/standards.yaml)."""
from __future__ import annotations

import json

from pilotfactory.guardrails.registry import Finding, rule
from pilotfactory.tfjson.policy import POLICY, fixed_value, parse_definition, policy_rules


def _rules(resource) -> dict | None:
    """The policy definition as a dict, or None when it is not a JSON object (PFG007 says so)."""
    return policy_rules(resource.values.get("definition"))


@rule("PFG001", "policy-lts-spark", "Only LTS runtimes keep receiving security patches for the life of a pilot.",
      POLICY)
def lts_spark(resource, ctx):
    rules = _rules(resource)
    if rules is None:
        return
    value = fixed_value(rules, "spark_version")
    if value not in ctx.platform.spark_versions:
        yield Finding(f"must fix `spark_version` to an LTS runtime ({', '.join(sorted(ctx.platform.spark_versions))}); "
                      f"got {json.dumps(rules.get('spark_version'))}", ("definition",))


@rule("PFG002", "policy-security-mode", "One identity per cluster keeps Unity Catalog lineage and audit logs attributable.",
      POLICY)
def security_mode(resource, ctx):
    rules = _rules(resource)
    if rules is not None and fixed_value(rules, "data_security_mode") != ctx.platform.data_security_mode:
        yield Finding(f"must fix `data_security_mode` to {ctx.platform.data_security_mode}; "
                      f"got {json.dumps(rules.get('data_security_mode'))}", ("definition",))


@rule("PFG003", "policy-autotermination", "Idle clusters are the largest avoidable cost in a pilot estate.", POLICY)
def autotermination(resource, ctx):
    rules = _rules(resource)
    if rules is None:
        return
    if fixed_value(rules, "cluster_type") == "job":
        # Job clusters reject autotermination_minutes: a job policy that demands it breaks every run.
        entry = rules.get("autotermination_minutes")
        if entry is not None and not (isinstance(entry, dict) and entry.get("isOptional") is True
                                      and entry.get("type") != "fixed"):
            yield Finding("a job-cluster policy (`cluster_type` fixed to job) must not set "
                          f"`autotermination_minutes`; got {json.dumps(entry)}", ("definition",))
        return
    value = fixed_value(rules, "autotermination_minutes")
    limit = ctx.platform.autotermination_minutes
    if not isinstance(value, int) or isinstance(value, bool) or not 0 < value <= limit:
        yield Finding(f"must fix `autotermination_minutes` between 1 and {limit}; "
                      f"got {json.dumps(rules.get('autotermination_minutes'))}", ("definition",))


@rule("PFG004", "policy-required-tags", "FinOps charge-back and the audit reports read these tags from every cluster.",
      POLICY)
def required_tags(resource, ctx):
    rules = _rules(resource)
    if rules is None:
        return
    missing = []
    for tag in ctx.platform.required_tags:
        entry = rules.get(f"custom_tags.{tag}")
        fixed = isinstance(entry, dict) and entry.get("type") == "fixed" and str(entry.get("value", "")).strip()
        demanded = isinstance(entry, dict) and entry.get("type") in ("unlimited", "regex", "allowlist") \
            and entry.get("isOptional") is False
        if not (fixed or demanded):
            missing.append(tag)
    if missing:
        yield Finding(f"must fix or require tag(s) {', '.join(missing)} (`custom_tags.<tag>` fixed, "
                      "or required with isOptional false)", ("definition",))


@rule("PFG005", "policy-node-allowlist", "Node types outside the standard list have no agreed DBU rate or capacity plan.",
      POLICY)
def node_allowlist(resource, ctx):
    rules = _rules(resource)
    if rules is None:
        return
    entry = rules.get("node_type_id")
    values = _node_types(entry)
    if values is None:
        yield Finding(f"must limit `node_type_id` with an allowlist; got {json.dumps(entry)}", ("definition",))
    elif not values <= ctx.platform.node_types:
        yield Finding(f"allows node type(s) {', '.join(sorted(values - ctx.platform.node_types))} outside the "
                      "standard list", ("definition",))


def _node_types(entry) -> set[str] | None:
    if isinstance(entry, dict) and entry.get("type") == "allowlist" and isinstance(entry.get("values"), list):
        return {str(v) for v in entry["values"]}
    if isinstance(entry, dict) and entry.get("type") == "fixed":
        return {str(entry.get("value"))}
    return None


def _bound(entry, key: str):
    if isinstance(entry, dict):
        if entry.get("type") == "fixed":
            return entry.get("value")
        if entry.get("type") == "range":
            return entry.get(key)
    return None


@rule("PFG006", "policy-workers-in-tier", "A size tier caps what one pilot can spend; a policy must sit inside one.",
      POLICY)
def workers_in_tier(resource, ctx):
    rules = _rules(resource)
    if rules is None:
        return
    if "autoscale.max_workers" in rules or "autoscale.min_workers" in rules:
        low = _bound(rules.get("autoscale.min_workers"), "minValue")
        high = _bound(rules.get("autoscale.max_workers"), "maxValue")
    else:
        low = _bound(rules.get("num_workers"), "minValue")
        high = _bound(rules.get("num_workers"), "maxValue")
    if not isinstance(high, int):
        yield Finding("must bound the workers (`autoscale.max_workers` or `num_workers` with a maxValue)",
                      ("definition",))
        return
    low = low if isinstance(low, int) else 0
    nodes = _node_types(rules.get("node_type_id")) or set()
    fits = [name for name, t in ctx.platform.tiers.items()
            if t.min_workers <= low and high <= t.max_workers and nodes <= t.node_types]
    if not fits:
        yield Finding(f"workers {low}..{high} with node types {', '.join(sorted(nodes)) or 'any'} fit no size tier "
                      f"({', '.join(f'{n}: {t.min_workers}..{t.max_workers}' for n, t in ctx.platform.tiers.items())})",
                      ("definition",))


@rule("PFG007", "policy-one-rule-per-attribute", "With two rules for one attribute, only the last counts and a reviewer reads the wrong one.",
      POLICY)
def one_rule_per_attribute(resource, ctx):
    definition = parse_definition(resource.values.get("definition"))
    if definition.problem:
        yield Finding(definition.problem, ("definition",))
    elif definition.duplicates:
        yield Finding(f"has more than one rule for {', '.join(definition.duplicates)}", ("definition",))


def _library(block) -> tuple[str, str] | None:
    """(kind, value) of one `libraries` block: pypi package, maven coordinates or jar path; None otherwise."""
    if not isinstance(block, dict):
        return None
    pypi, maven = block.get("pypi"), block.get("maven")
    if isinstance(pypi, dict) and pypi.get("package"):
        return ("pypi", str(pypi["package"]))
    if isinstance(maven, dict) and maven.get("coordinates"):
        return ("maven", str(maven["coordinates"]))
    if block.get("jar"):
        return ("jar", str(block["jar"]))
    return None


@rule("PFG008", "policy-library-allowlist", "Clusters load only the libraries the platform vetted: the policy installs "
      "the standards' allow list and nothing else; in a protected (or unknown) environment it must carry it.", POLICY)
def library_allowlist(resource, ctx):
    allowed = ctx.platform.libraries
    if not allowed:
        return  # config/standards.yaml declares no allow list: nothing to hold a policy to
    blocks = resource.values.get("libraries") or []
    blocks = blocks if isinstance(blocks, list) else [blocks]
    found = [_library(b) for b in blocks]
    # an unknown environment is checked as protected: safe by default
    protected = ctx.env is None or ctx.env.protected
    if not blocks and protected:
        where = f"protected environment {ctx.env.name}" if ctx.env else "an unknown environment (checked as protected)"
        yield Finding(f"installs no libraries in {where}: must carry the allow list of config/standards.yaml "
                      "`libraries` as `libraries` blocks", ("libraries",))
        return
    outside = sorted("an unsupported library type (egg, whl, cran or requirements)" if f is None else f"{f[0]} {f[1]}"
                     for f in found if f not in allowed)
    if outside:
        yield Finding(f"installs {', '.join(outside)}, outside the allow list of config/standards.yaml `libraries`",
                      ("libraries",))
