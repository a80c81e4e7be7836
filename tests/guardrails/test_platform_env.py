"""Which environment's rules a stack is checked under: read with tfjson.stacknames."""
from __future__ import annotations

from pilotfactory.guardrails.platform import EnvFacts, Platform


def _platform(**protected: bool) -> Platform:
    envs = {name.replace("_", "-"): EnvFacts(name.replace("_", "-"), flag, None, "sp", 90)
            for name, flag in protected.items()}
    return Platform(frozenset(), frozenset(), {}, 60, "SINGLE_USER", (), 1, "admins", envs)


def test_a_stack_is_checked_under_the_environment_it_ends_in():
    platform = _platform(dev=False, prod=True)
    assert platform.env_of_stack("kyc-doc-triage-prod").name == "prod"
    assert platform.env_of_stack("platform-dev").name == "dev"
    assert platform.env_of_stack("prod").name == "prod"
    assert platform.env_of_stack("kyc-preprod") is None and platform.env_of_stack(None) is None


def test_a_stack_two_environments_could_own_is_checked_as_the_protected_one():
    """`x-pre-prod` is `x-pre` in prod or `x` in pre-prod: checked as protected prod."""
    assert _platform(pre_prod=False, prod=True).env_of_stack("x-pre-prod").name == "prod"
    assert _platform(pre_prod=True, prod=False).env_of_stack("x-pre-prod").name == "pre-prod"
    assert _platform(pre_prod=False, prod=False).env_of_stack("x-pre-prod").name == "pre-prod"


def test_an_account_stack_workspace_is_checked_under_the_environment_it_is_made_for():
    """stacks/account_stack.py makes each new workspace at `account/<env>`; the stack's other
    elements (groups, members, log delivery) belong to no environment and stay unknown."""
    platform = _platform(dev=False, prod=True)
    assert platform.env_of_account_element("account/dev").name == "dev"
    assert platform.env_of_account_element("account/prod").name == "prod"
    assert platform.env_of_account_element("account/dev-metastore") is None
    assert platform.env_of_account_element("account/groups/security-review/Resource") is None
    assert platform.env_of_account_element("kyc-dev/dev") is None and platform.env_of_account_element(None) is None
