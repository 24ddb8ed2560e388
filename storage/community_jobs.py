"""What the community's scheduled jobs read and write, in bulk (a fixed number of statements per run).

Event reminders, the weekly events note to members and the monthly invitations (jobs.community). The
send-time checks read one batch of the sender at a time, again in a fixed number of statements.
Callers commit (storage.db.transaction).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, exists, func, insert, select
from sqlmodel import Session, col

from storage import jobslots
from storage.community_models import GOING, SCHEDULED, CommunityEvent, CommunityInvitation, CommunityPref, EventRsvp
from storage.delivery_models import JobSlot
from storage.manager_models import CommunityMember, Recommendation
from storage.models import Enrolment, SelfAssessment, SelfAssessmentRating, Staff, StaffGroup
from storage.record_models import QualificationHeld
from storage.reminders import Recipient

MARKER_OWNER = "community-jobs"


def _recipient_columns() -> tuple[Any, ...]:
    return (Staff.id, Staff.slack_id, Staff.tier, Staff.track, Staff.language, Staff.slack_locale)


def _open_member(staff_id: Any) -> Any:
    return exists().where(CommunityMember.staff_id == staff_id, col(CommunityMember.left_at).is_(None))


# ---- events ------------------------------------------------------------------------------------------------
def coming_events(session: Session, after: datetime, until: datetime, limit: int = 100) -> list[CommunityEvent]:
    """Scheduled events starting in (after, until], soonest first."""
    stmt = (select(CommunityEvent).where(CommunityEvent.status == SCHEDULED, col(CommunityEvent.starts_at) > after,
                                         col(CommunityEvent.starts_at) <= until)
            .order_by(CommunityEvent.starts_at, CommunityEvent.id).limit(limit))
    return list(session.scalars(stmt).all())


def events_by_id(session: Session, event_ids: Iterable[int]) -> dict[int, CommunityEvent]:
    """Events (any status) by id."""
    ids = sorted(set(event_ids))
    if not ids:
        return {}
    return {e.id: e for e in session.scalars(select(CommunityEvent).where(col(CommunityEvent.id).in_(ids)))
            if e.id is not None}


@dataclass(frozen=True)
class Attendee:
    """A person going to an event, as the reminder planner needs them."""

    event_id: int
    staff_id: int
    slack_id: str
    language: str | None
    slack_locale: str | None
    queued_at: datetime  # when they (last) asked for their seat


def attendees(session: Session, event_ids: Iterable[int]) -> list[Attendee]:
    """Everyone going to these events who can be written to (active, with a Slack ID)."""
    ids = sorted(set(event_ids))
    if not ids:
        return []
    stmt = (select(EventRsvp.event_id, Staff.id, Staff.slack_id, Staff.language, Staff.slack_locale,
                   EventRsvp.queued_at)
            .join(Staff, col(Staff.id) == EventRsvp.staff_id)
            .where(col(EventRsvp.event_id).in_(ids), EventRsvp.status == GOING, col(Staff.active).is_(True),
                   col(Staff.slack_id).is_not(None))
            .order_by(EventRsvp.event_id, Staff.id))
    return [Attendee(*row) for row in session.execute(stmt)]


def answers(session: Session, event_ids: Iterable[int], staff_ids: Iterable[int]) -> dict[tuple[int, int], str]:
    """The status of each (event, person) answer among these events and people."""
    events, people = sorted(set(event_ids)), sorted(set(staff_ids))
    if not events or not people:
        return {}
    stmt = select(EventRsvp.event_id, EventRsvp.staff_id, EventRsvp.status).where(
        col(EventRsvp.event_id).in_(events), col(EventRsvp.staff_id).in_(people))
    return {(e, s): status for e, s, status in session.execute(stmt)}


def going_counts(session: Session, event_ids: Iterable[int]) -> dict[int, int]:
    """Seats taken per event (events nobody is going to are absent)."""
    ids = sorted(set(event_ids))
    if not ids:
        return {}
    stmt = (select(EventRsvp.event_id, func.count()).where(col(EventRsvp.event_id).in_(ids), EventRsvp.status == GOING)
            .group_by(EventRsvp.event_id))
    return {eid: int(n) for eid, n in session.execute(stmt)}


# ---- members ---------------------------------------------------------------------------------------------
def member_recipients(session: Session) -> list[Recipient]:
    """Members now (open membership) who are active and have a Slack ID, by id."""
    stmt = (select(*_recipient_columns()).join(CommunityMember, col(CommunityMember.staff_id) == Staff.id)
            .where(col(CommunityMember.left_at).is_(None), col(Staff.active).is_(True),
                   col(Staff.slack_id).is_not(None))
            .order_by(Staff.id))
    return [Recipient(*row) for row in session.execute(stmt)]


def members_among(session: Session, staff_ids: Iterable[int]) -> set[int]:
    """Those of these people who are active members now."""
    ids = sorted(set(staff_ids))
    if not ids:
        return set()
    stmt = (select(CommunityMember.staff_id).join(Staff, col(Staff.id) == CommunityMember.staff_id)
            .where(col(CommunityMember.staff_id).in_(ids), col(CommunityMember.left_at).is_(None),
                   col(Staff.active).is_(True)))
    return set(session.scalars(stmt).all())


def opted_out_among(session: Session, staff_ids: Iterable[int]) -> set[int]:
    """Those of these people who asked for no more invitations."""
    ids = sorted(set(staff_ids))
    if not ids:
        return set()
    stmt = select(CommunityPref.staff_id).where(col(CommunityPref.staff_id).in_(ids),
                                                col(CommunityPref.no_invites).is_(True))
    return set(session.scalars(stmt).all())


# ---- invitations -----------------------------------------------------------------------------------------
def _candidate_filter(quiet_from: str) -> list[Any]:
    """Active, with a Slack ID, not a member, not opted out, not invited in a month >= `quiet_from`."""
    opted_out = exists().where(CommunityPref.staff_id == Staff.id, col(CommunityPref.no_invites).is_(True))
    invited = exists().where(CommunityInvitation.staff_id == Staff.id, CommunityInvitation.month >= quiet_from)
    return [col(Staff.active).is_(True), col(Staff.slack_id).is_not(None), ~_open_member(Staff.id), ~opted_out,
            ~invited]


def invite_candidates(session: Session, quiet_from: str) -> list[Recipient]:
    """Everyone who may be invited this month (see `_candidate_filter`), by id."""
    stmt = select(*_recipient_columns()).where(*_candidate_filter(quiet_from)).order_by(Staff.id)
    return [Recipient(*row) for row in session.execute(stmt)]


def _candidate_ids(quiet_from: str) -> Any:
    return select(Staff.id).where(*_candidate_filter(quiet_from))


def recommended_since(session: Session, since: datetime, quiet_from: str) -> set[int]:
    """Candidates a manager recommended for the community at or after `since`."""
    stmt = select(Recommendation.staff_id).where(
        Recommendation.kind == "community", col(Recommendation.at) >= since,
        col(Recommendation.staff_id).in_(_candidate_ids(quiet_from))).distinct()
    return set(session.scalars(stmt).all())


def completed_by(session: Session, quiet_from: str, tier: int) -> dict[int, dict[str, float]]:
    """Completed courses (id → hours) of the candidates at `tier`."""
    stmt = (select(Enrolment.staff_id, Enrolment.course_id, Enrolment.hours)
            .join(Staff, col(Staff.id) == Enrolment.staff_id)
            .where(Enrolment.status == "completed", Staff.tier == tier, *_candidate_filter(quiet_from)))
    done: dict[int, dict[str, float]] = defaultdict(dict)
    for staff_id, course_id, hours in session.execute(stmt):
        done[staff_id][course_id] = hours or 0.0
    return dict(done)


def groups_of_all(session: Session) -> dict[int, frozenset[str]]:
    """Candidate-group keys of everyone who has any."""
    found: dict[int, set[str]] = defaultdict(set)
    for staff_id, key in session.execute(select(StaffGroup.staff_id, StaffGroup.group_key)):
        found[staff_id].add(key)
    return {k: frozenset(v) for k, v in found.items()}


def qualifications_of_all(session: Session) -> dict[int, frozenset[str]]:
    """Qualification ids everyone holds."""
    held: dict[int, set[str]] = defaultdict(set)
    for staff_id, qid in session.execute(select(QualificationHeld.staff_id, QualificationHeld.qualification_id)):
        held[staff_id].add(qid)
    return {k: frozenset(v) for k, v in held.items()}


@dataclass(frozen=True)
class LatestSheet:
    """A person's latest self-assessment sheet: what it aimed at and its ratings (row → value)."""

    target_tier: int
    target_track: str | None
    ratings: dict[int, int]


