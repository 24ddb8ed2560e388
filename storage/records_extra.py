"""Queries about qualifications held (資格) and On-JT entries: one person's rows, writes, and KPI facts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlmodel import Session
from sqlmodel import select as select_rows

from storage.exporting.data import units_on
from storage.models import Staff
from storage.org import OrgTree
from storage.record_models import OnJTEntry, QualificationHeld

QUAL = QualificationHeld.__table__
ONJT = OnJTEntry.__table__
STAFF = Staff.__table__


def held(session: Session, staff_id: int, qualification_id: str) -> QualificationHeld | None:
    """The person's row for one qualification, if they hold it."""
    stmt = select_rows(QualificationHeld).where(QualificationHeld.staff_id == staff_id,
                                                QualificationHeld.qualification_id == qualification_id)
    return session.exec(stmt).first()


def save_qualification(session: Session, staff_id: int, qualification_id: str, obtained_on: date,
                       evidence_url: str | None, source: str, at: datetime) -> tuple[QualificationHeld, bool]:
    """Add the qualification, or correct the date and evidence of the one held; (row, True when new)."""
    row = held(session, staff_id, qualification_id)
    created = row is None
    if row is None:
        row = QualificationHeld(staff_id=staff_id, qualification_id=qualification_id, obtained_on=obtained_on,
                                evidence_url=evidence_url, source=source, recorded_at=at)
    else:
        row.obtained_on, row.evidence_url, row.source, row.recorded_at = obtained_on, evidence_url, source, at
    session.add(row)
    return row, created


def held_ids(session: Session, staff_id: int) -> tuple[list[str], list[str]]:
    """The ids of the person's qualifications and of the opportunities of their On-JT entries."""
    quals = session.connection().execute(select(QUAL.c.qualification_id).where(QUAL.c.staff_id == staff_id))
    opportunities = session.connection().execute(select(ONJT.c.opportunity_id).where(ONJT.c.staff_id == staff_id))
    return list(quals.scalars()), list(opportunities.scalars())


def onjt_entry(session: Session, staff_id: int, opportunity_id: str, role: str,
               started_on: date) -> OnJTEntry | None:
    """The person's entry with this key (opportunity, role, start), if any."""
    stmt = select_rows(OnJTEntry).where(OnJTEntry.staff_id == staff_id, OnJTEntry.opportunity_id == opportunity_id,
                                        OnJTEntry.role == role, OnJTEntry.started_on == started_on)
    return session.exec(stmt).first()


def add_onjt(session: Session, staff_id: int, opportunity_id: str, role: str, started_on: date,
             ended_on: date | None, note: str, source: str, at: datetime) -> OnJTEntry:
    """Add one On-JT entry (the caller checked that its key is new)."""
    row = OnJTEntry(staff_id=staff_id, opportunity_id=opportunity_id, role=role, started_on=started_on,
                    ended_on=ended_on, note=note, source=source, recorded_at=at)
    session.add(row)
    return row


@dataclass(frozen=True)
class OnJTFact:
    """One On-JT entry of an active person, with the person's tier and department kind as of a day."""

    staff_id: int
    tier: int
    digital: bool
    opportunity_id: str
    role: str
    started_on: date
    ended_on: date | None


def onjt_facts(session: Session, day: date) -> list[OnJTFact]:
    """Every On-JT entry of active staff, each with its person's tier and unit kind on `day` (KPI input)."""
    conn = session.connection()
    tree = OrgTree.load(session)
    units = units_on(conn, day)
    o, s = ONJT.c, STAFF.c
    stmt = (select(o.staff_id, s.tier, o.opportunity_id, o.role, o.started_on, o.ended_on)
            .select_from(ONJT.join(STAFF, STAFF.c.id == o.staff_id)).where(s.active.is_(True))
            .order_by(o.staff_id, o.started_on, o.id))
    return [OnJTFact(r.staff_id, r.tier, units.get(r.staff_id) is not None and tree.is_digital(units[r.staff_id]),
                     r.opportunity_id, r.role, r.started_on, r.ended_on) for r in conn.execute(stmt)]


def qualification_facts(session: Session, on_or_before: date) -> list[tuple[int, int, str]]:
    """(staff id, tier, qualification id) of active staff holding a qualification obtained by a day (KPI input)."""
    q, s = QUAL.c, STAFF.c
    stmt = (select(q.staff_id, s.tier, q.qualification_id).select_from(QUAL.join(STAFF, STAFF.c.id == q.staff_id))
            .where(s.active.is_(True), q.obtained_on <= on_or_before).order_by(q.staff_id, q.id))
    return [(r.staff_id, r.tier, r.qualification_id) for r in session.connection().execute(stmt)]
