"""Import training records (研修記録): `職員番号,研修名,状態,受講開始日,修了日,時間`; upserts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, NamedTuple

from sqlalchemy import select
from sqlalchemy.engine import Connection

from bot.plan.model import Plan
from storage.db import SessionFactory
from storage.importing.common import STAFF, audit
from storage.importing.courses import CourseIndex
from storage.importing.problems import Problems
from storage.importing.readers import Cell, Table, open_table
from storage.importing.records_write import RecordWriter
from storage.importing.report import ImportReport
from storage.importing.spool import Spool
from storage.importing.values import norm, parse_date, parse_hours

COLUMNS = ("職員番号", "研修名", "状態", "受講開始日", "修了日", "時間")
NUMBER, COURSE, STATUS, STARTED, COMPLETED, HOURS = COLUMNS
STATUSES = {"受講中": "enrolled", "修了": "completed"}


class Record(NamedTuple):
    row: int
    staff_id: int
    number: str
    course_id: str
    status: str  # enrolled | completed
    enrolled_on: date | None
    completed_on: date | None
    hours: float | None


@dataclass
class Context:
    """Compact lookups for checking rows: people by number, courses, and seen (person, course) pairs."""

    people: dict[str, tuple[int, int]]  # 職員番号 -> (staff id, current tier)
    courses: CourseIndex
    as_of: date
    seen: dict[int, int] = field(default_factory=dict)  # staff id * n_courses + course -> first row

    def key(self, staff_id: int, course_id: str) -> int:
        """One int per (person, course) keeps 1,000,000 rows' duplicate check small."""
        return staff_id * len(self.courses.position) + self.courses.position[course_id]


def import_records(path: Path, sessions: SessionFactory, plan: Plan, *, dry_run: bool, as_of: date,
                   now: datetime) -> ImportReport:
    """Validate the whole file, then upsert every record in one transaction (nothing on any problem)."""
    table = open_table(path, COLUMNS)
    problems = Problems(table.name)
    with sessions() as session, Spool() as spool:
        conn = session.connection()
        ctx = Context(_people(conn), CourseIndex(plan), as_of)
        rows = _first_pass(table, ctx, problems, spool)
        problems.raise_if_any()
        ctx.seen.clear()
        report = ImportReport("records", table.name, dry_run)
        report.counts = {"rows": rows, "new": 0, "updated": 0, "unchanged": 0, "skipped": 0}
        writer = RecordWriter(conn, report, now, write=not dry_run)
        for item in spool:
            writer.add(_unspooled(item))
        writer.flush()
        if not dry_run:
            audit(conn, now, "import_records", {"file": table.name, **report.counts})
            session.commit()
    return report


def _first_pass(table: Table, ctx: Context, problems: Problems, spool: Spool) -> int:
    """Check every row; spool the valid ones (dates as ordinals) for the second pass. Returns the rows."""
    rows = 0
    for row, cells, extra in table.rows():
        rows += 1
        if extra:
            problems.add(row, "", "見出しのない列に値があります")
        r = parse_record(row, cells, ctx, problems)
        if r is not None and not problems:
            spool.add((*r[:5], r.enrolled_on and r.enrolled_on.toordinal(),
                       r.completed_on and r.completed_on.toordinal(), r.hours))
    return rows


def _unspooled(item: tuple[Any, ...]) -> Record:
    """A spooled tuple back as a Record."""
    started, completed = item[5], item[6]
    return Record(*item[:5], started and date.fromordinal(started), completed and date.fromordinal(completed),
                  item[7])


def _people(conn: Connection) -> dict[str, tuple[int, int]]:
    return {number: (sid, tier) for sid, number, tier in
            conn.execute(select(STAFF.c.id, STAFF.c.number, STAFF.c.tier))}


