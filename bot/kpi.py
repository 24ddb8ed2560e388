"""The KPI as pure arithmetic: headcount per tier over time, targets, projection, courses, suppression.

Counting rules (decided here, shown in the workbook):
- A person counts on a day when one of their memberships is valid that day (valid_from <= day < valid_to).
  Inactive staff count only on days before their deactivation is reflected: today they are left out.
- Their tier on a day is the `to_tier` of their last tier change on or before that day (city time); before
  their first change it is that change's `from_tier` (1 if unknown); with no change, their current tier.
- Each target counts its tier **exactly**: the plan's 実行する職員 (450) and 主導・推進する職員 (45) are
  distinct tiers, so a person at tier 3 counts towards 45, not towards 450.
- Any aggregate of fewer than `MIN_GROUP` people (a department, a course, a self-assessment group) is
  suppressed (None) so that no individual can be read off. City-wide totals are not suppressed.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from math import ceil
from zoneinfo import ZoneInfo

from bot.kpi_community import MIN_GROUP, CommunityStats, community_stats
from bot.plan.model import Plan, Target
from storage.kpi import Change, CourseRow, KpiData, Person, Stint

MIN_POINTS, MAX_POINTS = 6, 12  # monthly points the projection fits


def reiwa_label(fy: int) -> str:
    """2027 -> 令和9年度."""
    return f"令和{fy - 2018}年度"


def suppress(n: int, value: float | int | None = None) -> float | int | None:
    """`value` (or `n`) when the group has at least MIN_GROUP people, else None."""
    if n < MIN_GROUP:
        return None
    return n if value is None else value


def month_ends(first: date, last: date) -> list[date]:
    """Every month-end from the month of `first` up to `last` (inclusive), then `last` if not one."""
    ends: list[date] = []
    year, month = first.year, first.month
    while True:
        nxt = date(year + month // 12, month % 12 + 1, 1)
        end = nxt - timedelta(days=1)
        if end > last:
            break
        ends.append(end)
        year, month = nxt.year, nxt.month
    return ends if ends and ends[-1] == last else [*ends, last]


def fiscal_year(day: date) -> int:
    """April–March, named by the year it starts in."""
    return day.year if day.month >= 4 else day.year - 1


def fy_end(fy: int) -> date:
    """31 March closing fiscal year `fy`."""
    return date(fy + 1, 3, 31)


class TierHistory:
    """Each person's tier and track on any day, from their current state and their tier changes."""

    def __init__(self, people: Iterable[Person], changes: Iterable[Change], stints: Iterable[Stint],
                 tz: ZoneInfo) -> None:
        self.people = {p.id: p for p in people}
        self.changes: dict[int, list[tuple[date, int, str | None]]] = {}
        self.first: dict[int, tuple[int, str | None]] = {}
        for c in changes:
            if c.staff_id not in self.first:
                self.first[c.staff_id] = (c.from_tier or 1, c.from_track)
            self.changes.setdefault(c.staff_id, []).append((c.at.astimezone(tz).date(), c.to_tier, c.to_track))
        self.stints: dict[int, list[Stint]] = {}
        for s in stints:
            self.stints.setdefault(s.staff_id, []).append(s)

    def tier_on(self, staff_id: int, day: date) -> tuple[int, str | None]:
        """(tier, track) of a person on `day`."""
        person = self.people[staff_id]
        changes = self.changes.get(staff_id)
        if not changes:
            return person.tier, person.track
        state = self.first[staff_id]
        for when, tier, track in changes:
            if when > day:
                break
            state = (tier, track)
        return state

    def unit_on(self, staff_id: int, day: date) -> int | None:
        """The unit of a person's membership valid on `day` (latest start), or None."""
        unit = None
        for s in self.stints.get(staff_id, ()):
            if s.valid_from <= day and (s.valid_to is None or s.valid_to > day):
                unit = s.unit_id
        return unit

    def counted(self, day: date, today: date) -> Iterable[tuple[int, int, tuple[int, str | None]]]:
        """(staff id, unit id, (tier, track)) of everyone counted on `day`."""
        for sid, person in self.people.items():
            unit = self.unit_on(sid, day)
            if unit is None or (day >= today and not person.active):
                continue
            yield sid, unit, self.tier_on(sid, day)

    def headcount(self, day: date, today: date) -> Counter[tuple[int, str | None]]:
        """People per (tier, track) on `day`."""
        return Counter(state for _, _, state in self.counted(day, today))


