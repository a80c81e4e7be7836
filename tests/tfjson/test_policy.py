"""Cluster policy definitions (docs/resources/cluster_policy.md l.148 of the v1.99.0 provider: a JSON
document in the Databricks policy definition language), parsed in one place."""
from __future__ import annotations

import pytest

from pilotfactory.tfjson.policy import (attribute_in_words, fixed_value, parse_definition, policy_in_words,
                                        policy_rules, rule_in_words)


def test_a_json_object_is_its_rules():
    text = '{"spark_version": {"type": "fixed", "value": "15.4.x-scala2.12"}}'
    definition = parse_definition(text)
    assert definition.rules == {"spark_version": {"type": "fixed", "value": "15.4.x-scala2.12"}}
    assert definition.problem is None and definition.duplicates == ()
    assert fixed_value(definition.rules, "spark_version") == "15.4.x-scala2.12"
    assert fixed_value(definition.rules, "node_type_id") is None


@pytest.mark.parametrize("text, problem", [
    (None, "has no policy definition"),
    ("{not json", "definition is not JSON"),
    ("[1, 2]", "definition must be a JSON object"),
])
def test_what_is_not_a_json_object_says_why(text, problem):
    definition = parse_definition(text)
    assert definition.rules is None and definition.problem.startswith(problem)
    assert policy_rules(text) is None


def test_two_rules_for_one_attribute_are_named_and_the_last_counts():
    text = '{"a": {"type": "fixed", "value": 1}, "a": {"type": "fixed", "value": 2}, "b": {"type": "unlimited"}}'
    definition = parse_definition(text)
    assert definition.duplicates == ("a",) and fixed_value(definition.rules, "a") == 2


def test_rules_in_words():
    words = policy_in_words({
        "autoscale.max_workers": {"type": "range", "maxValue": 4},
        "custom_tags.cost_center": {"type": "unlimited", "isOptional": False},
        "node_type_id": {"type": "allowlist", "values": ["m6i.xlarge"], "defaultValue": "m6i.xlarge"},
        "spark_version": {"type": "fixed", "value": "15.4.x-scala2.12"},
    })
    assert words == ["Maximum workers: at most 4.",
                     "Tag `cost_center`: must be set by whoever creates the cluster.",
                     "Node type: one of `m6i.xlarge` (default `m6i.xlarge`).",
                     "Databricks Runtime: fixed at `15.4.x-scala2.12`."]


@pytest.mark.parametrize("rule, words", [
    (None, "no rule"),
    ({"type": "fixed", "value": 60}, "fixed at `60`"),
    ({"type": "range", "minValue": 1, "maxValue": 4}, "at least 1 and at most 4"),
    ({"type": "range"}, "unbounded"),
    ({"type": "blocklist", "values": ["a"]}, "none of `a`"),
    ({"type": "unlimited"}, "anything"),
    ({"type": "regex", "pattern": "x.*"}, '`{"pattern": "x.*", "type": "regex"}`'),
])
def test_each_kind_of_rule_in_words(rule, words):
    assert rule_in_words(rule) == words


def test_review_and_documents_put_a_rule_into_the_same_words():
    """The reviewer's loosening and the auditor's sentence name a rule the same way."""
    from pilotfactory.review.policy import loosenings

    before = {"autoscale.max_workers": {"type": "fixed", "value": 4}}
    after = {"autoscale.max_workers": {"type": "unlimited"}}
    [loose] = loosenings(before, after)
    assert (loose.what, loose.before, loose.after) == ("maximum workers", "fixed at `4`", "anything")
    assert policy_in_words(before) == ["Maximum workers: fixed at `4`."]
    assert attribute_in_words("custom_tags.env") == "tag `env`"


def test_the_documents_and_the_review_read_one_definition_string_the_same_way():
    """The stack facts behind the security packet and the review's normalized values parse a
    definition through tfjson.policy: same rules, and the same words for the same rule."""
    from pilotfactory.review.flatten import normalize
    from pilotfactory.review.policy import loosenings
    from pilotfactory.tfjson.stackfacts import StackFacts

    text = ('{"node_type_id": {"type": "allowlist", "values": ["m6i.large", "m6i.xlarge"]},'
            ' "custom_tags.cost_center": {"type": "fixed", "value": "cc-1"}}')
    facts = StackFacts("p-dev", {"resource": {"databricks_cluster_policy": {"p": {"definition": text}}}})
    reviewed = normalize("databricks_cluster_policy", {"definition": text})["definition"]
    assert facts.policy_rules() == reviewed == policy_rules(text)
    removed, _ = loosenings(reviewed, {})
    assert removed.rule == "custom_tags.cost_center" and removed.what == "required tag `cost_center` removed"
    assert removed.before == rule_in_words(reviewed["custom_tags.cost_center"]) == "fixed at `cc-1`"
    assert policy_in_words(facts.policy_rules())[0] == f"Tag `cost_center`: {removed.before}."
    assert normalize("databricks_cluster_policy", {"definition": "[1]"}) == {"definition": "[1]"}
