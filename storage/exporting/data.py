"""Queries behind the exports: where each person is on a day, and streams of people and enrolments."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from storage.models import Enrolment, Membership, Staff

STAFF = Staff.__table__
ENROLMENT = Enrolment.__table__
MEMBERSHIP = Membership.__table__
STREAM = 5000


def units_on(conn: Connection, day: date) -> dict[int, int]:
    """staff id -> unit id on `day`; people with no membership that day get their last unit."""
    m = MEMBERSHIP.c
    current: dict[int, int] = {}
    last: dict[int, int] = {}
    for sid, uid, start, end in conn.execute(
            select(m.staff_id, m.unit_id, m.valid_from, m.valid_to).order_by(m.valid_from, m.id)):
        last[sid] = uid
        if start <= day and (end is None or end > day):
            current[sid] = uid
    return {**last, **current}


def active_staff(conn: Connection) -> Iterator[tuple[int, int]]:
    """(staff id, tier) of every active person."""
    yield from conn.execute(select(STAFF.c.id, STAFF.c.tier).where(STAFF.c.active.is_(True)))


def enrolment_rows(conn: Connection) -> Iterator[Any]:
    """Every enrolment with its person, by 職員番号 and course, streamed in chunks."""
    s, e = STAFF.c, ENROLMENT.c
    stmt = (select(s.id, s.number, s.name, s.tier, s.active, e.course_id, e.status, e.enrolled_on,
                   e.completed_on, e.hours, e.source)
            .select_from(ENROLMENT.join(STAFF, STAFF.c.id == e.staff_id)).order_by(s.number, e.course_id)
            .execution_options(yield_per=STREAM))
    yield from conn.execute(stmt)
