"""The KPI numbers on a known data set (hand-computed), the projection and the suppression of small groups."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from builders import NOW, TODAY, org, person, sheet
from openpyxl import load_workbook

from bot.kpi import MIN_GROUP, KpiReport, build_report, fy_points, month_ends, project, series_start, suppress
from bot.plan import load_plan
from bot.plan.model import Target
from storage.db import SessionFactory
from storage.exporting.kpi import export_kpi
from storage.kpi import load_kpi_data
from storage.manager_models import CommunityMember
from storage.models import Enrolment, Staff, TierChange
from storage.org import OrgTree

TZ = ZoneInfo("Asia/Tokyo")


def _change(sessions: SessionFactory, staff_id: int, at: datetime, to: int, frm: int,
            track: str | None = None) -> None:
    with sessions() as s:
        s.add(TierChange(staff_id=staff_id, from_tier=frm, to_tier=to, to_track=track, source="approval",
                         changed_at=at))
        s.commit()


def _enrolment(sessions: SessionFactory, staff_id: int, course: str, status: str,
               done: date | None = None, hours: float | None = None) -> None:
    with sessions() as s:
        s.add(Enrolment(staff_id=staff_id, course_id=course, status=status, source="import",
                        enrolled_on=date(2026, 4, 1), completed_on=done, hours=hours, updated_at=NOW))
        s.commit()


def _community(sessions: SessionFactory, staff_id: int, joined: datetime, left: datetime | None) -> None:
    with sessions() as s:
        s.add(CommunityMember(staff_id=staff_id, joined_at=joined, left_at=left))
        s.commit()


def _utc(y: int, m: int, d: int, h: int = 1) -> datetime:
    return datetime(y, m, d, h, tzinfo=UTC)


@pytest.fixture
def city(sessions: SessionFactory) -> dict[str, int]:
    """都市経営部: A..F (6 people in 推進係); 市民協働部: G, H (inactive), I (from 2026-04-01) in 市民課."""
    units = org(sessions)
    ids: dict[str, int] = {}
    for key, tier, track in [("A", 2, None), ("B", 3, "sys"), ("C", 1, None), ("D", 1, None), ("E", 1, None),
                             ("F", 2, None)]:
        ids[key] = person(sessions, units["111"], f"00{key}", tier=tier, track=track).id  # type: ignore[assignment]
    ids["G"] = person(sessions, units["210"], "00G", tier=2).id  # type: ignore[assignment]
    ids["H"] = person(sessions, units["210"], "00H").id  # type: ignore[assignment]
    ids["I"] = person(sessions, units["210"], "00I", since=date(2026, 4, 1)).id  # type: ignore[assignment]
    with sessions() as s:
        staff = s.get(Staff, ids["H"])
        assert staff is not None
        staff.active = False
        s.commit()
    _change(sessions, ids["A"], datetime(2026, 5, 31, 16, 0, tzinfo=UTC), 2, 1)  # 1 June in Tokyo
    _change(sessions, ids["B"], _utc(2025, 10, 10), 2, 1)
    _change(sessions, ids["B"], _utc(2026, 8, 1), 3, 2, "sys")
    _change(sessions, ids["G"], _utc(2026, 2, 1), 2, 1)
    return ids


def _report(sessions: SessionFactory) -> tuple[KpiReport, OrgTree]:
    with sessions() as s:
        data = load_kpi_data(s.connection(), NOW)
        tree = OrgTree.load(s)
    return build_report(load_plan(), data, tree.department, TODAY, TZ), tree


def _dept(tree: OrgTree, code: str) -> int:
    return next(u for u, c in tree.code.items() if c == code)


@pytest.mark.usefixtures("city")
def test_headcount_today_counts_each_tier_and_track_and_leaves_out_inactive(sessions):
    report, _ = _report(sessions)
    assert dict(report.now) == {(1, None): 4, (2, None): 3, (3, "sys"): 1}  # C D E I / A F G / B
    assert len(report.counted) == 8


@pytest.mark.usefixtures("city")
def test_headcount_over_time_follows_tier_changes_in_city_time_and_membership_dates(sessions):
    report, _ = _report(sessions)
    series = {p.target.tier: dict(s) for p, s in report.targets}
    # 31 May 2026: A still tier 1 (changed 1 June 01:00 in Tokyo); B, F, G at 2.
    assert series[2][date(2026, 5, 31)] == 3 and series[3][date(2026, 5, 31)] == 0
    assert series[2][date(2026, 6, 30)] == 4  # A joins
    assert series[2][date(2026, 8, 31)] == 3 and series[3][date(2026, 8, 31)] == 1  # B moved on to 3
    assert series[2][date(2025, 9, 30)] == 1  # only F (imported at 2)
    assert series[2][TODAY] == 3
    # fiscal-year end 2026-03-31: I not yet a member; H still counted (active then); B, F, G at 2.
    assert report.fiscal_years == [(date(2026, 3, 31), {1: 5, 2: 3}), (TODAY, {1: 4, 2: 3, 3: 1})]


@pytest.mark.usefixtures("city")
def test_departments_are_suppressed_under_five_people(sessions):
    report, tree = _report(sessions)
    assert report.departments[_dept(tree, "100")] == (6, {1: 3, 2: 2, 3: 1})
    assert report.departments[_dept(tree, "200")] == (2, None)  # G and I: too few to show


def test_course_stats_count_enrolments_completions_hours_and_median_days(sessions, city):
    for key, done, hours in [("A", date(2026, 4, 11), 2.0), ("B", date(2026, 4, 21), 3.0),
                             ("C", date(2026, 5, 1), 4.0), ("D", date(2026, 5, 31), 5.0)]:
        _enrolment(sessions, city[key], "big", "completed", done, hours)
    _enrolment(sessions, city["E"], "big", "enrolled")
    _enrolment(sessions, city["F"], "big", "withdrawn")
    _enrolment(sessions, city["A"], "small", "completed", date(2026, 5, 1), 1.0)
    report, _ = _report(sessions)
    big, small = report.courses
    assert (big.course_id, big.enrolments, big.completions, big.hours, big.median_days) == (
        "big", 5, 4, 14.0, 25.0)  # days 10, 20, 30, 60 -> median 25
    assert (small.course_id, small.enrolments, small.completions, small.hours, small.median_days) == (
        "small", None, None, None, None)


def test_community_counts_current_members_once(sessions, city):
    _community(sessions, city["A"], _utc(2026, 1, 1), None)
    _community(sessions, city["B"], _utc(2026, 1, 1), _utc(2026, 6, 1))  # left
    _community(sessions, city["C"], _utc(2026, 12, 1), None)  # not yet
    _community(sessions, city["E"], _utc(2026, 1, 1), _utc(2027, 1, 1))  # leaves later
    _community(sessions, city["E"], _utc(2026, 2, 1), None)  # a second row for E: still one person
    report, _ = _report(sessions)
    assert report.community == 2


def test_self_assessment_levels_use_the_latest_sheet_and_suppress_small_groups(sessions, city):
    # 自治体DX = rows 1 and 2; BPR = row 3.
    sheet(sessions, city["A"], 2, None, {1: 1, 2: 1, 3: 1}, at=NOW - timedelta(days=30))  # superseded
    sheet(sessions, city["A"], 2, None, {1: 4, 2: 2, 3: 4})
    for key, r1, r2 in [("B", 3, 3), ("C", 2, 2), ("D", 1, 2), ("E", 2, 1)]:
        sheet(sessions, city[key], 2, None, {1: r1, 2: r2})
    sheet(sessions, city["G"], 2, None, {1: 4, 2: 4, 3: 2})
    report, tree = _report(sessions)
    d100, d200 = _dept(tree, "100"), _dept(tree, "200")
    # person means in 自治体DX: A 3, B 3, C 2, D 1.5, E 1.5 -> 11/5 = 2.2
    assert report.levels[(d100, "dx")] == (5, 2.2)
    assert report.levels[(d100, "bpr")] == (1, None)  # only A rated BPR
    assert report.levels[(d200, "dx")] == (1, None)
    assert report.levels[(None, "dx")] == (6, 2.5)  # (11 + 4) / 6
    assert report.levels[(None, "bpr")] == (2, None)


def test_suppress_and_month_ends():
    assert suppress(MIN_GROUP - 1) is None and suppress(MIN_GROUP) == MIN_GROUP
    assert suppress(7, 2.5) == 2.5 and suppress(4, 2.5) is None
    assert month_ends(date(2026, 1, 15), date(2026, 3, 31)) == [date(2026, 1, 31), date(2026, 2, 28),
                                                                  date(2026, 3, 31)]
    assert month_ends(date(2026, 1, 1), date(2026, 3, 5)) == [date(2026, 1, 31), date(2026, 2, 28),
                                                                date(2026, 3, 5)]
    assert series_start(TODAY) == date(2025, 4, 1)
    assert fy_points(date(2024, 4, 1), TODAY) == [date(2025, 3, 31), date(2026, 3, 31), TODAY]


D0 = date(2026, 1, 1)
T2 = Target(tier=2, headcount=450, fiscal_year=2027)


def _points(counts: list[int], start: date = D0) -> list[tuple[date, int]]:
    return [(start + timedelta(days=30 * k), n) for k, n in enumerate(counts)]


def test_projection_on_a_straight_line_reaches_the_target_on_the_computed_day():
    # 200, 210, … every 30 days: 1/3 a day; 450 is 250 above the start -> day 750 = 2028-01-21.
    p = project(_points([200 + 10 * k for k in range(12)]), T2)
    assert p.reached_on == date(2028, 1, 21) and p.on_track and not p.met
    assert p.deadline == date(2028, 3, 31)
    assert p.projected == pytest.approx(200 + 820 / 3)  # 2028-03-31 is day 820
    assert p.slope_per_month == pytest.approx(365.25 / 12 / 3)
    assert p.current == 310


def test_projection_uses_only_the_last_twelve_points():
    counts = [0] + [200 + 10 * k for k in range(12)]  # an outlier before the last twelve
    p = project(_points(counts, D0 - timedelta(days=30)), T2)
    assert p.reached_on == date(2028, 1, 21)


def test_projection_too_slow_flat_too_few_and_already_met():
    slow = project(_points([100 + k for k in range(12)]), T2)  # 1 per 30 days: 450 in about 29 years
    assert slow.reached_on is not None and slow.reached_on > slow.deadline and not slow.on_track
    flat = project(_points([300] * 8), T2)
    assert flat.reached_on is None and not flat.on_track and flat.slope_per_month == 0
    few = project(_points([100, 200, 300, 400, 440]), T2)
    assert few.slope_per_month is None and few.reached_on is None and not few.on_track
    met = project(_points([400, 449, 450, 460]), T2)
    assert met.met and met.on_track and met.reached_on == D0 + timedelta(days=60)


def test_kpi_workbook_on_the_known_data_set(sessions, city, tmp_path):
    for key in "ABCDE":
        _enrolment(sessions, city[key], "big", "completed", date(2026, 4, 11), 2.0)
    path = tmp_path / "kpi.xlsx"
    export_kpi(path, sessions, load_plan(), today=TODAY, tz=TZ)
    wb = load_workbook(path)
    depts = list(wb["所属別"].iter_rows(values_only=True))
    assert depts[1] == ("100", "都市経営部", "○", 6, 3, 2, 1, None)
    assert depts[2] == ("200", "市民協働部", None, 2, None, None, None, "5人未満のため非表示")
    assert depts[3] == (None, "合計", None, 8, 4, 3, 1, None)
    assert list(wb["研修別"].iter_rows(values_only=True))[1] == ("big", None, None, 5, 5, 10, 10, None)
    people = list(wb["対象者"].iter_rows(values_only=True))
    assert [r[0] for r in people[1:]] == ["00A", "00B", "00C", "00D", "00E", "00F", "00G", "00I"]
    assert people[2][2:] == ("都市経営部", "推進係", 3, "主導・推進する職員", "主導する職員/シス")
