"""The city's business calendar: working days, the sending window and the fiscal year (pure; time is input).

A working day is a weekday that is neither a Japanese public holiday (jpholiday: includes 振替休日 and
国民の休日) nor in the year-end closure (29 December – 3 January). The sending window is
[start, end) in the city's time zone: a message due outside it waits for the next working morning.
The fiscal year runs 1 April – 31 March and is named by the calendar year it starts in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import jpholiday

from bot.settings import Settings

DEFAULT_WINDOW = (time(9, 0), time(17, 45))
CLOSURE_START = (12, 29)  # 年末年始: 29 December …
CLOSURE_END = (1, 3)  # … to 3 January, inclusive
MAX_SEARCH_DAYS = 60  # there is never a run of closed days this long


def fiscal_year(day: date) -> int:
    """The fiscal year a day belongs to: April 2026 – March 2027 is FY2026 (令和8年度)."""
    return day.year if day.month >= 4 else day.year - 1


def fy_start(fy: int) -> date:
    """1 April of the fiscal year."""
    return date(fy, 4, 1)


def fy_end(fy: int) -> date:
    """31 March that closes the fiscal year."""
    return date(fy + 1, 3, 31)


def date_in_fy(fy: int, month_day: str) -> date:
    """'MM-DD' placed inside a fiscal year: April–December in its first calendar year, else the second."""
    month, day = (int(part) for part in month_day.split("-"))
    return date(fy if month >= 4 else fy + 1, month, day)


def in_closure(day: date) -> bool:
    """Whether the day falls in the year-end closure (29 Dec – 3 Jan)."""
    md = (day.month, day.day)
    return md >= CLOSURE_START or md <= CLOSURE_END


def parse_hhmm(value: str) -> time:
    """'9:00' or '09:00' → time(9, 0); ValueError otherwise."""
    hours, minutes = value.strip().split(":")
    return time(int(hours), int(minutes))


@dataclass(frozen=True)
class BusinessCalendar:
    """Working days and the sending window in one time zone."""

    tz: ZoneInfo
    window_start: time = DEFAULT_WINDOW[0]
    window_end: time = DEFAULT_WINDOW[1]

    def __post_init__(self) -> None:
        if not self.window_start < self.window_end:
            raise ValueError(f"sending window start {self.window_start} must be before its end {self.window_end}")

    def is_working_day(self, day: date) -> bool:
        """A weekday that is not a public or substitute holiday and not in the year-end closure."""
        return day.weekday() < 5 and not jpholiday.is_holiday(day) and not in_closure(day)

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after `day`."""
        for offset in range(1, MAX_SEARCH_DAYS):
            candidate = day + timedelta(days=offset)
            if self.is_working_day(candidate):
                return candidate
        raise AssertionError(f"no working day within {MAX_SEARCH_DAYS} days after {day}")

    def local(self, moment: datetime) -> datetime:
        """The moment in the city's time zone (refuses naive datetimes)."""
        if moment.tzinfo is None:
            raise ValueError("naive datetime given to the business calendar")
        return moment.astimezone(self.tz)

    def in_window(self, moment: datetime) -> bool:
        """Inside the sending window of a working day."""
        here = self.local(moment)
        return self.is_working_day(here.date()) and self.window_start <= here.time() < self.window_end

    def opening(self, day: date) -> datetime:
        """The start of the sending window on `day` (aware, city time)."""
        return datetime.combine(day, self.window_start, tzinfo=self.tz)

    def next_send_time(self, moment: datetime) -> datetime:
        """`moment` itself when inside the window, else the next working morning at the window's start."""
        if self.in_window(moment):
            return moment
        here = self.local(moment)
        if self.is_working_day(here.date()) and here.time() < self.window_start:
            return self.opening(here.date())
        return self.opening(self.next_working_day(here.date()))

    def today(self, moment: datetime) -> date:
        """The calendar date of `moment` in the city."""
        return self.local(moment).date()


def calendar_from(settings: Settings) -> BusinessCalendar:
    """The calendar the settings describe (time zone and sending window)."""
    return BusinessCalendar(settings.tz, parse_hhmm(settings.send_window_start), parse_hhmm(settings.send_window_end))
