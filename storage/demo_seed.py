"""Bulk-load a synthetic city (bot.demo) into an empty database: the fast path for demos and benchmarks."""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from itertools import islice
from typing import Any

from sqlalchemy import func, insert, select
from sqlmodel import Session

from bot import demo
from bot.plan import Plan
from storage.models import (
    Enrolment,
    Membership,
    OrgUnit,
    SelfAssessment,
    SelfAssessmentRating,
    Staff,
)

BATCH = 5000


def _batches(rows: Iterable[dict[str, Any]], size: int = BATCH) -> Iterator[list[dict[str, Any]]]:
    it = iter(rows)
    while chunk := list(islice(it, size)):
        yield chunk


def _insert(session: Session, model: Any, rows: Iterable[dict[str, Any]]) -> int:
    """Core executemany in batches (no ORM bookkeeping, no RETURNING)."""
    count, conn, stmt = 0, session.connection(), insert(model.__table__)
    for chunk in _batches(rows):
        conn.execute(stmt, chunk)
        count += len(chunk)
    return count


def seed(session: Session, plan: Plan, staff: int, per_person: int, today: date, now: datetime,
         seed_value: int = 2027) -> dict[str, int]:
    """Write the city; refuses a database that already has staff. Returns the row counts."""
    if session.execute(select(func.count()).select_from(Staff)).scalar_one():
        raise ValueError("the database already has staff; seed an empty database")
    rng = random.Random(seed_value)
    units = demo.org_units(staff)
    unit_ids = _units(session, units)
    people = list(demo.members(units, staff, rng))
    staff_ids = _staff(session, people)
    counts = {"units": len(units), "staff": len(people)}
    counts["memberships"] = _insert(session, Membership, (
        {"staff_id": staff_ids[i], "unit_id": unit_ids[m.unit], "position": m.position,
         "valid_from": date(2025, 4, 1), "valid_to": None} for i, m in enumerate(people)))
    counts["records"] = _insert(session, Enrolment, (
        {"staff_id": staff_ids[r.staff_index], "course_id": r.course_id, "status": r.status,
         "enrolled_on": r.enrolled_on, "completed_on": r.completed_on, "hours": r.hours, "source": "import",
         "evidence_url": None, "updated_at": now}
        for r in demo.records(plan, people, units, per_person, today, rng)))
    counts["sheets"] = _sheets(session, plan, people, staff_ids, rng, today)
    session.commit()
    return counts


def _units(session: Session, units: list[demo.Unit]) -> dict[int, int]:
    ids: dict[int, int] = {}
    for unit in units:  # parents first; a city has hundreds of units
        row = OrgUnit(code=unit.code, name=unit.name, parent_id=ids.get(unit.parent) if unit.parent else None,
                      digital=unit.digital)
        session.add(row)
        session.flush()
        assert row.id is not None
        ids[unit.key] = row.id
    return ids


def _staff(session: Session, people: list[demo.Member]) -> list[int]:
    _insert(session, Staff, ({"number": m.number, "name": m.name, "email": m.email, "slack_id": m.slack_id,
                              "position": m.position, "joined_fy": m.joined_fy, "tier": m.tier, "track": m.track,
                              "language": None, "slack_locale": None, "active": True} for m in people))
    by_number = dict(session.execute(select(Staff.number, Staff.id)).all())  # type: ignore[call-overload]
    return [by_number[m.number] for m in people]


def _sheets(session: Session, plan: Plan, people: list[demo.Member], staff_ids: list[int], rng: random.Random,
            today: date) -> int:
    """About a third of the city has a sheet aimed at their next tier."""
    chosen = [(sid, demo.sheet_target(m)) for sid, m in zip(staff_ids, people, strict=True) if rng.random() < 0.3]
    _insert(session, SelfAssessment, ({"staff_id": sid, "purpose": "step_up", "target_tier": tier,
                                       "target_track": track, "submitted_at": demo.sheet_time(today, rng)}
                                      for sid, (tier, track) in chosen))
    sheet_ids = session.execute(select(SelfAssessment.id).order_by(SelfAssessment.id)).scalars().all()  # type: ignore[call-overload]
    _insert(session, SelfAssessmentRating, ({"assessment_id": a, "row": row, "rating": rating}
                                            for a, (_, (tier, track)) in zip(sheet_ids, chosen, strict=True)
                                            for row, rating in demo.sheet_ratings(plan, tier, track, rng).items()))
    return len(sheet_ids)
