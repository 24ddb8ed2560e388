"""Bulk reads behind the KPI: people, tier history, memberships, enrolments, community, self-assessments.

Each function is one statement over a whole table; the arithmetic is in bot.kpi (pure).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from storage.manager_models import CommunityMember
from storage.models import Enrolment, Membership, SelfAssessment, SelfAssessmentRating, Staff, TierChange

STAFF, TIER_CHANGE, MEMBERSHIP = Staff.__table__, TierChange.__table__, Membership.__table__
ENROLMENT, COMMUNITY = Enrolment.__table__, CommunityMember.__table__
SHEET, RATING = SelfAssessment.__table__, SelfAssessmentRating.__table__


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


def community_members(conn: Connection, now: datetime) -> int:
    """People in the learning community at `now` (joined, not left)."""
    c = COMMUNITY.c
    stmt = select(func.count(func.distinct(c.staff_id))).where(
        c.joined_at <= now, (c.left_at.is_(None)) | (c.left_at > now))
    return int(conn.execute(stmt).scalar_one())


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
    community: int
    ratings: dict[int, dict[int, int]]


def load_kpi_data(conn: Connection, now: datetime) -> KpiData:
    """Read the whole KPI input at `now`."""
    return KpiData(people(conn), tier_changes(conn), stints(conn), course_rows(conn),
                   community_members(conn, now), latest_ratings(conn))
