"""Bulk reads for teams and digests: a fixed number of statements however many people are read.

Every query filters by one subquery (the people whose membership on the day is in the given units), so
reading one 係 or the whole city costs the same number of statements.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, NamedTuple

from sqlalchemy import func, or_
from sqlmodel import Session, select

from storage.manager_models import CommunityMember, Nudge, Recommendation, StepUpApproval
from storage.models import Enrolment, SelfAssessment, Staff, StaffGroup, StepUpRequest
from storage.record_models import QualificationHeld
from storage.scope import current_memberships

ENROLMENT = Enrolment.__table__


@dataclass(frozen=True)
class Member:
    """A person as the team views need them, with their unit and 役職 on the day."""

    staff_id: int
    number: str
    name: str
    slack_id: str | None
    tier: int
    track: str | None
    unit_id: int
    position: str
    language: str | None
    slack_locale: str | None


class CourseRow(NamedTuple):
    """One enrolment."""

    course_id: str
    status: str
    enrolled_on: date | None
    completed_on: date | None
    hours: float | None


@dataclass(frozen=True)
class Pending:
    """A step-up request waiting for a decision (and a manager's approval awaiting confirmation)."""

    request_id: int
    to_tier: int
    to_track: str | None
    requested_at: datetime
    approved_by: int | None  # the manager who approved, when an administrator must confirm


@dataclass(frozen=True)
class TeamData:
    """Everything the team view, the export and the digest read about a set of people."""

    members: list[Member]
    courses: dict[int, list[CourseRow]]
    groups: dict[int, frozenset[str]]
    latest_sheet: dict[int, datetime]
    pending: dict[int, Pending]
    community: frozenset[int]
    recommended: dict[int, frozenset[str]]  # kinds recommended since the given moment
    nudged: frozenset[int]  # people already encouraged (働きかけ) in the given week
    qualifications: dict[int, frozenset[str]] = field(default_factory=dict)  # ids of the 資格 each person holds


def _people(day: date, unit_ids: Collection[int] | None) -> Any:
    current = current_memberships(day, unit_ids)
    stmt = select(current.c.staff_id)
    return stmt if unit_ids is None else stmt.where(current.c.unit_id.in_(sorted(unit_ids)))


def members(session: Session, day: date, unit_ids: Collection[int] | None = None,
            positions: Sequence[str] | None = None) -> list[Member]:
    """Active people with their membership on `day` (in the units, with these 役職, when given)."""
    current = current_memberships(day, unit_ids)
    stmt = (select(Staff.id, Staff.number, Staff.name, Staff.slack_id, Staff.tier, Staff.track, current.c.unit_id,
                   current.c.position, Staff.language, Staff.slack_locale)
            .join(current, current.c.staff_id == Staff.id).order_by(Staff.number))  # type: ignore[arg-type]
    if unit_ids is not None:
        stmt = stmt.where(current.c.unit_id.in_(sorted(unit_ids)))
    if positions is not None:
        stmt = stmt.where(func.trim(current.c.position).in_(list(positions)))
    return [Member(*row) for row in session.exec(stmt)]  # type: ignore[call-overload]


ALL_COURSES = ("SELECT e.staff_id, e.course_id, e.status, e.enrolled_on, e.completed_on, e.hours "
               "FROM enrolment e JOIN staff s ON s.id = e.staff_id WHERE s.active AND e.status <> 'withdrawn'")


def courses_of(session: Session, people: Any) -> dict[int, list[CourseRow]]:
    """Enrolments (not withdrawn) by person; `people`: a subquery of staff ids, or None for every active person.

    Everyone's rows (a city has a million) are fetched as the driver's tuples, and dates parsed with
    date.fromisoformat (SQLite answers text, PostgreSQL dates): a fraction of the cost of building
    SQLAlchemy rows and running its SQLite date processing.
    """
    conn = session.connection()
    if people is None:
        result = conn.exec_driver_sql(ALL_COURSES)  # the driver's own tuples, not SQLAlchemy rows
        rows = result.cursor.fetchall()
        result.close()
    else:
        e = ENROLMENT.c
        rows = conn.execute(select(e.staff_id, e.course_id, e.status, e.enrolled_on, e.completed_on, e.hours)
                            .where(e.status != "withdrawn", e.staff_id.in_(people))).all()
    courses: dict[int, list[CourseRow]] = defaultdict(list)
    iso, new = date.fromisoformat, tuple.__new__  # CourseRow(...) costs a Python call per row
    for sid, course, status, start, end, hours in rows:
        courses[sid].append(new(CourseRow, (course, status, iso(start) if start.__class__ is str else start,
                                            iso(end) if end.__class__ is str else end, hours)))
    return dict(courses)


def _among(stmt: Any, column: Any, people: Any) -> Any:
    """Restrict a statement to the people (no restriction when None: everyone)."""
    return stmt if people is None else stmt.where(column.in_(people))


def load(session: Session, day: date, week: str, since: datetime, now: datetime,
         unit_ids: Collection[int] | None = None) -> TeamData:
    """The people of the units (everyone when None) and their records, in nine statements.

    `week`: the ISO week whose 働きかけ count; `since`: recommendations from then on; `now`: who is in the
    community."""
    people = None if unit_ids is None else _people(day, unit_ids)
    groups: dict[int, set[str]] = defaultdict(set)
    for sid, key in session.exec(_among(select(StaffGroup.staff_id, StaffGroup.group_key), StaffGroup.staff_id,
                                        people)):
        groups[sid].add(key)
    sheets = _among(select(SelfAssessment.staff_id, func.max(SelfAssessment.submitted_at)),
                    SelfAssessment.staff_id, people).group_by(SelfAssessment.staff_id)
    nudged = _among(select(Nudge.staff_id).where(Nudge.week == week), Nudge.staff_id, people)
    return TeamData(members(session, day, unit_ids), courses_of(session, people),
                    {k: frozenset(v) for k, v in groups.items()}, dict(session.exec(sheets).all()),
                    _pending(session, people), _community(session, people, now),
                    _recommended(session, people, since), frozenset(session.exec(nudged).all()),
                    _qualifications(session, people))


def _qualifications(session: Session, people: Any) -> dict[int, frozenset[str]]:
    found: dict[int, set[str]] = defaultdict(set)
    stmt = select(QualificationHeld.staff_id, QualificationHeld.qualification_id)
    for sid, qualification in session.exec(_among(stmt, QualificationHeld.staff_id, people)):
        found[sid].add(qualification)
    return {k: frozenset(v) for k, v in found.items()}


def _pending(session: Session, people: Any) -> dict[int, Pending]:
    stmt = (select(StepUpRequest.staff_id, StepUpRequest.id, StepUpRequest.to_tier, StepUpRequest.to_track,
                   StepUpRequest.requested_at, StepUpApproval.manager_id)
            .outerjoin(StepUpApproval, StepUpApproval.request_id == StepUpRequest.id)  # type: ignore[arg-type]
            .where(StepUpRequest.status == "pending"))
    return {sid: Pending(*rest) for sid, *rest in session.exec(_among(stmt, StepUpRequest.staff_id, people))}


def _community(session: Session, people: Any, now: datetime) -> frozenset[int]:
    """People in the community now (joined, not left)."""
    stmt = select(CommunityMember.staff_id).where(
        CommunityMember.joined_at <= now,  # type: ignore[operator]
        or_(CommunityMember.left_at.is_(None), CommunityMember.left_at > now))  # type: ignore[union-attr, operator]
    return frozenset(session.exec(_among(stmt, CommunityMember.staff_id, people)).all())


def _recommended(session: Session, people: Any, since: datetime) -> dict[int, frozenset[str]]:
    found: dict[int, set[str]] = defaultdict(set)
    stmt = select(Recommendation.staff_id, Recommendation.kind).where(Recommendation.at >= since)  # type: ignore[operator]
    for sid, kind in session.exec(_among(stmt, Recommendation.staff_id, people)):
        found[sid].add(kind)
    return {k: frozenset(v) for k, v in found.items()}


def search(session: Session, day: date, text: str, unit_ids: Collection[int] | None, limit: int = 20) -> list[Member]:
    """People (in the units; everyone when None) whose name contains `text` or whose 職員番号 is `text`."""
    query = text.strip()
    if not query:
        return []
    current = current_memberships(day, unit_ids)
    pattern = "%" + query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    stmt = (select(Staff.id, Staff.number, Staff.name, Staff.slack_id, Staff.tier, Staff.track, current.c.unit_id,
                   current.c.position, Staff.language, Staff.slack_locale)
            .join(current, current.c.staff_id == Staff.id)  # type: ignore[arg-type]
            .where(or_(Staff.name.like(pattern, escape="\\"), Staff.number == query))  # type: ignore[attr-defined]
            .order_by(Staff.number).limit(limit))
    if unit_ids is not None:
        stmt = stmt.where(current.c.unit_id.in_(sorted(unit_ids)))
    return [Member(*row) for row in session.exec(stmt)]  # type: ignore[call-overload]
