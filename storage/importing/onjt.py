"""Import On-JT entries: `職員番号,機会,役割,開始日,終了日,メモ`; keyed by person, opportunity, role and start."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any, NamedTuple

from sqlalchemy import bindparam, select, update
from sqlalchemy.engine import Connection

from bot.plan.model import OnJTOpportunity, OnJTRole, Plan
from storage.db import SessionFactory
from storage.importing.common import audit, batched, bulk_insert
from storage.importing.named import NameIndex, day, duplicate, people, person
from storage.importing.problems import Problems
from storage.importing.readers import Cell, open_table
from storage.importing.report import ImportReport
from storage.importing.spool import Spool
from storage.importing.values import norm
from storage.record_models import NOTE_MAX, SOURCE_IMPORT, OnJTEntry

COLUMNS = ("職員番号", "機会", "役割", "開始日", "終了日", "メモ")
NUMBER, OPPORTUNITY, ROLE, STARTED, ENDED, NOTE = COLUMNS
ONJT = OnJTEntry.__table__


class Entry(NamedTuple):
    row: int
    staff_id: int
    number: str
    opportunity_id: str
    role: str
    started_on: date
    ended_on: date | None
    note: str


class Names(NamedTuple):
    """The plan's opportunities and roles by name."""

    opportunities: NameIndex[OnJTOpportunity]
    roles: NameIndex[OnJTRole]


def import_onjt(path: Path, sessions: SessionFactory, plan: Plan, *, dry_run: bool, as_of: date,
                now: datetime) -> ImportReport:
    """Check the whole file, then add or correct every entry in one transaction (nothing on any problem)."""
    table = open_table(path, COLUMNS)
    problems = Problems(table.name)
    names = Names(NameIndex((o.id, o.name, o.aliases, o) for o in plan.onjt.opportunities),
                  NameIndex((r.key, r.name_ja, (r.name_en,), r) for r in plan.onjt.roles))
    with sessions() as session, Spool() as spool:
        conn = session.connection()
        known, rows = people(conn), 0
        seen: dict[tuple[object, ...], int] = {}
        for row, cells, extra in table.rows():
            rows += 1
            if extra:
                problems.add(row, "", "見出しのない列に値があります")
            entry = _parse(row, cells, known, names, as_of, seen, problems)
            if entry is not None and not problems:
                spool.add((*entry[:5], entry.started_on.toordinal(), entry.ended_on and entry.ended_on.toordinal(),
                           entry.note))
        problems.raise_if_any()
        report = ImportReport("onjt", table.name, dry_run)
        report.counts = {"rows": rows, "new": 0, "updated": 0, "unchanged": 0}
        entries = (Entry(*i[:5], date.fromordinal(i[5]), i[6] and date.fromordinal(i[6]), i[7]) for i in spool)
        for chunk in batched(entries):
            _write(conn, chunk, report, now, write=not dry_run)
        if not dry_run:
            audit(conn, now, "import_onjt", {"file": table.name, **report.counts})
            session.commit()
    return report


def _parse(row: int, cells: list[Cell], known: dict[str, int], names: Names, as_of: date,
           seen: dict[tuple[object, ...], int], problems: Problems) -> Entry | None:
    """One row as an Entry, or None after adding its problems."""
    before = problems.count
    number, staff_id = person(row, NUMBER, cells[0], known, problems)
    opportunity = _opportunity(row, cells[1], names.opportunities, problems)
    role = _role(row, cells[2], opportunity, names.roles, problems)
    started = day(row, STARTED, cells[3], as_of, problems, required=True)
    ended = day(row, ENDED, cells[4], as_of, problems, required=False)
    if started is not None and ended is not None and ended < started:
        problems.add(row, ENDED, f"終了日 {ended} が開始日 {started} より前です")
    note = " ".join(str(cells[5]).split()) if cells[5] != "" else ""
    if len(note) > NOTE_MAX:
        problems.add(row, NOTE, f"メモは {NOTE_MAX} 字までです（{len(note)} 字）")
    if staff_id is not None and opportunity is not None and role is not None and started is not None:
        duplicate(seen, (staff_id, opportunity.id, role.key, started), row, STARTED, "職員・機会・役割・開始日",
                  problems)
    if problems.count > before or None in (staff_id, opportunity, role, started):
        return None
    assert staff_id is not None and opportunity is not None and role is not None and started is not None
    return Entry(row, staff_id, number, opportunity.id, role.key, started, ended, note)


def _opportunity(row: int, cell: Cell, index: NameIndex[OnJTOpportunity],
                 problems: Problems) -> OnJTOpportunity | None:
    """The opportunity a 機会 cell names."""
    if cell == "":
        problems.add(row, OPPORTUNITY, "機会が空です")
        return None
    found = index.get(cell)
    if found is None:
        problems.add(row, OPPORTUNITY, f"機会が一覧にありません: {norm(cell)!r}{index.hint(cell)}")
    return found


def _role(row: int, cell: Cell, opportunity: OnJTOpportunity | None, index: NameIndex[OnJTRole],
          problems: Problems) -> OnJTRole | None:
    """The role a 役割 cell names; it must be one the opportunity allows."""
    if cell == "":
        problems.add(row, ROLE, "役割が空です")
        return None
    found = index.get(cell)
    usable = [r for r in index.items if opportunity is None or r.key in opportunity.roles]
    allowed = "、".join(r.name_ja for r in usable)
    if found is None:
        problems.add(row, ROLE, f"役割が一覧にありません: {norm(cell)!r}（使える役割: {allowed}）")
    elif found not in usable:
        assert opportunity is not None
        problems.add(row, ROLE, f"役割 {found.name_ja} は機会「{opportunity.name}」では選べません"
                                f"（使える役割: {allowed}）")
        return None
    return found


def _write(conn: Connection, chunk: list[Entry], report: ImportReport, now: datetime, *, write: bool) -> None:
    """Compare a batch with the database; insert new entries and correct the end and note of known ones."""
    o = ONJT.c
    ids = sorted({e.staff_id for e in chunk})
    existing = {(r.staff_id, r.opportunity_id, r.role, r.started_on): (r.id, r.ended_on, r.note) for r in
                conn.execute(select(o.id, o.staff_id, o.opportunity_id, o.role, o.started_on, o.ended_on, o.note)
                             .where(o.staff_id.in_(ids)))}
    new: list[dict[str, Any]] = []
    changed: list[dict[str, Any]] = []
    for e in chunk:
        old = existing.get((e.staff_id, e.opportunity_id, e.role, e.started_on))
        values = {"ended_on": e.ended_on, "note": e.note, "source": SOURCE_IMPORT, "recorded_at": now}
        if old is None:
            report.counts["new"] += 1
            new.append({"staff_id": e.staff_id, "opportunity_id": e.opportunity_id, "role": e.role,
                        "started_on": e.started_on, **values})
        elif old[1:] == (e.ended_on, e.note):
            report.counts["unchanged"] += 1
        else:
            report.counts["updated"] += 1
            where = f"{e.row}行目 {e.number} {e.opportunity_id} {e.started_on}"
            report.detail("updated", "更新（終了日・メモ）", where)
            changed.append({"row_id": old[0], **values})
    if write:
        bulk_insert(conn, ONJT, new)
        if changed:
            conn.execute(update(ONJT).where(o.id == bindparam("row_id")), changed)
