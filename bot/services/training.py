"""Enrol, report a completion, withdraw: each checked by the rules, written once, audited."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from bot import rules
from bot.plan import Course
from bot.services.deps import Deps, UserError
from bot.services.progress import STATUS_COMPLETED, STATUS_ENROLLED, STATUS_WITHDRAWN, person_of, record_history
from storage import people
from storage.models import AuditLog, Enrolment, Staff


@dataclass(frozen=True)
class Completion:
    """A completion report as entered in the modal (already parsed)."""

    course_id: str
    completed_on: date
    hours: float
    evidence_url: str | None


def course_or_error(deps: Deps, course_id: str) -> Course:
    course = deps.plan.courses.get(course_id)
    if course is None:
        raise UserError("error_unknown_course")
    return course


def _context(deps: Deps, session: Session, staff: Staff) -> tuple[rules.Person, rules.History, list[Enrolment]]:
    record = people.load_record(session, staff, deps.today())
    enrolments = list(record.enrolments)
    return person_of(staff, record.digital, record.groups), record_history(deps.plan, record), enrolments


def audit(session: Session, deps: Deps, staff: Staff, action: str, subject_id: int | None, **detail: object) -> None:
    session.add(AuditLog(at=deps.now(), actor=f"staff:{staff.id}", action=action,
                         subject_staff_id=subject_id, detail=json.dumps(detail, ensure_ascii=False)))


def enrol(deps: Deps, session: Session, staff: Staff, course_id: str) -> Course:
    """Enrol in a course the person may take; refuse with the rule's reason otherwise."""
    course = course_or_error(deps, course_id)
    person, history, _ = _context(deps, session, staff)
    access = rules.eligibility(deps.plan, person, history, course)
    if not access.allowed:
        raise UserError(f"reason_{access.reason}")
    assert staff.id is not None
    row = people.enrolment(session, staff.id, course.id)
    if row is None:
        session.add(Enrolment(staff_id=staff.id, course_id=course.id, status=STATUS_ENROLLED, source="self",
                              enrolled_on=deps.today(), updated_at=deps.now()))
    elif not _change_if(session, row, (STATUS_WITHDRAWN,), status=STATUS_ENROLLED, enrolled_on=deps.today(),
                        completed_on=None, hours=None, source="self", updated_at=deps.now()):
        raise UserError("reason_already_enrolled")  # re-enrolling keeps the one row; this form came in twice
    audit(session, deps, staff, "enrol", staff.id, course=course.id)
    _commit_once(session, staff.id, course.id, "reason_already_enrolled")
    return course


def completion_errors(deps: Deps, session: Session, staff: Staff, report: Completion) -> dict[str, str]:
    """Field -> message key for a completion report; empty when it may be recorded."""
    course = deps.plan.courses.get(report.course_id)
    if course is None:
        return {"course": "error_unknown_course"}
    assert staff.id is not None
    row = people.enrolment(session, staff.id, course.id)
    if row is not None and row.status == STATUS_COMPLETED:
        return {"course": "reason_already_completed"}
    if row is None or row.status != STATUS_ENROLLED:
        person, history, _ = _context(deps, session, staff)
        access = rules.eligibility(deps.plan, person, history, course)
        if not access.allowed:
            return {"course": f"reason_{access.reason}"}
    enrolled_on = row.enrolled_on if row is not None and row.status == STATUS_ENROLLED else None
    problems = rules.validate_completion(course, report.hours, report.completed_on, enrolled_on, deps.today())
    return {field: f"completion_{code}" for field, code in reversed(problems)}


def complete(deps: Deps, session: Session, staff: Staff, report: Completion) -> Course:
    """Record a completion (修了) that completion_errors accepted."""
    course = course_or_error(deps, report.course_id)
    assert staff.id is not None
    row = people.enrolment(session, staff.id, course.id)
    values = {"status": STATUS_COMPLETED, "completed_on": report.completed_on, "hours": report.hours,
              "evidence_url": report.evidence_url, "source": "self", "updated_at": deps.now()}
    if row is None:
        session.add(Enrolment(staff_id=staff.id, course_id=course.id, enrolled_on=None, **values))
    elif not _change_if(session, row, (STATUS_ENROLLED, STATUS_WITHDRAWN), **values):
        raise UserError("reason_already_completed")  # completed since it was checked: this form came in twice
    audit(session, deps, staff, "complete", staff.id, course=course.id, hours=report.hours)
    _commit_once(session, staff.id, course.id, "reason_already_completed")
    return course


def withdraw(deps: Deps, session: Session, staff: Staff, course_id: str) -> Course:
    """Withdraw from a course in progress (a completed course cannot be withdrawn)."""
    course = course_or_error(deps, course_id)
    assert staff.id is not None
    row = people.enrolment(session, staff.id, course.id)
    if row is None or not _change_if(session, row, (STATUS_ENROLLED,), status=STATUS_WITHDRAWN,
                                     updated_at=deps.now()):
        raise UserError("error_not_enrolled")
    audit(session, deps, staff, "withdraw", staff.id, course=course.id)
    session.commit()
    return course


def _change_if(session: Session, row: Enrolment, states: tuple[str, ...], **values: object) -> bool:
    """Update the row only while it is still in one of `states` (decided by the database, not by what this
    request read before): False when the same form, submitted twice at once, changed it first."""
    stmt = update(Enrolment).where(Enrolment.id == row.id, Enrolment.status.in_(states)).values(**values)  # type: ignore[arg-type,attr-defined]
    return bool(session.execute(stmt.execution_options(synchronize_session="fetch")).rowcount == 1)  # type: ignore[attr-defined]


def _commit_once(session: Session, staff_id: int, course_id: str, lost: str) -> None:
    """Commit; when the same form submitted twice at once lost the race to the unique key, the
    winner's row stands and this one is refused with `lost`. Any other integrity error is raised."""
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        if people.enrolment(session, staff_id, course_id) is None:
            raise
        raise UserError(lost) from None


def enrol_options(deps: Deps, session: Session, staff: Staff) -> tuple[list[Course], list[tuple[Course, str]]]:
    """Courses the person may enrol in now, and the next tier's courses locked (with the reason code)."""
    person, history, _ = _context(deps, session, staff)
    allowed: list[Course] = []
    locked: list[tuple[Course, str]] = []
    for course in deps.plan.courses.values():
        access = rules.eligibility(deps.plan, person, history, course)
        if access.allowed:
            allowed.append(course)
        elif access.reason == rules.LOCKED_PREVIOUS_TIER_INCOMPLETE:
            locked.append((course, access.reason))
    return allowed, locked


def completion_options(deps: Deps, session: Session, staff: Staff) -> list[Course]:
    """Courses a completion may be reported for: those in progress, then any the person may take."""
    person, history, _ = _context(deps, session, staff)
    doing = [deps.plan.courses[c] for c in sorted(history.enrolled) if c in deps.plan.courses]
    others = [c for c in deps.plan.courses.values()
              if c.id not in history.enrolled and rules.eligibility(deps.plan, person, history, c).allowed]
    return doing + others