def per_tier(counts: Counter[tuple[int, str | None]]) -> dict[int, int]:
    """Collapse (tier, track) counts to tier counts."""
    out: dict[int, int] = {}
    for (tier, _), n in counts.items():
        out[tier] = out.get(tier, 0) + n
    return out


@dataclass(frozen=True)
class Projection:
    """A least-squares line through recent monthly points, and what it says about a target."""

    target: Target
    deadline: date
    current: int
    slope_per_month: float | None  # None: too few points to project
    projected: float | None  # headcount on the deadline by the line
    reached_on: date | None  # the day the line (or the count) reaches the target
    met: bool  # already at or above the target
    on_track: bool  # met, or the line reaches the target by the deadline


def project(points: Sequence[tuple[date, int]], target: Target) -> Projection:
    """Fit the last MAX_POINTS (at least MIN_POINTS) points; say whether and when the target is reached."""
    deadline = fy_end(target.fiscal_year)
    current = points[-1][1] if points else 0
    if current >= target.headcount:
        first = next(d for d, n in points if n >= target.headcount)
        return Projection(target, deadline, current, None, None, first, True, True)
    recent = list(points[-MAX_POINTS:])
    if len(recent) < MIN_POINTS:
        return Projection(target, deadline, current, None, None, None, False, False)
    xs = [d.toordinal() for d, _ in recent]
    ys = [float(n) for _, n in recent]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sxx
    intercept = my - slope * mx
    projected = intercept + slope * deadline.toordinal()
    reached = None
    if slope > 0:
        reached = date.fromordinal(max(ceil(round((target.headcount - intercept) / slope, 6)), xs[-1]))
    return Projection(target, deadline, current, slope * 365.25 / 12, projected, reached, False,
                      reached is not None and reached <= deadline)


def monthly(history: TierHistory, start: date, today: date) -> list[tuple[date, dict[int, int]]]:
    """People per tier at each month-end from `start`'s month, then today."""
    return [(d, per_tier(history.headcount(d, today))) for d in month_ends(start, today)]


def projections(plan: Plan, months: Sequence[tuple[date, dict[int, int]]]
                ) -> list[tuple[Projection, list[tuple[date, int]]]]:
    """Each target's projection with its series (people at exactly the target's tier, month by month)."""
    out = []
    for target in plan.targets:
        series = [(d, counts.get(target.tier, 0)) for d, counts in months]
        out.append((project(series, target), series))
    return out


@dataclass(frozen=True)
class CourseStats:
    """One course: enrolments, completions, hours of the completions, median days to finish (None: suppressed)."""

    course_id: str
    enrolments: int | None
    completions: int | None
    hours: float | None
    median_days: float | None


def course_stats(rows: Iterable[CourseRow]) -> list[CourseStats]:
    """Per course, withdrawals left out; a course with fewer than MIN_GROUP enrolments is suppressed whole."""
    by_course: dict[str, list[CourseRow]] = {}
    for r in rows:
        if r.status != "withdrawn":
            by_course.setdefault(r.course_id, []).append(r)
    return [_course(cid, by_course[cid]) for cid in sorted(by_course)]


def _course(course_id: str, group: list[CourseRow]) -> CourseStats:
    """The statistics of one course's enrolments."""
    if len(group) < MIN_GROUP:
        return CourseStats(course_id, None, None, None, None)
    done = [r for r in group if r.status == "completed"]
    days = [(r.completed_on - r.enrolled_on).days for r in done if r.completed_on and r.enrolled_on]
    return CourseStats(course_id, len(group), len(done), sum(r.hours or 0.0 for r in done),
                       statistics.median(days) if days else None)


