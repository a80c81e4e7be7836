"""Stack names: one rule for `account`, `platform-<env>` and `<pilot>-<env>`, and reading one back."""
from __future__ import annotations

import ast

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pilotfactory.tfjson.stacknames import (ACCOUNT, PLATFORM, RESERVED_PILOT_NAMES, env_of_pilot_stack,
                                            environments_of, parse_stack, pilot_stack, platform_stack, stack_names)
from tests.conftest import REPO

ENVS = ("dev", "staging", "prod")
# Pilot names as the catalog allows them: lower-case words joined by dashes.
_SLUG = st.lists(st.text("abcz09", min_size=1, max_size=6), min_size=1, max_size=4).map("-".join)


@given(pilot=_SLUG, env=st.sampled_from(ENVS))
def test_a_pilot_stack_name_reads_back_as_its_pilot_and_environment(pilot, env):
    """Dashes in the pilot's name (`kyc-doc-triage`) never confuse the reading."""
    parsed = parse_stack(pilot_stack(pilot, env), ENVS)
    assert (parsed.owner, parsed.env) == (pilot, env)
    assert env_of_pilot_stack(pilot_stack(pilot, env), pilot) == env
    assert parsed.kind == ("platform" if pilot == PLATFORM else "account" if pilot == ACCOUNT else "pilot")


@pytest.mark.parametrize("name, owner, env, kind", [
    ("account", "account", None, "account"),
    ("platform-staging", "platform", "staging", "platform"),
    ("kyb-document-triage-prod", "kyb-document-triage", "prod", "pilot"),
    ("prod", "prod", None, "pilot"),          # the environment alone names no stack
    ("-prod", "-prod", None, "pilot"),
    ("kyc-preprod", "kyc-preprod", None, "pilot"),
])
def test_parse(name, owner, env, kind):
    parsed = parse_stack(name, ENVS)
    assert (parsed.owner, parsed.env, parsed.kind) == (owner, env, kind)


def test_an_environment_ending_another_gives_two_readings_longest_first():
    envs = ("prod", "pre-prod")
    assert parse_stack("x-pre-prod", envs).env == "pre-prod"
    assert environments_of("x-pre-prod", envs) == ["pre-prod", "prod"]
    assert environments_of("x-prod", envs) == ["prod"]
    assert environments_of(ACCOUNT, envs) == []
    assert env_of_pilot_stack("x-pre-prod", "x-pre") == "prod" and env_of_pilot_stack("x-pre-prod", "y") is None
    assert env_of_pilot_stack("x-", "x") is None


def test_every_stack_in_deploy_order():
    assert stack_names(["dev", "prod"], ["a-dev", "a-prod"]) == ["account", "platform-dev", "platform-prod",
                                                                 "a-dev", "a-prod"]
    assert platform_stack("dev") == "platform-dev" and RESERVED_PILOT_NAMES == {"account", "platform"}


def test_the_review_calls_a_stack_protected_when_any_environment_it_could_be_in_is():
    """`x-pre-prod` of pilot `x-pre` in protected prod is never reviewed as unprotected pre-prod."""
    from pilotfactory.review.diff import stack_ref

    ref = stack_ref("x-pre-prod", {"pre-prod": False, "prod": True})
    assert (ref.pilot, ref.env, ref.protected) == ("x", "pre-prod", True)
    assert stack_ref("x-pre-prod", {"pre-prod": False, "prod": False}).protected is False
    assert stack_ref("x-prod", {"pre-prod": False, "prod": True}).protected is True


# --- no second spelling of the rule ---

def _naming_spellings(root) -> list[str]:
    """Code outside tfjson/stacknames.py that builds or reads a stack name itself: f"{x}-{env}",
    f"platform-{...}", or a comparison with "account"."""
    home = root / "pilotfactory" / "tfjson" / "stacknames.py"
    offenders = []
    for package in ("pilotfactory", "stacks", "generators", "bench"):
        for path in sorted((root / package).rglob("*.py")) if (root / package).is_dir() else []:
            if path == home:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.JoinedStr) and _spells_stack(node):
                    offenders.append(f"{path.relative_to(root)}:{node.lineno}")
                elif isinstance(node, ast.Compare) and any(
                        isinstance(c, ast.Constant) and c.value == ACCOUNT for c in [node.left, *node.comparators]):
                    offenders.append(f"{path.relative_to(root)}:{node.lineno}")
    return offenders


def _spells_stack(node: ast.JoinedStr) -> bool:
    parts = node.values
    first = parts[0] if parts else None
    if isinstance(first, ast.Constant) and str(first.value).startswith(f"{PLATFORM}-"):
        return True
    return (len(parts) == 3 and isinstance(parts[1], ast.Constant) and parts[1].value == "-"
            and isinstance(parts[2], ast.FormattedValue) and "env" in ast.unparse(parts[2].value))


def test_only_tfjson_stacknames_spells_a_stack_name():
    assert _naming_spellings(REPO) == []


def test_the_spelling_check_sees_each_kind_of_copy(tmp_path):
    module = tmp_path / "pilotfactory" / "ci" / "copy.py"
    module.parent.mkdir(parents=True)
    module.write_text('def a(rp):\n    return f"{rp.name}-{rp.env_name}"\n'
                      'def b(e):\n    return f"platform-{e}"\n'
                      'def c(name):\n    return name == "account"\n'
                      'def d(job, slot):\n    return f"{job.name}-{slot.name}"\n')
    assert _naming_spellings(tmp_path) == ["pilotfactory/ci/copy.py:2", "pilotfactory/ci/copy.py:4",
                                           "pilotfactory/ci/copy.py:6"]


def test_a_stack_in_no_known_environment_is_reviewed_as_protected():
    """Safe by default: a stack whose name ends in no environment of the config (one removed from
    config/environments.yaml, a plan named by hand) is treated as protected, so destroying it is
    critical rather than routine."""
    from pilotfactory.review.diff import stack_ref

    ref = stack_ref("x-qa", {"dev": False, "prod": True})
    assert ref.env is None and ref.protected is True
