"""Team spreadsheets (.xlsx, Japanese headers): the digest's full list and a manager's team export.

Sheets are built as plain data first (`SheetSpec`), then rendered with openpyxl. The digest planner stores
the data (compressed JSON, `pack`) and the file is rendered when it is uploaded: rendering every unit's
workbook while planning would cost minutes for a large city, and a file is only needed once its digest
has been sent.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from io import BytesIO
from typing import Any
from zoneinfo import ZoneInfo

from bot.blocks.digest import detail_line
from bot.i18n import t
from bot.plan import Plan
from bot.services.manager_digest import DigestContent
from bot.services.manager_facts import Status
from storage.exporting.sheets import DATE, Sheet, new_workbook
from storage.team import CourseRow

PEOPLE_HEADERS = ("職員番号", "氏名", "所属コード", "所属名", "役職", "段階", "トラック", "修了講座数", "必要講座数",
                  "修了時間", "受講中", "滞っている研修", "未着手の必須研修", "自己評価シート提出日",
                  "ステップアップ", "コミュニティ", "推薦", "今週の働きかけ")
PEOPLE_WIDTHS = (12, 16, 11, 24, 10, 18, 18, 10, 10, 9, 7, 30, 30, 14, 22, 11, 16, 12)
DIGEST_HEADERS = ("区分", "職員番号", "氏名", "所属名", "段階", "内容")
DIGEST_WIDTHS = (26, 12, 16, 24, 18, 60)
COURSE_HEADERS = ("職員番号", "氏名", "研修ID", "研修名", "状態", "受講開始日", "修了日", "時間")
COURSE_WIDTHS = (12, 16, 24, 40, 8, 12, 12, 7)
STATUS_JA = {"enrolled": "受講中", "completed": "修了", "withdrawn": "取消"}
REC_JA = {"step_up": "ステップアップ", "community": "コミュニティ"}
Cell = str | int | float | None


@dataclass(frozen=True)
class SheetSpec:
    """One sheet as data: dates are ISO strings in the `dates` columns."""

    title: str
    headers: tuple[str, ...]
    widths: tuple[float, ...]
    dates: tuple[int, ...]
    rows: list[list[Cell]]


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _tier(plan: Plan, level: int) -> str:
    return next((f"{tier.level}. {tier.name_ja}" for tier in plan.tiers if tier.level == level), str(level))


def _track(plan: Plan, key: str | None) -> str:
    return next((track.name_ja for track in plan.tracks if track.key == key), "") if key else ""


def _course(plan: Plan, course_id: str) -> str:
    course = plan.courses.get(course_id)
    return course.name if course else course_id


def _step_up(s: Status) -> str:
    if s.pending is not None:
        return "申請中（所属長承認済み・確認待ち）" if s.pending.approved_by else "申請中"
    if s.ready:
        return "申請できる（未申請）"
    return t("ja", f"step_up_{s.step_up_reason}") if s.step_up_reason else ""


def person_row(plan: Plan, s: Status, unit_codes: Mapping[int, str], unit_names: Mapping[int, str]) -> list[Cell]:
    """One row of 職員一覧."""
    m = s.member
    stalled = "、".join(f"{_course(plan, c)}（{d.isoformat()}〜）" for c, d in s.stalled)
    return [m.number, m.name, unit_codes.get(m.unit_id, ""), unit_names.get(m.unit_id, ""), m.position,
            _tier(plan, m.tier), _track(plan, m.track), s.done, s.total, s.hours_done, s.enrolled, stalled,
            "、".join(_course(plan, c) for c in s.overdue), _iso(s.sheet_day), _step_up(s),
            "参加" if s.in_community else "未参加", "、".join(REC_JA.get(k, k) for k in sorted(s.recommended)),
            "済" if s.nudged else ""]


def people_sheet(plan: Plan, people: Sequence[Status], codes: Mapping[int, str], names: Mapping[int, str],
                 cache: dict[tuple[str, int], list[Cell]] | None = None) -> SheetSpec:
    """職員一覧; `cache` keeps rows between the units a person appears in (their 係, 課 …)."""
    cache = {} if cache is None else cache
    rows = []
    for s in people:
        key = ("", s.member.staff_id)
        if key not in cache:
            cache[key] = person_row(plan, s, codes, names)
        rows.append(cache[key])
    return SheetSpec("職員一覧", PEOPLE_HEADERS, PEOPLE_WIDTHS, (13,), rows)


def digest_sheets(content: DigestContent, plan: Plan, codes: Mapping[int, str], tz: ZoneInfo,
                  cache: dict[tuple[str, int], list[Cell]] | None = None) -> list[SheetSpec]:
    """The digest's full lists, and everyone in the unit (rows kept in `cache` across units)."""
    cache = {} if cache is None else cache
    rows: list[list[Cell]] = []
    for cat, items in content.categories:
        title = t("ja", f"digest_cat_{cat}_short")
        for s in items:
            key = (cat, s.member.staff_id)
            if key not in cache:
                cache[key] = [title, s.member.number, s.member.name, content.unit_names.get(s.member.unit_id, ""),
                              _tier(plan, s.member.tier), detail_line(plan, cat, s, "ja", tz)]
            rows.append(cache[key])
    return [SheetSpec("ダイジェスト", DIGEST_HEADERS, DIGEST_WIDTHS, (), rows),
            people_sheet(plan, content.everyone, codes, content.unit_names, cache)]


def team_sheets(plan: Plan, people: Sequence[Status], courses: Mapping[int, list[CourseRow]],
                codes: Mapping[int, str], names: Mapping[int, str]) -> list[SheetSpec]:
    """A manager's team: 職員一覧 and every enrolment (研修記録)."""
    rows: list[list[Cell]] = []
    for s in people:
        for c in sorted(courses.get(s.member.staff_id, []), key=lambda c: c.course_id):
            rows.append([s.member.number, s.member.name, c.course_id, _course(plan, c.course_id),
                         STATUS_JA.get(c.status, c.status), _iso(c.enrolled_on), _iso(c.completed_on), c.hours])
    return [people_sheet(plan, people, codes, names),
            SheetSpec("研修記録", COURSE_HEADERS, COURSE_WIDTHS, (5, 6), rows)]


def pack(sheets: Sequence[SheetSpec]) -> bytes:
    """Sheets as compressed JSON (what the planner stores)."""
    data = [{"title": s.title, "headers": s.headers, "widths": s.widths, "dates": s.dates, "rows": s.rows}
            for s in sheets]
    return zlib.compress(json.dumps(data, ensure_ascii=False).encode(), 1)


def unpack(data: bytes) -> list[SheetSpec]:
    """The sheets `pack` stored."""
    raw: list[dict[str, Any]] = json.loads(zlib.decompress(data))
    return [SheetSpec(s["title"], tuple(s["headers"]), tuple(s["widths"]), tuple(s["dates"]), s["rows"]) for s in raw]


def render(sheets: Sequence[SheetSpec]) -> bytes:
    """The .xlsx file (bold frozen header, widths, dates as dates)."""
    wb = new_workbook()
    for spec in sheets:
        sheet = Sheet(wb, spec.title, spec.headers, spec.widths, dict.fromkeys(spec.dates, DATE))
        for row in spec.rows:
            sheet.append([date.fromisoformat(v) if i in spec.dates and isinstance(v, str) else v
                          for i, v in enumerate(row)])
    out = BytesIO()
    wb.save(out)
    return out.getvalue()
