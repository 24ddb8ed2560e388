"""The learning community in the KPI, on a known data set (hand-computed): members over time, events held,
attendance and hours, by 部局 with small groups suppressed; in the message and the workbook; and the KPI read
stays a fixed number of SQL statements."""

from __future__ import annotations

import json
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from builders import NOW, TODAY, org, person
from openpyxl import load_workbook
from sqlalchemy import event

from bot.blockkit import assert_message_ok
from bot.blocks.kpi import kpi_message
from bot.kpi import build_report
from bot.kpi_community import departments
from bot.plan import load_plan
from storage.community_models import CommunityEvent, EventRsvp
from storage.db import SessionFactory
from storage.exporting.kpi import export_kpi
from storage.kpi import Attendance, load_kpi_data
from storage.manager_models import CommunityMember
from storage.models import Staff
from storage.org import OrgTree

TZ = ZoneInfo("Asia/Tokyo")


def _utc(y: int, m: int, d: int, h: int = 1) -> datetime:
    return datetime(y, m, d, h, tzinfo=UTC)


def _spell(s, staff_id: int, joined: datetime, left: datetime | None = None) -> None:
    s.add(CommunityMember(staff_id=staff_id, joined_at=joined, left_at=left))


def _event(s, organiser: int, kind: str, starts: datetime, hours: float, status: str = "scheduled") -> int:
    e = CommunityEvent(title="勉強会", kind=kind, starts_at=starts, ends_at=starts + timedelta(hours=2), capacity=30,
                       hours=hours, organiser_id=organiser, status=status, created_at=NOW, updated_at=NOW)
    s.add(e)
    s.flush()
    assert e.id is not None
    return e.id


def _rsvp(s, event_id: int, staff_id: int, attended: bool | None, hours: float | None = None,
          status: str = "going") -> None:
    s.add(EventRsvp(event_id=event_id, staff_id=staff_id, status=status, queued_at=NOW, updated_at=NOW,
                    attended=attended, hours=hours))


@pytest.fixture
def club(sessions: SessionFactory) -> dict[str, int]:
    """都市経営部 (100): A..F; 市民協働部 (200): G, H (inactive), I. Spells, events and RSVPs as commented."""
    units = org(sessions)
    ids = {k: person(sessions, units["111"], f"00{k}").id for k in "ABCDEF"}
    ids |= {k: person(sessions, units["210"], f"00{k}").id for k in "GHI"}
    A, B, C, D, E, F, G, H = (ids[k] for k in "ABCDEFGH")  # noqa: N806
    with sessions() as s:
        s.get(Staff, H).active = False  # type: ignore[union-attr]
        _spell(s, A, _utc(2026, 9, 15), None)
        _spell(s, B, datetime(2026, 9, 30, 16, tzinfo=UTC))  # 1 October, 01:00 in Tokyo: not a member on 30 Sep
        _spell(s, C, _utc(2026, 10, 5), _utc(2026, 11, 10))  # left
        _spell(s, D, _utc(2026, 10, 5))
        _spell(s, E, _utc(2026, 10, 20))
        _spell(s, F, _utc(2026, 11, 1))
        _spell(s, G, _utc(2026, 9, 1))
        _spell(s, H, _utc(2026, 9, 1))  # inactive now: counted in September and October only
        e1 = _event(s, A, "study_group", _utc(2025, 6, 10), 2.0)  # FY2025
        e2 = _event(s, A, "workshop", _utc(2026, 5, 20), 3.0)
        e3 = _event(s, A, "event", _utc(2026, 10, 15), 1.5)
        e4 = _event(s, A, "study_group", _utc(2026, 11, 1), 2.0, status="cancelled")  # never held
        e5 = _event(s, A, "study_group", _utc(2026, 12, 10), 2.0)  # not yet held
        e6 = _event(s, A, "study_group", datetime(2026, 3, 31, 15, tzinfo=UTC), 1.0)  # 1 April in Tokyo: FY2026
        _rsvp(s, e1, A, True, hours=2.0)
        _rsvp(s, e1, B, True, hours=1.0)  # the hours credited to the person (not the event's)
        _rsvp(s, e1, C, None)  # attendance not marked
        _rsvp(s, e1, D, None, status="declined")
        for k in (A, B, C, D, E):
            _rsvp(s, e2, k, True, hours=3.0)
        _rsvp(s, e2, F, False)
        _rsvp(s, e3, A, True, hours=1.5)
        _rsvp(s, e3, G, True, hours=1.5)
        _rsvp(s, e3, H, True)  # attended, no hours credited: counts, with 0 hours
        _rsvp(s, e4, A, True, hours=2.0)
        _rsvp(s, e5, A, None)
        _rsvp(s, e6, B, True, hours=1.0)
        s.commit()
    return ids  # type: ignore[return-value]


