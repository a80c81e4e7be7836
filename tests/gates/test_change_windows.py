"""Change windows in the environment's own time zone, across DST, overnight and through freezes."""
from __future__ import annotations

import datetime as dt

import pytest

from pilotfactory.catalog.model.config import ChangeControl
from pilotfactory.gates.windows import window_state

UTC = dt.timezone.utc


def control(windows, freezes=(), tz="Europe/London") -> ChangeControl:
    return ChangeControl.model_validate({"timezone": tz, "windows": list(windows), "freezes": list(freezes)})


WEEKDAYS_10_16 = control([{"days": ["tue", "wed", "thu"], "start": "10:00", "end": "16:00"}])


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize("instant, is_open", [
    ("2026-12-01T09:59", False),   # Tuesday, GMT = UTC: one minute early
    ("2026-12-01T10:00", True),    # the window's first minute
    ("2026-12-01T15:59", True),
    ("2026-12-01T16:00", False),   # the end is not in the window
    ("2026-12-04T12:00", False),   # Friday
])
def test_a_window_opens_at_its_start_and_closes_at_its_end(instant, is_open):
    assert window_state(WEEKDAYS_10_16, at(instant)).open is is_open


def test_windows_follow_the_wall_clock_across_summer_time():
    # 09:30 UTC on a summer Tuesday is 10:30 BST: open; the same UTC time in winter is 09:30 GMT: closed.
    assert window_state(WEEKDAYS_10_16, at("2027-06-01T09:30")).open is True
    assert window_state(WEEKDAYS_10_16, at("2026-12-01T09:30")).open is False
    # Summer closes at 16:00 BST = 15:00 UTC.
    assert window_state(WEEKDAYS_10_16, at("2027-06-01T15:00")).open is False


def test_the_next_opening_after_the_clocks_go_forward_is_named_in_local_time():
    # Saturday 2027-03-27 (GMT); the clocks go forward on Sunday 28 March; next: Tuesday 10:00 BST.
    state = window_state(WEEKDAYS_10_16, at("2027-03-27T12:00"))
    assert state.open is False and state.reason == "outside every change window"
    assert state.next_open == at("2027-03-30T09:00")
    assert state.next_open.utcoffset() == dt.timedelta(hours=1)


def test_an_overnight_window_stays_open_past_midnight():
    cc = control([{"days": ["fri"], "start": "22:00", "end": "02:00"}])
    state = window_state(cc, at("2026-12-05T01:00"))   # Saturday 01:00 GMT
    assert state.open is True and state.closes == at("2026-12-05T02:00")
    assert window_state(cc, at("2026-12-05T02:00")).open is False
    assert window_state(cc, at("2026-12-04T21:59")).open is False


def test_a_freeze_closes_an_open_window_and_names_the_first_window_after_it():
    cc = control(WEEKDAYS_10_16.model_dump()["windows"],
                 [{"from": "2026-12-18", "to": "2027-01-04", "reason": "Year-end freeze"}])
    state = window_state(cc, at("2026-12-22T11:00"))   # a Tuesday inside the window
    assert state.open is False
    assert state.reason.startswith("frozen until ") and state.reason.endswith("Year-end freeze")
    assert state.next_open == at("2027-01-05T10:00")   # the first Tuesday after the last frozen day
    # The frozen days are inclusive at both ends; the day before and after are not frozen.
    assert window_state(cc, at("2026-12-17T11:00")).open is True
    assert window_state(cc, at("2027-01-05T11:00")).open is True


def test_a_freeze_that_ends_inside_a_window_opens_the_rest_of_it():
    cc = control([{"days": ["wed"], "start": "20:00", "end": "04:00"}],
                 [{"from": "2026-12-02", "to": "2026-12-02", "reason": "quarter close"}])
    state = window_state(cc, at("2026-12-02T21:00"))   # Wednesday, frozen all day
    assert state.open is False and state.next_open == at("2026-12-03T00:00")


def test_a_freeze_longer_than_the_horizon_has_no_next_window():
    cc = control(WEEKDAYS_10_16.model_dump()["windows"],
                 [{"from": "2026-01-01", "to": "2028-12-31", "reason": "migration"}])
    state = window_state(cc, at("2026-12-01T11:00"))
    assert state.open is False and state.next_open is None and "no window opens" in state.reason


def test_an_instant_without_a_time_zone_is_refused():
    with pytest.raises(ValueError):
        window_state(WEEKDAYS_10_16, dt.datetime(2026, 12, 1, 11, 0))


def test_other_time_zones_are_read_on_their_own_clock():
    cc = control([{"days": ["mon"], "start": "09:00", "end": "17:00"}], tz="America/New_York")
    # Monday 2026-12-07 09:00 EST = 14:00 UTC.
    assert window_state(cc, at("2026-12-07T13:59")).open is False
    assert window_state(cc, at("2026-12-07T14:00")).open is True
