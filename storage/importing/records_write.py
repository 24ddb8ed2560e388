"""The second pass of a records import: compare with the database in batches, then upsert."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.engine import Connection

from storage.importing.common import BATCH
from storage.importing.enrolment_sql import EnrolmentSQL, Row
from storage.importing.report import ImportReport

if TYPE_CHECKING:
    from storage.importing.records import Record

STATUS_JA = {"enrolled": "受講中", "completed": "修了", "withdrawn": "取消"}
_COLS = ("status", "enrolled_on", "completed_on", "hours")
_COLS_JA = {"status": "状態", "enrolled_on": "受講開始日", "completed_on": "修了日", "hours": "時間"}


class RecordWriter:
    """Classifies records as new, updated, unchanged or skipped (no downgrade), and upserts a batch."""

    def __init__(self, conn: Connection, report: ImportReport, now: datetime, *, write: bool) -> None:
        self.sql = EnrolmentSQL(conn, now)
        self.report, self.write = report, write
        self.buffer: list[Record] = []
        self.known = self.sql.staff_with_enrolments()

    def add(self, record: Record) -> None:
        """Queue a valid record; flush every BATCH records."""
        self.buffer.append(record)
        if len(self.buffer) >= BATCH:
            self.flush()

    def flush(self) -> None:
        """Compare the queued records with the database and write the new and changed ones."""
        if not self.buffer:
            return
        known = self.known
        existing = self.sql.lookup([(r.staff_id, r.course_id) for r in self.buffer if r.staff_id in known])
        rows: list[Row] = []
        for r in self.buffer:
            if self._classify(r, existing.get((r.staff_id, r.course_id))):
                rows.append((r.staff_id, r.course_id, r.status, r.enrolled_on, r.completed_on, r.hours))
        if self.write:
            self.sql.upsert(rows)
        self.buffer.clear()

    def _classify(self, r: Record, old: tuple[Any, ...] | None) -> bool:
        """Count the record; True when it must be written."""
        report = self.report
        if old is None:
            report.counts["new"] += 1
            return True
        if old == (r.status, r.enrolled_on, r.completed_on, r.hours):
            report.counts["unchanged"] += 1
            return False
        where = f"{r.row}行目 {r.number} {r.course_id}"
        if old[0] == "completed" and r.status == "enrolled":
            report.bump("skipped")
            report.detail("skipped", "スキップ（修了済みを受講中には戻しません）", where)
            return False
        report.bump("updated")
        changes = [f"{_COLS_JA[c]} {_show(c, a)} → {_show(c, b)}" for c, a, b in
                   zip(_COLS, old, (r.status, r.enrolled_on, r.completed_on, r.hours), strict=True) if a != b]
        report.detail("updated", "更新", f"{where}: " + "、".join(changes))
        return True


def _show(column: str, value: Any) -> str:
    """A value as the report shows it."""
    if value is None:
        return "（空）"
    if column == "status":
        return STATUS_JA.get(value, value)
    if column == "hours":
        return f"{value:g}時間"
    return str(value)