def latest_sheets(session: Session, since: datetime, quiet_from: str) -> dict[int, LatestSheet]:
    """Each candidate's latest sheet submitted at or after `since` (one join; ties: the higher id)."""
    s, r = SelfAssessment, SelfAssessmentRating
    latest = (select(s.staff_id, func.max(s.submitted_at).label("at"))
              .where(col(s.submitted_at) >= since, col(s.staff_id).in_(_candidate_ids(quiet_from)))
              .group_by(s.staff_id).subquery())
    stmt = (select(s.staff_id, s.id, s.target_tier, s.target_track, r.row, r.rating)
            .join(latest, and_(latest.c.staff_id == s.staff_id, latest.c.at == s.submitted_at))
            .join(r, col(r.assessment_id) == s.id)
            .order_by(s.staff_id, s.id))
    sheet_of: dict[int, int] = {}
    found: dict[int, LatestSheet] = {}
    for staff_id, sheet_id, tier, track, row, rating in session.execute(stmt):
        if sheet_of.get(staff_id) != sheet_id:
            sheet_of[staff_id] = sheet_id
            found[staff_id] = LatestSheet(tier, track, {})
        found[staff_id].ratings[row] = rating
    return found


def record_invitations(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Add invitation rows (staff_id, month, invited_on, reason, delivery_id); one multi-row INSERT."""
    if rows:
        session.execute(insert(CommunityInvitation.__table__), list(rows))  # type: ignore[attr-defined]


def invitations_of(session: Session, staff_id: int) -> list[CommunityInvitation]:
    """One person's invitations, oldest first (for tests and the operator)."""
    stmt = select(CommunityInvitation).where(CommunityInvitation.staff_id == staff_id).order_by(
        CommunityInvitation.month)
    return list(session.scalars(stmt).all())


# ---- once per period -------------------------------------------------------------------------------------
def claim_period(session: Session, name: str, period_end: datetime, now: datetime) -> bool:
    """Mark a job's work for a period (a week, a month) as done; False when it already was.

    The mark is a job_slot row named `name` at the period's end: it stays while the period lasts (the
    housekeeping only forgets slots older than the retention), and a second run in the period finds it.
    """
    if not jobslots.claim(session, name, period_end, MARKER_OWNER, now, timedelta(days=3660)):
        return False
    jobslots.finish(session, name, period_end, MARKER_OWNER, now, "planned")
    return True


def period_claimed(session: Session, name: str, period_end: datetime) -> bool:
    """Whether the job's work for the period ending at `period_end` is already done."""
    stmt = select(JobSlot.job).where(JobSlot.job == name, col(JobSlot.slot) == period_end)
    return session.execute(stmt).first() is not None
