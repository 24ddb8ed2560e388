"""Export training records: sheets 研修記録 (one row per enrolment), 所属別集計 (per 部局), 資格, On-JT and
コミュニティ活動 (community events attended, with their hours)."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot.plan.model import Plan
from storage.db import SessionFactory
from storage.exporting.data import active_staff, enrolment_rows, units_on
from storage.exporting.records_community import community_sheet
from storage.exporting.records_extra import onjt_sheet, qualification_sheet
from storage.exporting.sheets import DATE, Sheet, new_workbook
from storage.org import OrgTree

HEADERS = ("職員番号", "氏名", "所属コード", "所属名", "段階", "研修ID", "研修名", "研修の段階", "状態",
           "受講開始日", "修了日", "時間", "登録元")
WIDTHS = (12, 16, 11, 24, 7, 24, 36, 10, 8, 12, 12, 7, 10)
STATUS_JA = {"enrolled": "受講中", "completed": "修了", "withdrawn": "取消"}
SOURCE_JA = {"self": "本人報告", "import": "取り込み", "approval": "承認", "event": "イベント"}
CITY_TZ = ZoneInfo("Asia/Tokyo")  # the day an event took place (callers pass the bot's time zone)
NO_DEPT = "（所属なし・退職者）"


@dataclass
class DeptTotals:
    """Per-部局 counts for the summary sheet."""

    staff: int = 0
    tiers: dict[int, int] = field(default_factory=dict)
    enrolled: int = 0
    completed: int = 0
    hours: float = 0.0


def export_records(path: Path, sessions: SessionFactory, plan: Plan, *, today: date,
                   tz: ZoneInfo = CITY_TZ) -> int:
    """Write the records as .xlsx (five sheets) or .csv (研修記録 only, UTF-8 with BOM); return the record rows."""
    with sessions() as session:
        conn = session.connection()
        tree = OrgTree.load(session)
        units = units_on(conn, today)
        rows = _record_rows(enrolment_rows(conn), tree, units, plan)
        if path.suffix.lower() == ".csv":
            return _write_csv(path, rows)
        wb = new_workbook()
        sheet = Sheet(wb, "研修記録", HEADERS, WIDTHS, {9: DATE, 10: DATE})
        totals: dict[int | None, DeptTotals] = {}
        for values, dept in rows:
            sheet.append(values)
            _count(totals, dept, values)
        for sid, tier in active_staff(conn):
            unit = units.get(sid)
            t = totals.setdefault(tree.department(unit) if unit is not None else None, DeptTotals())
            t.staff += 1
            t.tiers[tier] = t.tiers.get(tier, 0) + 1
        _summary(wb, totals, tree, plan)
        qualification_sheet(wb, conn, tree, units, plan)
        onjt_sheet(wb, conn, tree, units, plan)
        community_sheet(wb, conn, tree, units, tz)
        wb.save(path)
        return sheet.rows


def _record_rows(source: Iterator[Any], tree: OrgTree, units: dict[int, int],
                 plan: Plan) -> Iterator[tuple[list[Any], int | None]]:
    """(cells of the 研修記録 row, the person's 部局) for every enrolment."""
    for r in source:
        unit = units.get(r.id)
        course = plan.courses.get(r.course_id)
        values = [r.number, r.name, tree.code.get(unit, "") if unit else "", tree.name.get(unit, "") if unit
                  else "", r.tier, r.course_id, course.name if course else r.course_id,
                  course.tier if course else "", STATUS_JA.get(r.status, r.status), r.enrolled_on,
                  r.completed_on, r.hours, SOURCE_JA.get(r.source, r.source)]
        yield values, (tree.department(unit) if unit is not None and r.active else None)


def _count(totals: dict[int | None, DeptTotals], dept: int | None, values: list[Any]) -> None:
    t = totals.setdefault(dept, DeptTotals())
    status = values[8]
    if status == "受講中":
        t.enrolled += 1
    elif status == "修了":
        t.completed += 1
        t.hours += values[11] or 0.0


def _summary(wb: Any, totals: dict[int | None, DeptTotals], tree: OrgTree, plan: Plan) -> None:
    """Sheet 所属別集計: one row per 部局 (plus people without a unit), then a total row."""
    levels = [t.level for t in plan.tiers]
    headers = ["部局コード", "部局名", "職員数", *(f"段階{lv} {plan.tier(lv).name_ja}" for lv in levels),
               "受講中件数", "修了件数", "修了時間合計"]
    sheet = Sheet(wb, "所属別集計", headers, [11, 24, 9, *([14] * len(levels)), 11, 10, 12])
    keys: list[int | None] = [*tree.departments(), None]
    grand = DeptTotals()
    for key in keys:
        t = totals.get(key)
        if t is None and key is None:
            continue
        t = t or DeptTotals()
        code, name = (tree.code[key], tree.name[key]) if key is not None else ("", NO_DEPT)
        sheet.append(_summary_row(code, name, t, levels))
        grand.staff, grand.enrolled, grand.completed = (grand.staff + t.staff, grand.enrolled + t.enrolled,
                                                        grand.completed + t.completed)
        grand.hours += t.hours
        for lv, n in t.tiers.items():
            grand.tiers[lv] = grand.tiers.get(lv, 0) + n
    sheet.append(_summary_row("", "合計", grand, levels))


def _summary_row(code: str, name: str, t: DeptTotals, levels: list[int]) -> list[Any]:
    return [code, name, t.staff, *(t.tiers.get(lv, 0) for lv in levels), t.enrolled, t.completed,
            round(t.hours, 2)]


def _write_csv(path: Path, rows: Iterator[tuple[list[Any], int | None]]) -> int:
    """The 研修記録 sheet as CSV, UTF-8 with BOM so that Excel reads it as Unicode."""
    count = 0
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADERS)
        for values, _dept in rows:
            writer.writerow([_csv_value(v) for v in values])
            count += 1
    return count


def _csv_value(value: Any) -> Any:
    """Dates as YYYY-MM-DD, whole hours without '.0', blanks for None."""
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:g}"
    return value
