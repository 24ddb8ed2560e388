"""The business calendar with a frozen clock: holidays, substitute holidays, the closure, the window edges."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.calendar import BusinessCalendar, calendar_from, date_in_fy, fiscal_year, fy_end, fy_start, in_closure
from bot.settings import SettingsError, load_settings

TOKYO = ZoneInfo("Asia/Tokyo")
CAL = BusinessCalendar(TOKYO)


def at(day: str, hhmm: str) -> datetime:
    """A moment in Tokyo."""
    return datetime.combine(date.fromisoformat(day), time.fromisoformat(hhmm), tzinfo=TOKYO)


@pytest.mark.parametrize(("day", "working"), [
    ("2026-06-01", True),   # Monday
    ("2026-06-06", False),  # Saturday
    ("2026-06-07", False),  # Sunday
    ("2026-05-04", False),  # みどりの日
    ("2026-05-06", False),  # 振替休日 (憲法記念日 fell on a Sunday)
    ("2026-05-07", True),
    ("2025-11-24", False),  # 振替休日 (勤労感謝の日 on a Sunday)
    ("2026-09-22", False),  # 国民の休日 (between 敬老の日 and 秋分の日)
    ("2027-01-11", False),  # 成人の日 (Monday)
    ("2026-12-28", True),   # the last working day of the year
    ("2026-12-29", False),  # closure starts (a Tuesday)
    ("2026-12-31", False),
    ("2027-01-01", False),  # 元日
    ("2027-01-04", True),   # 3 January (Sunday) ends the closure; Monday is a working day
    ("2028-01-03", False),  # a Monday inside the closure
    ("2028-01-04", True),
])
def test_working_days(day, working):
    assert CAL.is_working_day(date.fromisoformat(day)) is working


def test_closure_bounds():
    assert [in_closure(date(2026, 12, d)) for d in (28, 29)] == [False, True]
    assert [in_closure(date(2027, 1, d)) for d in (3, 4)] == [True, False]


@pytest.mark.parametrize(("moment", "expected"), [
    (at("2026-06-01", "09:00"), at("2026-06-01", "09:00")),  # the window opens: inside
    (at("2026-06-01", "08:59:59"), at("2026-06-01", "09:00")),  # a second early: wait for the opening
    (at("2026-06-01", "17:44:59"), at("2026-06-01", "17:44:59")),  # still inside
    (at("2026-06-01", "17:45"), at("2026-06-02", "09:00")),  # the window is closed at 17:45
    (at("2026-06-05", "18:00"), at("2026-06-08", "09:00")),  # Friday evening → Monday morning
    (at("2026-06-06", "10:00"), at("2026-06-08", "09:00")),  # Saturday
    (at("2026-05-01", "18:00"), at("2026-05-07", "09:00")),  # Golden Week incl. the 振替休日 of 6 May
    (at("2026-12-28", "17:50"), at("2027-01-04", "09:00")),  # the year-end closure
    (at("2026-06-01", "00:30"), at("2026-06-01", "09:00")),  # early morning of a working day
])
def test_next_send_time(moment, expected):
    assert CAL.next_send_time(moment) == expected


def test_next_send_time_keeps_the_moment_and_accepts_any_zone():
    utc = datetime(2026, 6, 1, 3, 0, tzinfo=UTC)  # 12:00 in Tokyo
    assert CAL.next_send_time(utc) is utc
    assert CAL.next_send_time(datetime(2026, 6, 1, 9, 0, tzinfo=UTC)) == at("2026-06-02", "09:00")  # 18:00 JST


def test_naive_moments_are_refused():
    with pytest.raises(ValueError, match="naive"):
        CAL.next_send_time(datetime(2026, 6, 1, 10, 0))  # noqa: DTZ001


def test_configurable_window_from_settings():
    settings = load_settings(environ={"SEND_WINDOW_START": "8:30", "SEND_WINDOW_END": "12:00"})
    cal = calendar_from(settings)
    assert cal.next_send_time(at("2026-06-01", "08:30")) == at("2026-06-01", "08:30")
    assert cal.next_send_time(at("2026-06-01", "12:00")) == at("2026-06-02", "08:30")
    with pytest.raises(SettingsError, match="SEND_WINDOW_START"):
        load_settings(environ={"SEND_WINDOW_START": "18:00"})
    with pytest.raises(SettingsError, match="SEND_WINDOW_END"):
        load_settings(environ={"SEND_WINDOW_END": "25:00"})


def test_fiscal_year():
    assert fiscal_year(date(2026, 4, 1)) == 2026 and fiscal_year(date(2026, 3, 31)) == 2025
    assert fiscal_year(date(2027, 3, 31)) == 2026
    assert (fy_start(2026), fy_end(2026)) == (date(2026, 4, 1), date(2027, 3, 31))
    assert date_in_fy(2026, "10-01") == date(2026, 10, 1)
    assert date_in_fy(2026, "01-15") == date(2027, 1, 15)  # January belongs to the fiscal year's second half


def test_every_day_of_a_year_has_a_next_send_time_inside_the_window():
    moment = at("2026-04-01", "00:00")
    for _ in range(365 * 3):
        sent = CAL.next_send_time(moment)
        assert sent >= moment and CAL.in_window(sent)
        moment += timedelta(hours=8)
