"""Bulk reads behind the KPI: people, tier history, memberships, enrolments, community, self-assessments.

Each function is one statement over a whole table (eight in all, however large the city); the arithmetic
is in bot.kpi and bot.kpi_community (pure).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select, update
from sqlalchemy.engine import Connection
from sqlmodel import Session

from storage.community_models import SCHEDULED, CommunityEvent, EventRsvp
from storage.delivery_models import CLAIMED, FAILED, Delivery
from storage.manager_models import CommunityMember
from storage.models import Enrolment, Membership, SelfAssessment, SelfAssessmentRating, Staff, TierChange

STAFF, TIER_CHANGE, MEMBERSHIP = Staff.__table__, TierChange.__table__, Membership.__table__
ENROLMENT, COMMUNITY = Enrolment.__table__, CommunityMember.__table__
SHEET, RATING = SelfAssessment.__table__, SelfAssessmentRating.__table__
EVENT, RSVP = CommunityEvent.__table__, EventRsvp.__table__


@dataclass(frozen=True)
class Person:
    """A member of staff as the KPI needs them: current tier and track."""

    id: int
    number: str
    name: str
    tier: int
    track: str | None
    active: bool


@dataclass(frozen=True)
class Change:
    """One tier change: when, from what, to what."""

    staff_id: int
    at: datetime
    from_tier: int | None
    from_track: str | None
    to_tier: int
    to_track: str | None


@dataclass(frozen=True)
class Stint:
    """One membership: valid_from <= day < valid_to."""

    staff_id: int
    unit_id: int
    valid_from: date
    valid_to: date | None


@dataclass(frozen=True)
class CourseRow:
    """One enrolment, reduced to what the course statistics need."""

    course_id: str
    status: str
    enrolled_on: date | None
    completed_on: date | None
    hours: float | None


def people(conn: Connection) -> list[Person]:
    """Every member of staff."""
    s = STAFF.c
    rows = conn.execute(select(s.id, s.number, s.name, s.tier, s.track, s.active).order_by(s.number))
    return [Person(r.id, r.number, r.name, r.tier, r.track, bool(r.active)) for r in rows]


def tier_changes(conn: Connection) -> list[Change]:
    """Every tier change in time order."""
    t = TIER_CHANGE.c
    rows = conn.execute(select(t.staff_id, t.changed_at, t.from_tier, t.from_track, t.to_tier, t.to_track)
                        .order_by(t.changed_at, t.id))
    return [Change(*r) for r in rows]


def stints(conn: Connection) -> list[Stint]:
    """Every membership in start order."""
    m = MEMBERSHIP.c
    rows = conn.execute(select(m.staff_id, m.unit_id, m.valid_from, m.valid_to).order_by(m.valid_from, m.id))
    return [Stint(*r) for r in rows]


def course_rows(conn: Connection) -> list[CourseRow]:
    """Every enrolment (any status)."""
    e = ENROLMENT.c
    rows = conn.execute(select(e.course_id, e.status, e.enrolled_on, e.completed_on, e.hours))
    return [CourseRow(*r) for r in rows]


@dataclass(frozen=True)
class Spell:
    """One spell of community membership: joined_at <= moment < left_at."""

    staff_id: int
    joined_at: datetime
    left_at: datetime | None


@dataclass(frozen=True)
class HeldEvent:
    """A community event that took place: scheduled (not cancelled) and started before now."""

    id: int
    starts_at: datetime
    kind: str


@dataclass(frozen=True)
class Attendance:
    """One person marked as attended at a held event, with the hours credited to their record (0 if none)."""

    staff_id: int
    starts_at: datetime
    hours: float


def community_spells(conn: Connection, now: datetime) -> list[Spell]:
    """Every membership spell begun by `now`."""
    c = COMMUNITY.c
    rows = conn.execute(select(c.staff_id, c.joined_at, c.left_at).where(c.joined_at <= now)
                        .order_by(c.joined_at, c.id))
    return [Spell(*r) for r in rows]


def held_events(conn: Connection, now: datetime) -> list[HeldEvent]:
    """Every event held before `now` (cancelled ones left out)."""
    e = EVENT.c
    rows = conn.execute(select(e.id, e.starts_at, e.kind).where(e.status == SCHEDULED, e.starts_at < now)
                        .order_by(e.starts_at, e.id))
    return [HeldEvent(*r) for r in rows]


def attendances(conn: Connection, now: datetime) -> list[Attendance]:
    """Every attendance marked at an event held before `now` (one join)."""
    e, r = EVENT.c, RSVP.c
    rows = conn.execute(select(r.staff_id, e.starts_at, r.hours)
                        .select_from(RSVP.join(EVENT, e.id == r.event_id))
                        .where(r.attended.is_(True), e.status == SCHEDULED, e.starts_at < now)
                        .order_by(e.starts_at, r.id))
    return [Attendance(sid, at, float(hours or 0.0)) for sid, at, hours in rows]


def latest_ratings(conn: Connection) -> dict[int, dict[int, int]]:
    """staff id -> {skill-map row: rating} of each person's latest sheet (one ordered join)."""
    s, r = SHEET.c, RATING.c
    rows = conn.execute(select(s.staff_id, s.id, r.row, r.rating)
                        .select_from(SHEET.join(RATING, r.assessment_id == s.id))
                        .order_by(s.staff_id, s.submitted_at, s.id))
    latest: dict[int, int] = {}
    found: dict[int, dict[int, int]] = {}
    for staff_id, sheet_id, row, rating in rows:
        if latest.get(staff_id) != sheet_id:
            latest[staff_id] = sheet_id
            found[staff_id] = {}
        found[staff_id][row] = rating
    return found


@dataclass(frozen=True)
class KpiData:
    """Everything the KPI reads, in one bundle (a handful of statements)."""

    people: list[Person]
    changes: list[Change]
    stints: list[Stint]
    courses: list[CourseRow]
    ratings: dict[int, dict[int, int]]
    spells: list[Spell]
    events: list[HeldEvent]
    attendances: list[Attendance]
    now: datetime


def load_kpi_data(conn: Connection, now: datetime) -> KpiData:
    """Read the whole KPI input at `now`."""
    return KpiData(people(conn), tier_changes(conn), stints(conn), course_rows(conn), latest_ratings(conn),
                   community_spells(conn, now), held_events(conn, now), attendances(conn, now), now)


def flag_refused(session: Session, delivery_id: int, reason: str) -> bool:
    """A claimed report whose channel was refused: failed and flagged for the administrator, never posted."""
    d = Delivery.__table__.c  # type: ignore[attr-defined]
    stmt = (update(Delivery.__table__).where(d.id == delivery_id, d.status == CLAIMED)
            .values(status=FAILED, flagged=True, lease_until=None, last_error=reason[:200]))
    return bool(session.exec(stmt).rowcount == 1)  # type: ignore[call-overload]