def by_department(history: TierHistory, department: Callable[[int], int], day: date, today: date
                  ) -> dict[int, tuple[int, dict[int, int] | None]]:
    """部局 -> (people, people per tier or None when under MIN_GROUP people) on `day`."""
    groups: dict[int, Counter[int]] = {}
    for _, unit, (tier, _) in history.counted(day, today):
        groups.setdefault(department(unit), Counter())[tier] += 1
    return {dept: (sum(c.values()), dict(c) if sum(c.values()) >= MIN_GROUP else None)
            for dept, c in groups.items()}


def assessment_levels(plan: Plan, ratings: dict[int, dict[int, int]], group_of: dict[int, int]
                      ) -> dict[tuple[int | None, str], tuple[int, float | None]]:
    """(部局 or None for the whole city, skill area) -> (people, mean level, None when suppressed).

    A person's level in an area is the mean of their ratings of the area's rows (latest sheet); a group's
    level is the mean over its people who rated the area, rounded to 2 decimals.
    """
    area_of = {r.row: r.area for r in plan.skill_rows}
    levels: dict[tuple[int | None, str], list[float]] = {}
    for sid, rated in ratings.items():
        per_area: dict[str, list[int]] = {}
        for row, value in rated.items():
            if row in area_of:
                per_area.setdefault(area_of[row], []).append(value)
        groups: list[int | None] = [None] + ([group_of[sid]] if sid in group_of else [])
        for area, values in per_area.items():
            for group in groups:
                levels.setdefault((group, area), []).append(sum(values) / len(values))
    return {key: (len(v), round(sum(v) / len(v), 2) if len(v) >= MIN_GROUP else None)
            for key, v in levels.items()}


@dataclass(frozen=True)
class KpiReport:
    """The numbers of the KPI as of a day: what the chart, the workbook and Slack show."""

    today: date
    now: Counter[tuple[int, str | None]]  # people per (tier, track) today
    months: list[tuple[date, dict[int, int]]]  # each month-end of the burn-up (and today) -> people per tier
    fiscal_years: list[tuple[date, dict[int, int]]]  # each fiscal-year end (and today) -> people per tier
    targets: list[tuple[Projection, list[tuple[date, int]]]]
    departments: dict[int, tuple[int, dict[int, int] | None]]
    courses: list[CourseStats]
    community: int  # members of the learning community now
    levels: dict[tuple[int | None, str], tuple[int, float | None]]
    counted: list[tuple[int, int, tuple[int, str | None]]]  # (staff id, unit id, (tier, track)) today
    club: CommunityStats  # the community's figures (bot.kpi_community)


def series_start(today: date) -> date:
    """The burn-up starts with the fiscal year before the current one."""
    return date(fiscal_year(today) - 1, 4, 1)


def fy_points(first: date, today: date) -> list[date]:
    """Each fiscal-year end from `first`'s fiscal year until before today, then today."""
    return [*(fy_end(fy) for fy in range(fiscal_year(first), fiscal_year(today))), today]


def build_report(plan: Plan, data: KpiData, department: Callable[[int], int], today: date,
                 tz: ZoneInfo) -> KpiReport:
    """Compute every KPI figure from the data read by storage.kpi."""
    history = TierHistory(data.people, data.changes, data.stints, tz)
    start = series_start(today)
    counted = list(history.counted(today, today))
    group_of = {sid: department(unit) for sid, unit, _ in counted}
    months = monthly(history, start, today)

    def dept_on(staff_id: int, day: date) -> int | None:
        unit = history.unit_on(staff_id, day)
        return None if unit is None else department(unit)

    club = community_stats(data.spells, data.events, data.attendances, days=[d for d, _ in months], today=today,
                           now=data.now, tz=tz, first_fy=fiscal_year(start),
                           inactive={p.id for p in data.people if not p.active}, dept_today=group_of,
                           dept_on=dept_on)
    return KpiReport(
        today, Counter(state for _, _, state in counted), months,
        [(d, per_tier(history.headcount(d, today))) for d in fy_points(start, today)],
        projections(plan, months), by_department(history, department, today, today),
        course_stats(data.courses), club.members, assessment_levels(plan, data.ratings, group_of), counted, club)
