"""Batch lookups and upserts of enrolments, tuned per dialect (measured: see BENCHMARKS.md).

SQLite: the driver's executemany of one INSERT … ON CONFLICT, and lookups through a VALUES table joined on
the unique index. PostgreSQL: one INSERT … SELECT FROM unnest(arrays) … ON CONFLICT per batch, and lookups
joined with unnest (psycopg's pipelined executemany needed ~90 µs a row, too slow for a million).
Values pass through SQLAlchemy's own bind and result processors, so rows look exactly as the ORM writes them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy.engine import Connection

from storage.models import Enrolment

ENROLMENT = Enrolment.__table__
SET = ("status = excluded.status, enrolled_on = excluded.enrolled_on, completed_on = excluded.completed_on, "
       "hours = excluded.hours, source = excluded.source, updated_at = excluded.updated_at")
# Never 修了 → 受講中, even if a person reported a completion since the file was checked.
GUARD = "WHERE enrolment.status <> 'completed' OR excluded.status = 'completed'"
COLS = "e.staff_id, e.course_id, e.status, e.enrolled_on, e.completed_on, e.hours"
Row = tuple[int, str, str, date | None, date | None, float | None]  # staff, course, status, dates, hours


class EnrolmentSQL:
    """Lookups and upserts of (staff_id, course_id) batches on one connection."""

    def __init__(self, conn: Connection, now: datetime) -> None:
        self.conn = conn
        self.pg = conn.dialect.name == "postgresql"
        dialect = conn.dialect
        day = ENROLMENT.c.enrolled_on.type.dialect_impl(dialect)
        self.to_db = day.bind_processor(dialect) or _same
        self.from_db = day.result_processor(dialect, None) or _same
        stamp = ENROLMENT.c.updated_at.type.dialect_impl(dialect).bind_processor(dialect)
        self.now = stamp(now) if stamp else now

    def staff_with_enrolments(self) -> set[int]:
        """People who have any enrolment now: rows of everyone else are new without a lookup."""
        return {r[0] for r in self.conn.exec_driver_sql("SELECT DISTINCT staff_id FROM enrolment")}

    def lookup(self, keys: Sequence[tuple[int, str]]) -> dict[tuple[int, str], tuple[Any, ...]]:
        """(staff_id, course_id) -> (status, enrolled_on, completed_on, hours) for keys in the database."""
        if not keys:
            return {}
        if self.pg:
            sql = (f"SELECT {COLS} FROM enrolment e JOIN unnest(%s::int[], %s::text[]) AS k(s, c) "
                   "ON e.staff_id = k.s AND e.course_id = k.c")
            params: tuple[Any, ...] = ([k[0] for k in keys], [k[1] for k in keys])
        else:
            values = ",".join(["(?,?)"] * len(keys))
            sql = (f"WITH k(s, c) AS (VALUES {values}) SELECT {COLS} FROM k "
                   "JOIN enrolment e ON e.staff_id = k.s AND e.course_id = k.c")
            params = tuple(v for k in keys for v in k)
        conv = self.from_db
        return {(r[0], r[1]): (r[2], conv(r[3]), conv(r[4]), r[5])
                for r in self.conn.exec_driver_sql(sql, params)}

    def upsert(self, rows: Sequence[Row]) -> None:
        """Insert new and update changed enrolments (source 'import', updated_at now)."""
        if not rows:
            return
        insert = "INSERT INTO enrolment (staff_id, course_id, status, enrolled_on, completed_on, hours, source, " \
                 "updated_at) "
        conflict = f" ON CONFLICT (staff_id, course_id) DO UPDATE SET {SET} {GUARD}"
        if self.pg:
            arrays = tuple(list(col) for col in zip(*rows, strict=True))
            sql = (insert + "SELECT s, c, st, a, b, h, 'import', %s FROM unnest(%s::int[], %s::text[], "
                   "%s::text[], %s::date[], %s::date[], %s::float8[]) AS t(s, c, st, a, b, h)" + conflict)
            self.conn.exec_driver_sql(sql, (self.now, *arrays))
            return
        conv = self.to_db
        params = [(s, c, st, conv(a), conv(b), h, "import", self.now) for s, c, st, a, b, h in rows]
        self.conn.exec_driver_sql(insert + "VALUES (?, ?, ?, ?, ?, ?, ?, ?)" + conflict, params)


def _same(value: Any) -> Any:
    return value
