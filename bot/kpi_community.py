"""The learning community in the KPI: members over time, events held, attendance, by 部局 (pure arithmetic).

Counting rules (decided here, shown in the workbook):
- A person is a member at a moment when one of their spells covers it (joined_at <= moment < left_at); a
  month-end point is the end of that day in city time, today's point is now. As for the tiers, a person
  whose staff record is inactive is left out today and counted in the months before.
- An event is held when it is scheduled (not cancelled) and started before now; it belongs to the fiscal
  year (April–March, city time) of its start.
- An attendance is an RSVP the organiser marked attended; its hours are those credited to the person's
  record (the RSVP's hours, 0 when none: the same figure as the records workbook's コミュニティ活動).
- By 部局: members now in their 部局 today; attendance of the current fiscal year in the attendee's 部局 on
  the event's day (else today). A 部局's member figure is shown only for at least MIN_GROUP members, its
  attendance figures only for at least MIN_GROUP distinct attendees; city-wide figures are never suppressed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from storage.kpi import Attendance, HeldEvent, Spell

MIN_GROUP = 5  # any group smaller than this is suppressed (bot.kpi re-exports it for the tiers and courses)


@dataclass(frozen=True)
class YearActivity:
    """One fiscal year: events held (by kind), attendances, distinct attendees, hours credited."""

    fiscal_year: int
    events: int
    by_kind: dict[str, int]
    attendances: int
    attendees: int
    hours: float


@dataclass(frozen=True)
class DeptCommunity:
    """One 部局: members now and this fiscal year's attendance (None: fewer than MIN_GROUP people)."""

    members: int | None
    attendances: int | None
    attendees: int | None
    hours: float | None


@dataclass(frozen=True)
class CommunityStats:
    """The community's figures as of a day."""

    members: int  # now
    monthly: list[tuple[date, int]] = field(default_factory=list)  # the tier series' points -> members
    years: list[YearActivity] = field(default_factory=list)  # oldest first, the current one last
    fiscal_year: int = 0  # the current fiscal year (of `departments`)
    departments: dict[int, DeptCommunity] = field(default_factory=dict)


def _fiscal_year(day: date) -> int:
    return day.year if day.month >= 4 else day.year - 1


def members_at(spells: Iterable[Spell], moment: datetime, left_out: set[int]) -> set[int]:
    """The people whose spell covers `moment` (each once), without `left_out`."""
    return {s.staff_id for s in spells if s.joined_at <= moment and (s.left_at is None or s.left_at > moment)
            and s.staff_id not in left_out}


def monthly_members(spells: Sequence[Spell], days: Sequence[date], today: date, now: datetime, tz: ZoneInfo,
                    inactive: set[int]) -> list[tuple[date, int]]:
    """Members at the end of each day of `days` (now for today and later)."""
    out = []
    for day in days:
        end = datetime.combine(day + timedelta(days=1), time(), tz) - timedelta(microseconds=1)
        moment = min(end, now)
        out.append((day, len(members_at(spells, moment, inactive if day >= today else set()))))
    return out


def years(events: Sequence[HeldEvent], attended: Sequence[Attendance], first_fy: int, current_fy: int,
          tz: ZoneInfo) -> list[YearActivity]:
    """Each fiscal year from `first_fy` (or the first event's, if earlier) to `current_fy`."""
    fy_of = {e.id: _fiscal_year(e.starts_at.astimezone(tz).date()) for e in events}
    first = min([first_fy, *fy_of.values()])
    out = []
    for fy in range(first, current_fy + 1):
        kinds = Counter(e.kind for e in events if fy_of[e.id] == fy)
        mine = [a for a in attended if _fiscal_year(a.starts_at.astimezone(tz).date()) == fy]
        out.append(YearActivity(fy, sum(kinds.values()), dict(kinds), len(mine), len({a.staff_id for a in mine}),
                                round(sum(a.hours for a in mine), 2)))
    return out


def departments(members_now: set[int], attended: Sequence[Attendance], fy: int, tz: ZoneInfo,
                dept_today: dict[int, int], dept_on: Callable[[int, date], int | None]) -> dict[int, DeptCommunity]:
    """Per 部局: members now (their 部局 today) and attendance in fiscal year `fy` (their 部局 that day)."""
    members = Counter(dept_today[sid] for sid in members_now if sid in dept_today)
    visits: dict[int, list[Attendance]] = {}
    for a in attended:
        day = a.starts_at.astimezone(tz).date()
        if _fiscal_year(day) != fy:
            continue
        dept = dept_on(a.staff_id, day)
        dept = dept if dept is not None else dept_today.get(a.staff_id)
        if dept is not None:
            visits.setdefault(dept, []).append(a)
    out = {}
    for dept in set(members) | set(visits):
        n = members.get(dept, 0)
        group = visits.get(dept, [])
        people = len({a.staff_id for a in group})
        shown = people >= MIN_GROUP
        out[dept] = DeptCommunity(n if n >= MIN_GROUP else None, len(group) if shown else None,
                                  people if shown else None,
                                  round(sum(a.hours for a in group), 2) if shown else None)
    return out


def community_stats(spells: Sequence[Spell], events: Sequence[HeldEvent], attended: Sequence[Attendance], *,
                    days: Sequence[date], today: date, now: datetime, tz: ZoneInfo, first_fy: int,
                    inactive: set[int], dept_today: dict[int, int],
                    dept_on: Callable[[int, date], int | None]) -> CommunityStats:
    """Every community figure of the KPI (see the module docstring for the rules)."""
    now_members = members_at(spells, now, inactive)
    fy = _fiscal_year(today)
    return CommunityStats(len(now_members), monthly_members(spells, days, today, now, tz, inactive),
                          years(events, attended, first_fy, fy, tz), fy,
                          departments(now_members, attended, fy, tz, dept_today, dept_on))
