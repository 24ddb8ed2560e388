"""Import qualifications held (資格): `職員番号,資格名,取得日`; one row per person and qualification, upserted."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any, NamedTuple

from sqlalchemy import bindparam, select, update
from sqlalchemy.engine import Connection

from bot.plan.model import Plan, Qualification
from storage.db import SessionFactory
from storage.importing.common import audit, batched, bulk_insert
from storage.importing.named import NameIndex, day, duplicate, people, person
from storage.importing.problems import Problems
from storage.importing.readers import Cell, open_table
from storage.importing.report import ImportReport
from storage.importing.spool import Spool
from storage.importing.values import norm
from storage.record_models import SOURCE_IMPORT, QualificationHeld

COLUMNS = ("職員番号", "資格名", "取得日")
NUMBER, NAME, OBTAINED = COLUMNS
QUAL = QualificationHeld.__table__


class Held(NamedTuple):
    row: int
    staff_id: int
    number: str
    qualification_id: str
    obtained_on: date


def import_qualifications(path: Path, sessions: SessionFactory, plan: Plan, *, dry_run: bool, as_of: date,
                          now: datetime) -> ImportReport:
    """Check the whole file, then add or correct every qualification in one transaction (nothing on a problem)."""
    table = open_table(path, COLUMNS)
    problems = Problems(table.name)
    names: NameIndex[Qualification] = NameIndex((q.id, q.name, q.aliases, q) for q in plan.qualifications)
    with sessions() as session, Spool() as spool:
        conn = session.connection()
        known, rows = people(conn), 0
        seen: dict[tuple[object, ...], int] = {}
        for row, cells, extra in table.rows():
            rows += 1
            if extra:
                problems.add(row, "", "見出しのない列に値があります")
            held = _parse(row, cells, known, names, as_of, seen, problems)
            if held is not None and not problems:
                spool.add((*held[:4], held.obtained_on.toordinal()))
        problems.raise_if_any()
        report = ImportReport("qualifications", table.name, dry_run)
        report.counts = {"rows": rows, "new": 0, "updated": 0, "unchanged": 0}
        for chunk in batched(Held(*item[:4], date.fromordinal(item[4])) for item in spool):
            _write(conn, chunk, report, now, write=not dry_run)
        if not dry_run:
            audit(conn, now, "import_qualifications", {"file": table.name, **report.counts})
            session.commit()
    return report


def _parse(row: int, cells: list[Cell], known: dict[str, int], names: NameIndex[Qualification], as_of: date,
           seen: dict[tuple[object, ...], int], problems: Problems) -> Held | None:
    """One row as a Held, or None after adding its problems."""
    before = problems.count
    number, staff_id = person(row, NUMBER, cells[0], known, problems)
    qual = names.get(cells[1]) if cells[1] != "" else None
    if cells[1] == "":
        problems.add(row, NAME, "資格名が空です")
    elif qual is None:
        problems.add(row, NAME, f"資格名が資格一覧にありません: {norm(cells[1])!r}{names.hint(cells[1])}")
    obtained = day(row, OBTAINED, cells[2], as_of, problems, required=True)
    if staff_id is not None and qual is not None:
        duplicate(seen, (staff_id, qual.id), row, NAME, "職員と資格", problems)
    if problems.count > before or staff_id is None or qual is None or obtained is None:
        return None
    return Held(row, staff_id, number, qual.id, obtained)


def _write(conn: Connection, chunk: list[Held], report: ImportReport, now: datetime, *, write: bool) -> None:
    """Compare a batch with the database; insert the new qualifications and correct changed dates."""
    q = QUAL.c
    ids = sorted({h.staff_id for h in chunk})
    existing = {(r.staff_id, r.qualification_id): (r.id, r.obtained_on) for r in conn.execute(
        select(q.id, q.staff_id, q.qualification_id, q.obtained_on).where(q.staff_id.in_(ids)))}
    new: list[dict[str, Any]] = []
    changed: list[dict[str, Any]] = []
    for h in chunk:
        old = existing.get((h.staff_id, h.qualification_id))
        if old is None:
            report.counts["new"] += 1
            new.append({"staff_id": h.staff_id, "qualification_id": h.qualification_id, "obtained_on": h.obtained_on,
                        "evidence_url": None, "source": SOURCE_IMPORT, "recorded_at": now})
        elif old[1] == h.obtained_on:
            report.counts["unchanged"] += 1
        else:
            report.counts["updated"] += 1
            report.detail("updated", "更新", f"{h.row}行目 {h.number} {h.qualification_id}: 取得日 {old[1]} → "
                                             f"{h.obtained_on}")
            changed.append({"row_id": old[0], "obtained_on": h.obtained_on, "source": SOURCE_IMPORT,
                            "recorded_at": now})
    if write:
        bulk_insert(conn, QUAL, new)
        if changed:
            conn.execute(update(QUAL).where(q.id == bindparam("row_id")), changed)
