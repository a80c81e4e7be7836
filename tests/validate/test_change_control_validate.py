"""Change control in config/environments.yaml: unreadable windows, freezes and patterns are located errors."""
from __future__ import annotations

import pytest
import yaml

from pilotfactory.pipeline import check


def _set_prod(estate, change_control):
    path = estate.root / "config" / "environments.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if change_control is None:
        data["environments"]["prod"].pop("change_control", None)
    else:
        data["environments"]["prod"]["change_control"] = change_control
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


def _codes(root, code):
    return [d for d in check(root).diagnostics.items if d.code == code]


WINDOW = [{"days": ["tue"], "start": "10:00", "end": "16:00"}]


@pytest.mark.parametrize("change_control, message", [
    ({"timezone": "Europe/Londn", "windows": WINDOW}, "`Europe/Londn` is not an IANA time zone; did you mean `Europe/London`?"),
    ({"timezone": "UTC", "windows": WINDOW, "freezes": [{"from": "2026-11-31", "to": "2026-12-02", "reason": "x"}]},
     "`2026-11-31` is no such date"),
    ({"timezone": "UTC", "windows": WINDOW, "freezes": [{"from": "18/12/2026", "to": "2026-12-02", "reason": "x"}]},
     "`18/12/2026` is not a date: write YYYY-MM-DD"),
    ({"timezone": "UTC", "windows": WINDOW, "freezes": [{"from": "2026-12-03", "to": "2026-12-02", "reason": "x"}]},
     "the freeze ends (2026-12-02) before it starts (2026-12-03)"),
    ({"timezone": "UTC", "windows": WINDOW, "ticket_pattern": "^CHG[0-9{7}$"},
     "`ticket_pattern` is not a regular expression"),
])
def test_unreadable_change_control_is_a_located_error(make_estate, change_control, message):
    estate = make_estate(count=1)
    _set_prod(estate, change_control)
    found = _codes(estate.root, "PF260")
    assert len(found) == 1 and found[0].summary.startswith(message), [d.render() for d in found]
    assert found[0].location.file == "config/environments.yaml" and found[0].location.line > 1


def test_a_freeze_of_one_day_is_readable(make_estate):
    estate = make_estate(count=1)
    _set_prod(estate, {"timezone": "UTC", "windows": WINDOW,
                       "freezes": [{"from": "2026-12-02", "to": "2026-12-02", "reason": "quarter close"}]})
    assert _codes(estate.root, "PF260") == []


def test_a_protected_environment_without_windows_is_warned_about_and_others_are_not(make_estate):
    estate = make_estate(count=1)
    _set_prod(estate, None)
    found = _codes(estate.root, "PF261")
    assert [d.summary.split(":")[0] for d in found] == ["protected environment `prod` has no `change_control`"]
    assert all(d.severity.value == "warning" for d in found)
    assert check(estate.root).ok  # a warning, not an error
