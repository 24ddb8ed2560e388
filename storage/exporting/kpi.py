"""Export the KPI workbook: 概要, 推移, 所属別, 研修別, 自己評価, 対象者 and the learning community's
コミュニティ推移, コミュニティ年度別, コミュニティ所属別 (administrators only: the CLI).

The figures come from bot.kpi and bot.kpi_community (see their docstrings for the counting rules: each
target counts its tier exactly; groups under 5 people are suppressed and marked so).
"""

from __future__ import annotations

import csv
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot.kpi import MIN_GROUP, KpiReport, Projection, build_report, reiwa_label
from bot.plan.model import Plan
from storage.db import SessionFactory
from storage.exporting.sheets import DATE, PERCENT, Sheet, new_workbook
from storage.kpi import load_kpi_data
from storage.org import OrgTree

TOKYO = ZoneInfo("Asia/Tokyo")
SUPPRESSED = f"{MIN_GROUP}人未満のため非表示"
OVERVIEW = ("段階", "段階名", "人数（この段階）", "人数（この段階以上）", "目標人数", "目標年度", "達成率",
            "月あたり増加（最近の傾向）", "目標年度末の見込み", "達成見込み日", "判定")
COURSES = ("研修ID", "研修名", "段階", "受講者数", "修了者数", "修了時間合計", "修了までの日数（中央値）", "備考")
PEOPLE = ("職員番号", "氏名", "部局", "所属", "段階", "段階名", "区分")
CLUB_TREND = ("時点", "区分", "参加者数")
CLUB_YEARS = ("年度", "開催回数", "勉強会", "ワークショップ", "イベント", "出席（延べ人数）", "出席した人数",
              "出席時間合計")
CLUB_KINDS = ("study_group", "workshop", "event")
CLUB_DEPTS = ("部局コード", "部局名", "参加者数（現在）", "出席（延べ人数）", "出席した人数", "出席時間合計", "備考")


def reiwa(fiscal_year: int) -> str:
    """2027 -> 令和9年度."""
    return reiwa_label(fiscal_year)


def load_report(sessions: SessionFactory, plan: Plan, today: date, tz: ZoneInfo) -> tuple[KpiReport, OrgTree,
                                                                                          dict[int, tuple[str, str]]]:
    """The KPI report as of the end of `today`, the org tree, and staff id -> (職員番号, 氏名)."""
    now = datetime.combine(today + timedelta(days=1), time(), tz)
    with sessions() as session:
        data = load_kpi_data(session.connection(), now)
        tree = OrgTree.load(session)
    names = {p.id: (p.number, p.name) for p in data.people}
    return build_report(plan, data, tree.department, today, tz), tree, names


def export_kpi(path: Path, sessions: SessionFactory, plan: Plan, *, today: date, tz: ZoneInfo = TOKYO) -> int:
    """Write the KPI workbook (.xlsx) or its tables one after the other (.csv); return data rows."""
    report, tree, names = load_report(sessions, plan, today, tz)
    tables = [
        ("概要", OVERVIEW, _overview(plan, report), (7, 20, 14, 16, 10, 12, 10, 16, 16, 14, 26),
         {6: PERCENT, 9: DATE}),
        ("推移", _trend_headers(plan), _trend(plan, report), (14, 10, *([16] * len(plan.tiers))), {0: DATE}),
        ("所属別", _dept_headers(plan), _departments(plan, tree, report),
         [11, 24, 14, 9, *([16] * len(plan.tiers)), 22], {}),
        ("研修別", COURSES, _courses(plan, report), (22, 36, 7, 10, 10, 12, 18, 22), {}),
        ("自己評価", ("スキル領域", "部局", "回答者数", "平均レベル", "備考"), _levels(plan, tree, report),
         (22, 24, 10, 10, 22), {}),
        ("対象者", PEOPLE, _people(plan, tree, report, names), (12, 18, 20, 20, 7, 20, 20), {}),
        ("コミュニティ推移", CLUB_TREND, _club_trend(report), (14, 10, 12), {0: DATE}),
        ("コミュニティ年度別", CLUB_YEARS, _club_years(report), (14, 10, 10, 14, 10, 16, 14, 14), {}),
        ("コミュニティ所属別", _club_dept_headers(report), _club_departments(tree, report),
         (11, 24, 16, 16, 14, 14, 22), {}),
    ]
    if path.suffix.lower() == ".csv":
        return _write_csv(path, *([list(headers), *rows] for _, headers, rows, _, _ in tables))
    wb = new_workbook()
    for title, headers, rows, widths, formats in tables:
        Sheet(wb, title, headers, widths, formats).extend(rows)
    wb.save(path)
    return sum(len(rows) for _, _, rows, _, _ in tables)


