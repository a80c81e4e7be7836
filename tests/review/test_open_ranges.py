"""PFR031 over the shared open-range table: allow lists that, alone or together, cover the internet
are named so; one address short of it is not."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from pilotfactory.cli.app import cli
from pilotfactory.review import build_review
from pilotfactory.review.diff import diff_stacks, stack_ref

from ..catalog.open_ranges import ACROSS_LISTS, ONE_LIST
from .test_review_risks import ENVS, IP, assert_flagged, platform, run

WHOLE = "every address on the internet"


def _lists(lists, extra=None) -> tuple:
    return tuple({**IP, "label": f"l{n}", "ip_addresses": a, **(extra or {}).get(n, {})} for n, a in enumerate(lists))


def _opened(review) -> list[str]:
    return [f.text for f in review.findings if f.rule_id == "PFR031" and WHOLE in f.text]


@pytest.mark.parametrize("case", sorted(ONE_LIST))
def test_an_allow_list_edited_to_cover_the_internet(case):
    addresses, whole = ONE_LIST[case]
    head = {"platform-prod": platform(ips=({**IP, "ip_addresses": addresses},))}
    if whole:
        assert_flagged({"platform-prod": platform()}, head, "PFR031", words=WHOLE)
        (opened,) = _opened(run({"platform-prod": platform()}, head)[0])
        assert whole in opened
    else:
        review, _, _, _ = run({"platform-prod": platform()}, head)
        texts = [f.text for f in review.findings if f.rule_id == "PFR031"]
        assert texts and not any("every address" in t for t in texts), texts   # a range added, not the internet


@pytest.mark.parametrize("case", sorted(ACROSS_LISTS))
def test_lists_added_together(case):
    lists, whole = ACROSS_LISTS[case]
    head = {"platform-prod": platform(ips=_lists(lists))}
    if whole:
        assert_flagged({"platform-prod": platform()}, head, "PFR031", words=WHOLE)
        (opened,) = _opened(run({"platform-prod": platform()}, head)[0])
        assert whole in opened and "`l0`, `l1` together" in opened
    else:
        assert_flagged({"platform-prod": platform()}, head, "PFR031", words="+ ")
        assert _opened(run({"platform-prod": platform()}, head)[0]) == []


@pytest.mark.parametrize("case", [c for c in sorted(ACROSS_LISTS)])
def test_one_list_edited_opens_the_workspace_with_an_unchanged_list(case):
    """The first list is already there and stays as it is: only the second one changes."""
    lists, whole = ACROSS_LISTS[case]
    base = {"platform-prod": platform(ips=_lists([lists[0], ["198.51.100.0/24"]]))}
    head = {"platform-prod": platform(ips=_lists(lists))}
    review = run(base, head)[0]
    assert [c.address for c in review.changes] == ["databricks_ip_access_list.ip1"]
    opened = _opened(review)
    if whole:
        assert len(opened) == 1 and whole in opened[0] and "`l0`, `l1` together" in opened[0], opened
        assert_flagged(base, head, "PFR031", words=WHOLE)
    else:
        assert opened == []


def test_an_open_workspace_that_stays_open_is_not_newly_opened():
    lists, _ = ACROSS_LISTS["halves-in-two-lists"]
    base = {"platform-prod": platform(ips=_lists(lists))}
    head = {"platform-prod": platform(ips=_lists([lists[0], [*lists[1], "203.0.113.0/24"]]))}
    assert _opened(run(base, head)[0]) == []


def test_lists_of_two_workspaces_do_not_add_up():
    """Each provider is a workspace of its own: a half in each opens neither."""
    lists, _ = ACROSS_LISTS["halves-in-two-lists"]
    other = {1: {"provider": "databricks.other"}}
    assert _opened(run({"platform-prod": platform()}, {"platform-prod": platform(ips=_lists(lists, other))})[0]) == []
    same = {0: {"provider": "databricks.other"}, 1: {"provider": "databricks.other"}}
    assert _opened(run({"platform-prod": platform()}, {"platform-prod": platform(ips=_lists(lists, same))})[0])


def test_a_disabled_list_lets_nobody_in():
    lists, _ = ACROSS_LISTS["halves-in-two-lists"]
    head = {"platform-prod": platform(ips=_lists(lists, {1: {"enabled": False}}))}
    assert _opened(run({"platform-prod": platform()}, head)[0]) == []


def test_without_whole_stacks_the_changed_lists_still_add_up():
    """A caller with only the changes (drift) still sees halves added in two lists at once."""
    lists, _ = ACROSS_LISTS["halves-in-two-lists"]
    base, head = {"platform-prod": platform()}, {"platform-prod": platform(ips=_lists(lists))}
    review = build_review("b", "h", diff_stacks(base, head, lambda n: stack_ref(n, ENVS)), rates={})
    assert _opened(review)


def _plan(before: list[list[str]], after: list[list[str]]) -> dict:
    def rc(n, b, a):
        actions = ["no-op"] if b == a else ["update"]
        values = lambda x: {"label": f"l{n}", "list_type": "ALLOW", "enabled": True, "ip_addresses": x}  # noqa: E731
        return {"address": f"databricks_ip_access_list.l{n}", "mode": "managed", "type": "databricks_ip_access_list",
                "name": f"l{n}", "change": {"actions": actions, "before": values(b), "after": values(a)}}
    return {"format_version": "1.2", "resource_changes": [rc(n, b, a) for n, (b, a) in enumerate(zip(before, after))]}


def test_plan_mode_adds_up_the_unchanged_list_too(tmp_path):
    lists, _ = ACROSS_LISTS["halves-in-two-lists"]
    path = tmp_path / "platform-prod.json"
    path.write_text(json.dumps(_plan([lists[0], ["198.51.100.0/24"]], lists)))
    result = CliRunner().invoke(cli, ["review", "--plan", str(path), "--format", "json"])
    assert result.exit_code == 1, result.output
    found = [f for f in json.loads(result.output)["findings"] if f["rule"] == "PFR031" and WHOLE in f["text"]]
    assert found and "`l0`, `l1` together" in found[0]["text"], result.output


def test_catalog_mode_adds_up_the_unchanged_list_too(tmp_path):
    """compare_sides hands build_review both sides' whole stacks, so an unchanged list counts."""
    from pilotfactory.review.compose import compare_sides
    from pilotfactory.review.source import Side
    lists, _ = ACROSS_LISTS["halves-in-two-lists"]
    base = Side("base", tmp_path, None, {"platform-prod": platform(ips=_lists([lists[0], ["198.51.100.0/24"]]))})
    head = Side("head", tmp_path, None, {"platform-prod": platform(ips=_lists(lists))})
    opened = _opened(compare_sides(base, head))
    assert len(opened) == 1 and "`l0`, `l1` together" in opened[0], opened