def _report(sessions: SessionFactory):
    with sessions() as s:
        data = load_kpi_data(s.connection(), NOW)
        tree = OrgTree.load(s)
    return build_report(load_plan(), data, tree.department, TODAY, TZ), tree


def _dept(tree: OrgTree, code: str) -> int:
    return next(u for u, c in tree.code.items() if c == code)


@pytest.mark.usefixtures("club")
def test_members_now_and_at_each_month_end_in_city_time(sessions):
    report, _ = _report(sessions)
    club = report.club
    assert report.community == club.members == 6  # A B D E F G (C left, H inactive)
    monthly = dict(club.monthly)
    assert [d for d, _ in club.monthly] == [d for d, _ in report.months]  # the tier series' points
    assert monthly[date(2026, 8, 31)] == 0
    assert monthly[date(2026, 9, 30)] == 3  # A G H; B joined on 1 October in Tokyo
    assert monthly[date(2026, 10, 31)] == 7  # A B C D E G H
    assert monthly[TODAY] == 6


@pytest.mark.usefixtures("club")
def test_events_held_attendances_and_hours_per_fiscal_year(sessions):
    club = _report(sessions)[0].club
    assert [(y.fiscal_year, y.events, y.by_kind, y.attendances, y.attendees, y.hours) for y in club.years] == [
        (2025, 1, {"study_group": 1}, 2, 2, 3.0),  # A 2.0 + B 1.0
        # e2 5 × 3.0, e3 1.5 + 1.5 + 0 (H), e6 1.0; the cancelled and the future event left out
        (2026, 3, {"workshop": 1, "event": 1, "study_group": 1}, 9, 7, 19.0),
    ]


@pytest.mark.usefixtures("club")
def test_departments_suppress_groups_under_five(sessions):
    report, tree = _report(sessions)
    d100, d200 = report.club.departments[_dept(tree, "100")], report.club.departments[_dept(tree, "200")]
    assert (d100.members, d100.attendances, d100.attendees, d100.hours) == (5, 7, 5, 17.5)  # A B D E F; 5+1+1
    assert (d200.members, d200.attendances, d200.attendees, d200.hours) == (None, None, None, None)  # G; G H


def test_attendance_counts_in_the_department_of_the_event_day():
    moved = Attendance(1, _utc(2026, 5, 1), 2.0)
    rows = [moved, *(Attendance(k, _utc(2026, 6, 1), 1.0) for k in range(2, 6))]
    found = departments({1}, rows, 2026, TZ, {1: 20, 2: 10, 3: 10, 4: 10, 5: 10},
                        lambda sid, day: 10 if sid == 1 and day < date(2026, 5, 15) else None)
    assert (found[10].attendances, found[10].attendees, found[10].hours) == (5, 5, 6.0)  # 1 was in 10 then
    assert found[20].members is None and found[20].attendances is None