def _verdict(p: Projection) -> str:
    """Whether the target is met, will be met (and when), or will not be at the present pace."""
    if p.met:
        return "達成"
    if p.slope_per_month is None:
        return "データ不足（月末6点未満）"
    if p.on_track:
        return "達成見込み"
    return "このままでは未達"


def _overview(plan: Plan, report: KpiReport) -> list[list[Any]]:
    """One row per tier (target, rate = people at exactly that tier ÷ target, projection), then the community."""
    totals: dict[int, int] = {}
    for (tier, _), n in report.now.items():
        totals[tier] = totals.get(tier, 0) + n
    projections = {p.target.tier: p for p, _ in report.targets}
    rows: list[list[Any]] = []
    for tier in plan.tiers:
        exact = totals.get(tier.level, 0)
        at_least = sum(n for lv, n in totals.items() if lv >= tier.level)
        p = projections.get(tier.level)
        if p is None:
            rows.append([tier.level, tier.name_ja, exact, at_least, "全職員", "", "", "", "", "", ""])
            continue
        rate = round(exact / p.target.headcount, 4) if p.target.headcount else None
        rows.append([tier.level, tier.name_ja, exact, at_least, p.target.headcount, reiwa(p.target.fiscal_year),
                     rate, _round(p.slope_per_month), _round(p.projected), p.reached_on or "", _verdict(p)])
    rows.append(["", "学びのコミュニティ参加者", report.community, "", "", "", "", "", "", "", ""])
    return rows


def _round(value: float | None) -> float | str:
    """One decimal, or blank."""
    return "" if value is None else round(value, 1)


def _trend_headers(plan: Plan) -> list[str]:
    return ["時点", "区分", *(f"段階{t.level} {t.name_ja}" for t in plan.tiers)]


def _trend(plan: Plan, report: KpiReport) -> list[list[Any]]:
    """Each month-end of the burn-up and today, then each past fiscal-year end: people per tier."""
    rows: list[list[Any]] = []
    for day, counts in report.months:
        rows.append([day, "本日" if day == report.today else "月末", *(counts.get(t.level, 0) for t in plan.tiers)])
    for day, counts in report.fiscal_years:
        if day != report.today:
            rows.append([day, f"{reiwa(day.year - 1)}末", *(counts.get(t.level, 0) for t in plan.tiers)])
    return rows


def _dept_headers(plan: Plan) -> list[str]:
    return ["部局コード", "部局名", "デジタル関連部局", "職員数", *(f"段階{t.level} {t.name_ja}" for t in plan.tiers),
            "備考"]


def _departments(plan: Plan, tree: OrgTree, report: KpiReport) -> list[list[Any]]:
    """One row per 部局 with people per tier (blank and marked when under MIN_GROUP), then the city total."""
    rows: list[list[Any]] = []
    for dept in tree.departments():
        if dept not in report.departments:
            continue
        n, tiers = report.departments[dept]
        cells = [tiers.get(t.level, 0) for t in plan.tiers] if tiers is not None else [""] * len(plan.tiers)
        rows.append([tree.code[dept], tree.name[dept], "○" if tree.is_digital(dept) else "",
                     n, *cells, "" if tiers is not None else SUPPRESSED])
    grand: dict[int, int] = {}
    for (tier, _), count in report.now.items():
        grand[tier] = grand.get(tier, 0) + count
    rows.append(["", "合計", "", sum(grand.values()), *(grand.get(t.level, 0) for t in plan.tiers), ""])
    return rows


