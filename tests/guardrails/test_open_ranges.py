"""PFG050 over the shared open-range table, through `pilotfactory check` on a Terraform JSON file."""
from __future__ import annotations

import copy
import json

import pytest
from click.testing import CliRunner

from pilotfactory.cli.app import cli

from ..catalog.open_ranges import ACROSS_LISTS, ONE_LIST
from ..conftest import REPO, ESTATE

PASS = json.loads((REPO / "tests" / "guardrails" / "fixtures" / "PFG050" / "pass.tf.json").read_text())


def _document(lists: list[list[str]], disabled: int | None = None) -> dict:
    doc = copy.deepcopy(PASS)
    template = next(iter(doc["resource"]["databricks_ip_access_list"].values()))
    doc["resource"]["databricks_ip_access_list"] = {
        f"list{n}": {**copy.deepcopy(template), "label": f"list{n}", "list_type": "ALLOW", "ip_addresses": addresses,
                     **({"enabled": False} if n == disabled else {})}
        for n, addresses in enumerate(lists)}
    return doc


def _violations(tmp_path, doc: dict) -> list[dict]:
    path = tmp_path / "stack.tf.json"
    path.write_text(json.dumps(doc))
    result = CliRunner().invoke(cli, ["check", str(path), "--root", str(ESTATE), "--format", "json"])
    assert result.exit_code in (0, 1), result.output
    return [v for v in json.loads(result.output)["violations"] if v["rule"] == "PFG050"]


@pytest.mark.parametrize("case", sorted(ONE_LIST) + sorted(ACROSS_LISTS))
def test_open_ranges(tmp_path, case):
    lists, whole = ([ONE_LIST[case][0]], ONE_LIST[case][1]) if case in ONE_LIST else ACROSS_LISTS[case]
    found = _violations(tmp_path, _document(lists))
    if whole is None:
        assert found == []
        return
    (violation,) = found   # reported once, on the list holding the widest range
    assert whole in violation["message"]
    if case in ACROSS_LISTS:
        assert "together with `list1`" in violation["message"]


def test_a_disabled_list_lets_nobody_in(tmp_path):
    lists, _ = ACROSS_LISTS["halves-in-two-lists"]
    assert _violations(tmp_path, _document(lists, disabled=1)) == []


def test_lists_of_two_workspaces_do_not_add_up(tmp_path):
    """Each provider is a workspace: a half allowed in each opens neither; both halves in one does."""
    lists, _ = ACROSS_LISTS["halves-in-two-lists"]
    doc = _document(lists)
    doc["resource"]["databricks_ip_access_list"]["list1"]["provider"] = "databricks.other"
    assert _violations(tmp_path, doc) == []
    doc["resource"]["databricks_ip_access_list"]["list0"]["provider"] = "databricks.other"
    assert len(_violations(tmp_path, doc)) == 1
