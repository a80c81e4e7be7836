"""PF245: on-call's access goes to a workspace group wherever on-call does more than view."""
from __future__ import annotations

import pytest

from pilotfactory.pipeline import check
from tests.factory import PilotSpec
from tests.validate.test_boundaries import edit


def _drop_group(data: dict) -> None:
    del data["owners"]["on_call_group"]


def _set_on_call_level(root, env: str, level: str) -> None:
    access = {"builders": "CAN_MANAGE" if env == "dev" else "CAN_VIEW", "approvers": "CAN_VIEW", "on_call": level}
    edit(root / "config" / "environments.yaml", lambda d: d["environments"][env].__setitem__("access", access))


def _pf245(root):
    return [d for d in check(root).diagnostics.errors if d.code == "PF245"]


@pytest.mark.parametrize("phase, slots, dev_level, refused", [
    ("pilot", 1, "CAN_VIEW", False),           # on-call only views: nothing to grant
    ("pilot", 1, "CAN_MANAGE_RUN", True),      # one step above viewing, in dev
    ("pilot", 2, "CAN_VIEW", True),            # blue/green: on-call holds the emergency rollback rights
    ("staging", 1, "CAN_VIEW", True),          # staging's default gives on-call CAN_MANAGE_RUN
    ("production", 2, "CAN_VIEW", True),       # protected prod
])
def test_a_missing_on_call_group_is_refused_where_on_call_acts(make_estate, phase, slots, dev_level, refused):
    estate = make_estate(specs_=[PilotSpec(name="rota", phase=phase, slots=slots)])
    estate.edit_pilot("rota", _drop_group)
    _set_on_call_level(estate.root, "dev", dev_level)
    found = _pf245(estate.root)
    assert bool(found) is refused, [d.render() for d in found]
    if refused:
        (error,) = found
        assert error.location.file == "catalog/pilots/rota.yaml" and error.location.line > 1
        assert "on_call_group" in error.summary and "config/roles.yaml" in error.summary


def test_a_protected_environment_needs_the_group_even_where_on_call_only_views(make_estate):
    estate = make_estate(specs_=[PilotSpec(name="rota", phase="production", slots=1, rehearsal_date=None)])
    estate.edit_pilot("rota", _drop_group)
    for env in ("staging", "prod"):
        _set_on_call_level(estate.root, env, "CAN_VIEW")
    (error,) = _pf245(estate.root)
    assert "prod: CAN_VIEW" in error.summary and "staging" not in error.summary


def test_a_named_on_call_group_passes(make_estate):
    estate = make_estate(specs_=[PilotSpec(name="rota", phase="production")])
    assert _pf245(estate.root) == []
