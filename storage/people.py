"""Queries about one person: identity, current unit, record, sheets and requests (constant statements)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, or_
from sqlmodel import Session, select

from storage import org
from storage.models import (
    Enrolment,
    Membership,
    OrgUnit,
    SelfAssessment,
    SelfAssessmentRating,
    Staff,
    StaffGroup,
    StepUpRequest,
)
from storage.record_models import OnJTEntry, QualificationHeld


@dataclass(frozen=True)
class Sheet:
    """A submitted self-assessment with its ratings (row -> 1..4)."""

    assessment: SelfAssessment
    ratings: dict[int, int]


@dataclass(frozen=True)
class Record:
    """Everything the staff views need about one person, read in a fixed number of statements."""

    staff: Staff
    unit: OrgUnit | None
    digital: bool
    groups: frozenset[str]
    enrolments: Sequence[Enrolment]
    latest_sheet: Sheet | None
    pending_request: StepUpRequest | None
    qualifications: Sequence[QualificationHeld] = ()  # by date obtained
    onjt: Sequence[OnJTEntry] = ()  # newest first


def by_slack_id(session: Session, slack_id: str) -> Staff | None:
    return session.exec(select(Staff).where(Staff.slack_id == slack_id, Staff.active)).first()


def by_email(session: Session, email: str) -> Staff | None:
    """An active person with this email (case-insensitive) and no Slack ID yet."""
    stmt = select(Staff).where(func.lower(Staff.email) == email.strip().lower(), Staff.active)
    return session.exec(stmt).first()


def current_unit(session: Session, staff_id: int, day: date) -> OrgUnit | None:
    stmt = (
        select(OrgUnit)
        .join(Membership, Membership.unit_id == OrgUnit.id)  # type: ignore[arg-type]
        .where(Membership.staff_id == staff_id, Membership.valid_from <= day,
               or_(Membership.valid_to.is_(None), Membership.valid_to > day))  # type: ignore[union-attr]
        .order_by(Membership.valid_from.desc())  # type: ignore[attr-defined]
    )
    return session.exec(stmt).first()


def latest_sheet(session: Session, staff_id: int) -> Sheet | None:
    """The newest sheet with its ratings, in one statement."""
    newest = (select(SelfAssessment.id).where(SelfAssessment.staff_id == staff_id)
              .order_by(SelfAssessment.submitted_at.desc(), SelfAssessment.id.desc())  # type: ignore[union-attr, attr-defined]
              .limit(1).scalar_subquery())
    stmt = (select(SelfAssessment, SelfAssessmentRating)
            .outerjoin(SelfAssessmentRating, SelfAssessmentRating.assessment_id == SelfAssessment.id)  # type: ignore[arg-type]
            .where(SelfAssessment.id == newest))
    rows = session.exec(stmt).all()
    if not rows:
        return None
    return Sheet(rows[0][0], {r.row: r.rating for _, r in rows if r is not None})


def pending_request(session: Session, staff_id: int) -> StepUpRequest | None:
    stmt = select(StepUpRequest).where(StepUpRequest.staff_id == staff_id, StepUpRequest.status == "pending")
    return session.exec(stmt).first()


def load_record(session: Session, staff: Staff, day: date) -> Record:
    """The person's record as of `day`."""
    assert staff.id is not None
    unit = current_unit(session, staff.id, day)
    digital = org.is_digital(session, unit.id) if unit is not None and unit.id is not None else False
    groups = frozenset(session.exec(select(StaffGroup.group_key).where(StaffGroup.staff_id == staff.id)).all())
    enrolments = session.exec(select(Enrolment).where(Enrolment.staff_id == staff.id)
                              .order_by(Enrolment.id)).all()  # type: ignore[arg-type]
    quals = session.exec(select(QualificationHeld).where(QualificationHeld.staff_id == staff.id)
                         .order_by(QualificationHeld.obtained_on, QualificationHeld.id)).all()  # type: ignore[arg-type]
    onjt = session.exec(select(OnJTEntry).where(OnJTEntry.staff_id == staff.id)
                        .order_by(OnJTEntry.started_on.desc(), OnJTEntry.id.desc())).all()  # type: ignore[attr-defined, union-attr]
    return Record(staff, unit, digital, groups, enrolments, latest_sheet(session, staff.id),
                  pending_request(session, staff.id), quals, onjt)


def enrolment(session: Session, staff_id: int, course_id: str) -> Enrolment | None:
    stmt = select(Enrolment).where(Enrolment.staff_id == staff_id, Enrolment.course_id == course_id)
    return session.exec(stmt).first()


def add_sheet(session: Session, staff_id: int, purpose: str, tier: int, track: str | None,
              ratings: dict[int, int], at: datetime) -> SelfAssessment:
    """Store a submitted sheet and its ratings (history is kept: sheets are never overwritten)."""
    sheet = SelfAssessment(staff_id=staff_id, purpose=purpose, target_tier=tier, target_track=track,
                           submitted_at=at)
    session.add(sheet)
    session.flush()
    assert sheet.id is not None
    session.add_all([SelfAssessmentRating(assessment_id=sheet.id, row=r, rating=v) for r, v in ratings.items()])
    return sheet


def managers_of(session: Session, unit_id: int, day: date, positions: Sequence[str]) -> list[Staff]:
    """The managers of a unit: holders of a manager position in the unit or, failing that, its ancestors."""
    chain = select(OrgUnit.id, OrgUnit.parent_id, func.cast(0, OrgUnit.id.type).label("depth")).where(  # type: ignore[union-attr]
        OrgUnit.id == unit_id).cte("chain", recursive=True)
    chain = chain.union_all(select(OrgUnit.id, OrgUnit.parent_id, (chain.c.depth + 1).label("depth")).join(
        chain, OrgUnit.id == chain.c.parent_id))  # type: ignore[arg-type]
    stmt = (
        select(Staff, chain.c.depth)
        .join(Membership, Membership.staff_id == Staff.id)  # type: ignore[arg-type]
        .join(chain, chain.c.id == Membership.unit_id)
        .where(Membership.position.in_(positions), Membership.valid_from <= day,  # type: ignore[attr-defined]
               or_(Membership.valid_to.is_(None), Membership.valid_to > day), Staff.active)  # type: ignore[union-attr]
        .order_by(chain.c.depth, Staff.id)
    )
    rows = session.exec(stmt).all()
    if not rows:
        return []
    nearest = rows[0][1]
    return [staff for staff, depth in rows if depth == nearest]