def _check_duplicate(row: int, staff_id: int, course_id: str, ctx: Context, problems: Problems) -> None:
    """The same person and course twice in one file is a mistake (which row is right?)."""
    first = ctx.seen.setdefault(ctx.key(staff_id, course_id), row)
    if first != row:
        problems.add(row, COURSE, f"同じ職員と研修の行が {first}行目にもあります")


def parse_record(row: int, cells: list[Cell], ctx: Context, problems: Problems) -> Record | None:
    """One row as a Record, or None after adding its problems."""
    before = problems.count
    number, person = _person(cells[0], ctx)
    if not number:
        problems.add(row, NUMBER, "職員番号が空です")
    elif person is None:
        problems.add(row, NUMBER, f"職員番号 {number} がありません（先に職員を取り込んでください）")
    course = None
    if cells[1] == "":
        problems.add(row, COURSE, "研修名が空です")
    else:
        try:
            course = ctx.courses.resolve(cells[1], person[1] if person else 0)
        except ValueError as exc:
            problems.add(row, COURSE, str(exc))
    if person is not None and course is not None:
        _check_duplicate(row, person[0], course.id, ctx, problems)
    status = STATUSES.get(cells[2]) or STATUSES.get(norm(cells[2]))  # type: ignore[call-overload]
    if status is None:
        problems.add(row, STATUS, f"状態は 受講中 か 修了 にしてください: {norm(cells[2])!r}")
    started, completed = _dates(row, cells, status, ctx.as_of, problems)
    hours = _hours(row, cells[5], course, problems)
    if problems.count > before or person is None or course is None or status is None:
        return None
    return Record(row, person[0], number, course.id, status, started, completed, hours)


def _person(cell: Cell, ctx: Context) -> tuple[str, tuple[int, int] | None]:
    """職員番号 as written (fast path) or normalised, and the person it names."""
    person = ctx.people.get(cell)  # type: ignore[call-overload]
    if person is not None:
        return cell, person  # type: ignore[return-value]
    number = norm(cell)
    return number, ctx.people.get(number)


def _date(row: int, column: str, value: Cell, problems: Problems) -> date | None:
    if value == "":
        return None
    try:
        return parse_date(value)
    except ValueError as exc:
        problems.add(row, column, str(exc))
        return None


def _dates(row: int, cells: list[Cell], status: str | None, as_of: date,
           problems: Problems) -> tuple[date | None, date | None]:
    """受講開始日 and 修了日, consistent with each other, with the state and with the date."""
    started = _date(row, STARTED, cells[3], problems)
    completed = _date(row, COMPLETED, cells[4], problems)
    if status == "completed" and cells[4] == "":
        problems.add(row, COMPLETED, "修了には修了日が必要です")
    if status == "enrolled" and completed is not None:
        problems.add(row, COMPLETED, "受講中の行に修了日があります（修了なら状態を 修了 に）")
    if completed is not None and started is not None and completed < started:
        problems.add(row, COMPLETED, f"修了日 {completed} が受講開始日 {started} より前です")
    if completed is not None and completed > as_of:
        problems.add(row, COMPLETED, f"修了日 {completed} が未来の日付です（基準日 {as_of}）")
    return started, completed


def _hours(row: int, value: Cell, course: object, problems: Problems) -> float | None:
    """時間: blank, or a positive number within the course's hours when the plan gives them."""
    if value == "":
        return None
    try:
        hours = parse_hours(value)
    except ValueError as exc:
        problems.add(row, HOURS, str(exc))
        return None
    low, high = getattr(course, "hours_min", None), getattr(course, "hours_max", None)
    if (low is not None and hours < low) or (high is not None and hours > high):
        problems.add(row, HOURS, f"時間 {_h(hours)} がこの研修の時間（{_span(low, high)}）の範囲外です")
    return hours


def _h(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def _span(low: float | None, high: float | None) -> str:
    if low is not None and high is not None:
        return f"{_h(low)} 時間" if low == high else f"{_h(low)}～{_h(high)} 時間"
    return f"{_h(low)} 時間以上" if low is not None else f"{_h(high)} 時間以下"
