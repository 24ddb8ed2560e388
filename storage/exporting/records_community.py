"""The records workbook's sheet コミュニティ活動: one row per community event attended, with its hours."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.engine import Connection

from storage.community_models import CommunityEvent, EventRsvp
from storage.exporting.data import STAFF, STREAM
from storage.exporting.records_extra import PERSON, person_cells
from storage.exporting.sheets import DATE, Sheet
from storage.org import OrgTree

EVENT, RSVP = CommunityEvent.__table__, EventRsvp.__table__
HEADERS = (*PERSON, "イベントID", "名称", "種類", "開催日", "時間")
WIDTHS = (12, 16, 11, 24, 7, 10, 36, 14, 12, 7)
KIND_JA = {"study_group": "勉強会", "workshop": "ワークショップ", "event": "イベント"}


def community_sheet(wb: Workbook, conn: Connection, tree: OrgTree, units: dict[int, int], tz: ZoneInfo) -> int:
    """Sheet コミュニティ活動: attendances (the hours count toward the record), by 職員番号; returns the rows."""
    sheet = Sheet(wb, "コミュニティ活動", HEADERS, WIDTHS, {8: DATE})
    s, e, r = STAFF.c, EVENT.c, RSVP.c  # type: ignore[attr-defined]
    stmt = (select(r.staff_id, s.number, s.name, s.tier, e.id, e.title, e.kind, e.starts_at, r.hours)
            .select_from(RSVP.join(STAFF, s.id == r.staff_id).join(EVENT, e.id == r.event_id))
            .where(r.attended.is_(True)).order_by(s.number, e.starts_at, e.id).execution_options(yield_per=STREAM))
    for row in conn.execute(stmt):
        sheet.append([*person_cells(row, tree, units), row.id, row.title, KIND_JA.get(row.kind, row.kind),
                      row.starts_at.astimezone(tz).date(), row.hours or 0.0])
    return sheet.rows