def _courses(plan: Plan, report: KpiReport) -> list[list[Any]]:
    """One row per course (suppressed ones marked)."""
    rows: list[list[Any]] = []
    for c in report.courses:
        course = plan.courses.get(c.course_id)
        name, tier = (course.name, course.tier) if course is not None else ("", "")
        if c.enrolments is None:
            rows.append([c.course_id, name, tier, "", "", "", "", SUPPRESSED])
            continue
        rows.append([c.course_id, name, tier, c.enrolments, c.completions, c.hours,
                     "" if c.median_days is None else c.median_days, ""])
    return rows


def _levels(plan: Plan, tree: OrgTree, report: KpiReport) -> list[list[Any]]:
    """Mean self-assessed level per skill area: the whole city, then each 部局 (suppressed ones marked)."""
    rows: list[list[Any]] = []
    groups: list[int | None] = [None, *tree.departments()]
    for area in plan.skill_areas:
        for group in groups:
            found = report.levels.get((group, area.key))
            if found is None:
                continue
            n, level = found
            rows.append([area.name_ja, "全体" if group is None else tree.name[group], n,
                         "" if level is None else level, "" if level is not None else SUPPRESSED])
    return rows


def _people(plan: Plan, tree: OrgTree, report: KpiReport, names: dict[int, tuple[str, str]]) -> list[list[Any]]:
    """Everyone counted today, by 職員番号: 部局, unit, tier and track."""
    tier_names = {t.level: t.name_ja for t in plan.tiers}
    track_names = {t.key: t.name_ja for t in plan.tracks}
    rows = []
    for sid, unit, (tier, track) in report.counted:
        number, name = names[sid]
        rows.append([number, name, tree.name[tree.department(unit)], tree.name[unit], tier,
                     tier_names.get(tier, ""), track_names.get(track or "", "")])
    return sorted(rows, key=lambda r: r[0])


def _club_trend(report: KpiReport) -> list[list[Any]]:
    """Members of the learning community at each month-end of the burn-up, and now."""
    return [[day, "本日" if day == report.today else "月末", n] for day, n in report.club.monthly]


def _club_years(report: KpiReport) -> list[list[Any]]:
    """Each fiscal year: events held (by kind), attendances, distinct attendees and hours."""
    return [[reiwa(y.fiscal_year), y.events, *(y.by_kind.get(k, 0) for k in CLUB_KINDS), y.attendances, y.attendees,
             y.hours] for y in report.club.years]


def _club_dept_headers(report: KpiReport) -> list[str]:
    fy = reiwa(report.club.fiscal_year)
    return [*CLUB_DEPTS[:3], *(f"{fy} {h}" for h in CLUB_DEPTS[3:6]), CLUB_DEPTS[6]]


def _club_departments(tree: OrgTree, report: KpiReport) -> list[list[Any]]:
    """One row per 部局 with members or attendance (each figure blank and marked under MIN_GROUP), then the city."""
    rows: list[list[Any]] = []
    for dept in tree.departments():
        d = report.club.departments.get(dept)
        if d is None:
            continue
        hidden = d.members is None or d.attendances is None
        rows.append([tree.code[dept], tree.name[dept], _blank(d.members), _blank(d.attendances),
                     _blank(d.attendees), _blank(d.hours), SUPPRESSED if hidden else ""])
    year = next((y for y in report.club.years if y.fiscal_year == report.club.fiscal_year), None)
    rows.append(["", "合計", report.club.members, year.attendances if year else 0, year.attendees if year else 0,
                 year.hours if year else 0.0, ""])
    return rows


def _blank(value: float | None) -> float | str:
    return "" if value is None else value


def _write_csv(path: Path, *tables: list[Any]) -> int:
    """Tables separated by a blank line, UTF-8 with BOM for Excel."""
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        for i, table in enumerate(tables):
            if i:
                writer.writerow([])
            writer.writerows(["" if v is None else v for v in row] for row in table)
    return sum(len(t) - 1 for t in tables)
