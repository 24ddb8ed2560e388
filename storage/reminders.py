"""What the reminder planners read, in bulk (a fixed number of statements whatever the headcount)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, NamedTuple

from sqlalchemy import and_, delete, func, insert, or_
from sqlmodel import Session, select

from storage.delivery_models import ReminderLog, ReminderPref
from storage.models import Enrolment, Membership, OrgUnit, SelfAssessment, Staff, StaffGroup, StepUpRequest
from storage.outbox import raw_cursor
from storage.record_models import QualificationHeld


@dataclass(frozen=True)
class Recipient:
    """An active member of staff the bot can write to."""

    id: int
    slack_id: str
    tier: int
    track: str | None
    language: str | None
    slack_locale: str | None


class Course(NamedTuple):
    """One enrolment as the planners need it (a tuple: hundreds of thousands are read at once)."""

    course_id: str
    status: str
    enrolled_on: date | None
    hours: float | None


@dataclass(frozen=True)
class Pref:
    """A person's choice for one kind of reminder."""

    off: bool
    snoozed_until: date | None


@dataclass(frozen=True)
class Snapshot:
    """Everything the planners need about everyone, read at once."""

    recipients: list[Recipient]
    digital: dict[int, bool]
    groups: dict[int, frozenset[str]]
    courses: dict[int, list[Course]]
    latest_sheet: dict[int, datetime]
    pending_step_up: set[int]
    prefs: dict[tuple[int, str], Pref]
    last_reminded: dict[int, dict[tuple[str, str], date]]  # staff → (kind, subject) → last planned day
    this_week: dict[int, int]  # staff → reminders planned in the rolling week
    qualifications: dict[int, frozenset[str]] = field(default_factory=dict)  # staff → 資格 ids held


def recipients(session: Session) -> list[Recipient]:
    """Active staff with a Slack ID."""
    stmt = select(Staff.id, Staff.slack_id, Staff.tier, Staff.track, Staff.language, Staff.slack_locale).where(
        Staff.active, Staff.slack_id.is_not(None)).order_by(Staff.id)  # type: ignore[union-attr, arg-type]
    return [Recipient(*row) for row in session.exec(stmt)]  # type: ignore[call-overload]


def digital_by_staff(session: Session, day: date) -> dict[int, bool]:
    """Whether each person's unit on `day` is digital-related (itself or an ancestor flagged)."""
    rows = session.exec(select(OrgUnit.id, OrgUnit.parent_id, OrgUnit.digital))
    units: dict[int, tuple[int | None, bool]] = {uid: (parent, flag) for uid, parent, flag in rows}
    memo: dict[int, bool] = {}

    def digital(uid: int) -> bool:
        """The unit's own flag, else its parent's (memoised)."""
        if uid not in memo:
            parent, flag = units.get(uid, (None, False))
            memo[uid] = False  # a cycle in bad data ends here
            memo[uid] = bool(flag) or (parent is not None and digital(parent))
        return memo[uid]

    stmt = (select(Membership.staff_id, Membership.unit_id)
            .where(Membership.valid_from <= day,
                   or_(Membership.valid_to.is_(None), Membership.valid_to > day))  # type: ignore[union-attr]
            .order_by(Membership.staff_id, Membership.valid_from))  # type: ignore[arg-type]
    return {staff_id: digital(unit_id) for staff_id, unit_id in session.exec(stmt)}


def snapshot(session: Session, day: date, since: date, week_from: date) -> Snapshot:
    """The whole picture for planning on `day`: the log's last reminders since `since`, the count since `week_from`."""
    groups: dict[int, set[str]] = defaultdict(set)
    for staff_id, key in session.exec(select(StaffGroup.staff_id, StaffGroup.group_key)):
        groups[staff_id].add(key)
    courses: dict[int, list[Course]] = defaultdict(list)
    enrol = select(Enrolment.staff_id, Enrolment.course_id, Enrolment.status, Enrolment.enrolled_on,
                   Enrolment.hours)
    for staff_id, course_id, status, enrolled_on, hours in session.exec(enrol):
        courses[staff_id].append(Course(course_id, status, enrolled_on, hours))
    sheets = select(SelfAssessment.staff_id, func.max(SelfAssessment.submitted_at)).group_by(SelfAssessment.staff_id)
    pending = select(StepUpRequest.staff_id).where(StepUpRequest.status == "pending")
    last: dict[int, dict[tuple[str, str], date]] = defaultdict(dict)
    latest = (select(ReminderLog.staff_id, ReminderLog.kind, ReminderLog.subject, func.max(ReminderLog.planned_on))
              .where(ReminderLog.planned_on >= since)
              .group_by(ReminderLog.staff_id, ReminderLog.kind, ReminderLog.subject))
    for staff_id, kind, subject, on in session.exec(latest):
        last[staff_id][(kind, subject)] = on
    week = (select(ReminderLog.staff_id, func.count()).where(ReminderLog.planned_on >= week_from,
                                                              ReminderLog.planned_on <= day)
            .group_by(ReminderLog.staff_id))
    return Snapshot(
        recipients=recipients(session), digital=digital_by_staff(session, day),
        groups={k: frozenset(v) for k, v in groups.items()}, courses=dict(courses),
        latest_sheet=dict(session.exec(sheets).all()),
        pending_step_up=set(session.exec(pending).all()), prefs=all_prefs(session),
        last_reminded=dict(last), this_week=dict(session.exec(week).all()),  # type: ignore[arg-type]
        qualifications=_qualifications(session),
    )


