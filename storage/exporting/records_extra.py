"""The records workbook's sheets 資格 (qualifications held) and On-JT (entries), one row each, streamed."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.engine import Connection

from bot.plan.model import Plan
from storage.exporting.data import STAFF, STREAM
from storage.exporting.sheets import DATE, Sheet
from storage.org import OrgTree
from storage.record_models import OnJTEntry, QualificationHeld

QUAL = QualificationHeld.__table__
ONJT = OnJTEntry.__table__
PERSON = ("職員番号", "氏名", "所属コード", "所属名", "段階")
QUAL_HEADERS = (*PERSON, "資格ID", "資格名", "区分", "取得日", "証跡URL", "登録元")
QUAL_WIDTHS = (12, 16, 11, 24, 7, 10, 28, 14, 12, 36, 10)
ONJT_HEADERS = (*PERSON, "機会ID", "機会", "役割", "開始日", "終了日", "メモ", "登録元")
ONJT_WIDTHS = (12, 16, 11, 24, 7, 18, 32, 8, 12, 12, 48, 10)
SOURCE_JA = {"self": "本人報告", "import": "取り込み"}


def person_cells(r: Any, tree: OrgTree, units: dict[int, int]) -> list[Any]:
    """職員番号, 氏名, the person's unit (code, name) and tier."""
    unit = units.get(r.staff_id)
    return [r.number, r.name, tree.code.get(unit, "") if unit else "", tree.name.get(unit, "") if unit else "",
            r.tier]


def _rows(conn: Connection, table: Any, *columns: str) -> Iterator[Any]:
    """Every row of `table` with its person, by 職員番号, streamed in chunks."""
    s, c = STAFF.c, table.c
    stmt = (select(c.staff_id, s.number, s.name, s.tier, *(c[name] for name in columns))
            .select_from(table.join(STAFF, STAFF.c.id == c.staff_id)).order_by(s.number, c.id)
            .execution_options(yield_per=STREAM))
    yield from conn.execute(stmt)


def qualification_sheet(wb: Workbook, conn: Connection, tree: OrgTree, units: dict[int, int], plan: Plan) -> int:
    """Sheet 資格: one row per qualification held; returns the rows."""
    sheet = Sheet(wb, "資格", QUAL_HEADERS, QUAL_WIDTHS, {8: DATE})
    known = {q.id: q for q in plan.qualifications}
    for r in _rows(conn, QUAL, "qualification_id", "obtained_on", "evidence_url", "source"):
        q = known.get(r.qualification_id)
        sheet.append([*person_cells(r, tree, units), r.qualification_id, q.name if q else r.qualification_id,
                      q.category if q else "", r.obtained_on, r.evidence_url or "", SOURCE_JA.get(r.source, r.source)])
    return sheet.rows


def onjt_sheet(wb: Workbook, conn: Connection, tree: OrgTree, units: dict[int, int], plan: Plan) -> int:
    """Sheet On-JT: one row per entry; returns the rows."""
    sheet = Sheet(wb, "On-JT", ONJT_HEADERS, ONJT_WIDTHS, {8: DATE, 9: DATE})
    opportunities = {o.id: o.name for o in plan.onjt.opportunities}
    roles = {r.key: r.name_ja for r in plan.onjt.roles}
    for r in _rows(conn, ONJT, "opportunity_id", "role", "started_on", "ended_on", "note", "source"):
        sheet.append([*person_cells(r, tree, units), r.opportunity_id,
                      opportunities.get(r.opportunity_id, r.opportunity_id),
                      roles.get(r.role, r.role), r.started_on, r.ended_on, r.note, SOURCE_JA.get(r.source, r.source)])
    return sheet.rows