@pytest.mark.usefixtures("club")
def test_the_message_shows_the_community_and_hides_small_departments(sessions):
    report, tree = _report(sessions)
    names = {d: tree.name[d] for d in tree.departments()}
    text, blocks = kpi_message(report, load_plan(), "ja", names=names, charts="thread")
    assert_message_ok(blocks, text)
    body = json.dumps(blocks, ensure_ascii=False)
    assert "学びのコミュニティ参加者: 6 人" in body
    assert "2026-09 3人 → 2026-10 7人 → 2026-11 6人" in body
    assert "2026年度: 開催 3 回、出席 延べ 9 人（7 人）、出席時間 計 19 時間" in body
    assert "• 都市経営部: 参加者 5 人、出席 延べ 7 人・17.5 時間" in body
    assert "• 市民協働部: 参加者 非表示、出席 非表示" in body
    assert body.index("• 都市経営部") < body.index("• 市民協働部")  # the org tree's order
    assert "スレッド" in body
    en = json.dumps(kpi_message(report, load_plan(), "en", names=names)[1], ensure_ascii=False)
    assert "FY2026: 3 events held, 9 attendances (7 people), 19 hours in all" in en


@pytest.mark.usefixtures("club")
def test_the_workbook_has_the_community_sheets(sessions, tmp_path):
    path = tmp_path / "kpi.xlsx"
    export_kpi(path, sessions, load_plan(), today=TODAY, tz=TZ)
    wb = load_workbook(path)
    assert wb.sheetnames[:6] == ["概要", "推移", "所属別", "研修別", "自己評価", "対象者"]
    trend = list(wb["コミュニティ推移"].iter_rows(values_only=True))
    assert trend[0] == ("時点", "区分", "参加者数")
    assert [(r[0].date(), r[1], r[2]) for r in trend[-3:]] == [
        (date(2026, 9, 30), "月末", 3), (date(2026, 10, 31), "月末", 7), (TODAY, "本日", 6)]
    years = list(wb["コミュニティ年度別"].iter_rows(values_only=True))
    assert years[1:] == [("令和7年度", 1, 1, 0, 0, 2, 2, 3), ("令和8年度", 3, 1, 1, 1, 9, 7, 19)]
    depts = list(wb["コミュニティ所属別"].iter_rows(values_only=True))
    fy = "令和8年度"
    assert depts[0] == ("部局コード", "部局名", "参加者数（現在）", f"{fy} 出席（延べ人数）", f"{fy} 出席した人数",
                        f"{fy} 出席時間合計", "備考")
    assert depts[1:] == [("100", "都市経営部", 5, 7, 5, 17.5, None),
                         ("200", "市民協働部", None, None, None, None, "5人未満のため非表示"),
                         (None, "合計", 6, 9, 7, 19, None)]
    overview = list(wb["概要"].iter_rows(values_only=True))
    assert overview[-1][1:3] == ("学びのコミュニティ参加者", 6)


@contextmanager
def _counting(engine):
    statements: list[str] = []

    def count(conn, cursor, statement, *args):  # noqa: ARG001
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def _statements(engine, sessions) -> int:
    with sessions() as s:
        conn = s.connection()
        with _counting(engine) as statements:
            load_kpi_data(conn, NOW)
    return len(statements)


def test_the_kpi_read_is_a_fixed_number_of_statements(engine, sessions):
    empty = _statements(engine, sessions)
    ids = org(sessions)
    people = [person(sessions, ids["111"], f"N{i:03d}").id for i in range(30)]
    with sessions() as s:
        for i, sid in enumerate(people):
            _spell(s, sid, _utc(2026, 1, 1 + i % 28))  # type: ignore[arg-type]
            e = _event(s, sid, "study_group", _utc(2026, 5, 1 + i % 28), 1.0)  # type: ignore[arg-type]
            _rsvp(s, e, sid, True)  # type: ignore[arg-type]
        s.commit()
    assert _statements(engine, sessions) == empty == 8