def _qualifications(session: Session) -> dict[int, frozenset[str]]:
    """The qualifications everyone holds (a requirement they stand for needs no reminder)."""
    held: dict[int, set[str]] = defaultdict(set)
    for staff_id, qualification in session.exec(select(QualificationHeld.staff_id, QualificationHeld.qualification_id)):
        held[staff_id].add(qualification)
    return {k: frozenset(v) for k, v in held.items()}


def all_prefs(session: Session, staff_ids: Iterable[int] | None = None) -> dict[tuple[int, str], Pref]:
    """Reminder choices by (staff id, kind); only those that differ from the default."""
    stmt = select(ReminderPref)
    if staff_ids is not None:
        stmt = stmt.where(ReminderPref.staff_id.in_(list(staff_ids)))  # type: ignore[attr-defined]
    return {(p.staff_id, p.kind): Pref(p.off, p.snoozed_until) for p in session.exec(stmt)}


def set_pref(session: Session, staff_id: int, kind: str, now: datetime, *, off: bool,
             snoozed_until: date | None) -> None:
    """Store one person's choice for one kind (insert or replace)."""
    row = session.get(ReminderPref, (staff_id, kind))
    if row is None:
        row = ReminderPref(staff_id=staff_id, kind=kind, updated_at=now)
    row.off, row.snoozed_until, row.updated_at = off, snoozed_until, now
    session.add(row)


def log_planned(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Record planned reminders (staff_id, kind, subject, planned_on, delivery_id) in bulk (COPY on PostgreSQL)."""
    if not rows:
        return
    if session.get_bind().dialect.name != "postgresql":
        session.execute(insert(ReminderLog.__table__), list(rows))  # type: ignore[attr-defined]
        return
    columns = ("staff_id", "kind", "subject", "planned_on", "delivery_id")
    with raw_cursor(session) as cur, cur.copy(f"COPY reminder_log ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(tuple(row[c] for c in columns))


def enrolment_status(session: Session, pairs: Iterable[tuple[int, str]]) -> dict[tuple[int, str], str]:
    """The status of each (staff id, course id) that has an enrolment."""
    pairs = list(set(pairs))
    if not pairs:
        return {}
    staff_ids = sorted({s for s, _ in pairs})
    stmt = select(Enrolment.staff_id, Enrolment.course_id, Enrolment.status).where(
        Enrolment.staff_id.in_(staff_ids))  # type: ignore[attr-defined]
    wanted = set(pairs)
    return {(s, c): st for s, c, st in session.exec(stmt) if (s, c) in wanted}


def sheets_since(session: Session, since: dict[int, datetime]) -> set[int]:
    """The people (of `since`) who submitted a sheet at or after their given moment."""
    if not since:
        return set()
    stmt = select(SelfAssessment.staff_id, SelfAssessment.submitted_at).where(
        SelfAssessment.staff_id.in_(list(since)))  # type: ignore[attr-defined]
    return {sid for sid, at in session.exec(stmt) if at >= since[sid]}


def planned_between(session: Session, staff_id: int, first: date, last: date) -> list[ReminderLog]:
    """One person's planned reminders in a date range (for tests and the operator)."""
    stmt = select(ReminderLog).where(and_(ReminderLog.staff_id == staff_id, ReminderLog.planned_on >= first,
                                          ReminderLog.planned_on <= last)).order_by(ReminderLog.id)  # type: ignore[arg-type]
    return list(session.exec(stmt).all())


def purge_log(session: Session, before: date) -> int:
    """Forget reminder log rows planned before `before`."""
    return int(session.exec(delete(ReminderLog).where(ReminderLog.planned_on < before)).rowcount)  # type: ignore[call-overload, arg-type]
