"""The learning community's reads and writes: membership, preferences, events, RSVPs and attendance.

Seats are decided under a lock on the event row (`lock_event`): on PostgreSQL the UPDATE takes the row
lock, on SQLite it takes the database's write lock, so two people asking for the last seat at once are
served one after the other. Callers commit (storage.db.transaction or session.commit()).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import func, text, update
from sqlmodel import Session, col, select

from storage.community_models import (
    GOING,
    SCHEDULED,
    WAITING,
    CommunityEvent,
    CommunityPref,
    EventRsvp,
)
from storage.manager_models import ROLE_MENTOR, CommunityMember, StaffRole
from storage.models import Membership, OrgUnit, Staff
from storage.org import valid_on
from storage.outbox import insert_for

OPEN = text("left_at IS NULL")


# ---- membership ------------------------------------------------------------------------------------------
def is_member(session: Session, staff_id: int) -> bool:
    """Whether the person is in the community now."""
    stmt = select(CommunityMember.id).where(CommunityMember.staff_id == staff_id,
                                            col(CommunityMember.left_at).is_(None))
    return session.exec(stmt).first() is not None


def join(session: Session, staff_id: int, at: datetime, sheet_id: int | None) -> bool:
    """Open a membership (idempotent: False when the person is already in)."""
    stmt = (insert_for(session)(CommunityMember)
            .values(staff_id=staff_id, joined_at=at, sheet_id=sheet_id)
            .on_conflict_do_nothing(index_elements=["staff_id"], index_where=OPEN)
            .returning(CommunityMember.id))
    return session.exec(stmt).first() is not None  # type: ignore[call-overload]


def leave(session: Session, staff_id: int, at: datetime) -> bool:
    """Close the open membership; False when there was none."""
    stmt = (update(CommunityMember).where(col(CommunityMember.staff_id) == staff_id,
                                          col(CommunityMember.left_at).is_(None)).values(left_at=at))
    return bool(session.exec(stmt).rowcount)  # type: ignore[call-overload]


def members(session: Session) -> list[Staff]:
    """Active people in the community now, by 職員番号."""
    stmt = (select(Staff).join(CommunityMember, col(CommunityMember.staff_id) == Staff.id)
            .where(col(CommunityMember.left_at).is_(None), Staff.active).order_by(Staff.number))
    return list(session.exec(stmt).all())


def member_count(session: Session) -> int:
    stmt = (select(func.count()).select_from(CommunityMember).join(Staff, col(Staff.id) == CommunityMember.staff_id)
            .where(col(CommunityMember.left_at).is_(None), Staff.active))
    return int(session.exec(stmt).one())


def mentors(session: Session) -> list[Staff]:
    """The specialists the city hired (特定任期付職員, 副業人材), as the administrator marked them."""
    stmt = (select(Staff).join(StaffRole, col(StaffRole.staff_id) == Staff.id)
            .where(StaffRole.role == ROLE_MENTOR, Staff.active).order_by(Staff.number))
    return list(session.exec(stmt).all())


# ---- preferences -----------------------------------------------------------------------------------------
def pref(session: Session, staff_id: int) -> CommunityPref:
    """The person's choices (defaults when never set: no DMs, invitations welcome)."""
    never = datetime.min.replace(tzinfo=UTC)
    return session.get(CommunityPref, staff_id) or CommunityPref(staff_id=staff_id, updated_at=never)


def set_pref(session: Session, staff_id: int, at: datetime, *, announce_dm: bool | None = None,
             no_invites: bool | None = None) -> CommunityPref:
    """Change one or both choices (the row is created on first use)."""
    row = session.get(CommunityPref, staff_id) or CommunityPref(staff_id=staff_id, updated_at=at)
    if announce_dm is not None:
        row.announce_dm = announce_dm
    if no_invites is not None:
        row.no_invites = no_invites
    row.updated_at = at
    session.add(row)
    return row


def dm_members(session: Session) -> list[Staff]:
    """Active members with a Slack ID who asked for events by DM."""
    stmt = (select(Staff).join(CommunityMember, col(CommunityMember.staff_id) == Staff.id)
            .join(CommunityPref, col(CommunityPref.staff_id) == Staff.id)
            .where(col(CommunityMember.left_at).is_(None), Staff.active, col(Staff.slack_id).is_not(None),
                   col(CommunityPref.announce_dm).is_(True))
            .order_by(Staff.number))
    return list(session.exec(stmt).all())


# ---- events ----------------------------------------------------------------------------------------------
def add_event(session: Session, event: CommunityEvent) -> CommunityEvent:
    session.add(event)
    session.flush()
    return event


def lock_event(session: Session, event_id: int) -> CommunityEvent | None:
    """The event, locked against other seat changes until the transaction ends (None: no such event)."""
    stmt = update(CommunityEvent).where(col(CommunityEvent.id) == event_id).values(version=CommunityEvent.version)
    if not session.exec(stmt).rowcount:  # type: ignore[call-overload]
        return None
    return session.get(CommunityEvent, event_id, populate_existing=True)


def event(session: Session, event_id: int) -> CommunityEvent | None:
    return session.get(CommunityEvent, event_id)


def upcoming(session: Session, now: datetime, limit: int = 20) -> list[CommunityEvent]:
    """Scheduled events not yet started, soonest first."""
    stmt = (select(CommunityEvent).where(CommunityEvent.status == SCHEDULED, col(CommunityEvent.starts_at) > now)
            .order_by(CommunityEvent.starts_at, CommunityEvent.id).limit(limit))
    return list(session.exec(stmt).all())


def organised(session: Session, organiser_id: int | None, since: datetime, limit: int = 20) -> list[CommunityEvent]:
    """Events (any status) ending after `since`, by one organiser or (None) by anyone, soonest first."""
    stmt = select(CommunityEvent).where(col(CommunityEvent.ends_at) >= since)
    if organiser_id is not None:
        stmt = stmt.where(CommunityEvent.organiser_id == organiser_id)
    return list(session.exec(stmt.order_by(CommunityEvent.starts_at, CommunityEvent.id).limit(limit)).all())


@dataclass(frozen=True)
class Seats:
    going: int = 0
    waiting: int = 0


def seats(session: Session, event_ids: Iterable[int]) -> dict[int, Seats]:
    """Going and waiting counts per event (events without answers are absent)."""
    ids = list(event_ids)
    if not ids:
        return {}
    stmt = (select(EventRsvp.event_id, EventRsvp.status, func.count())
            .where(col(EventRsvp.event_id).in_(ids), col(EventRsvp.status).in_((GOING, WAITING)))
            .group_by(EventRsvp.event_id, EventRsvp.status))
    found: dict[int, dict[str, int]] = {}
    for event_id, status, n in session.exec(stmt):
        found.setdefault(event_id, {})[status] = n
    return {eid: Seats(c.get(GOING, 0), c.get(WAITING, 0)) for eid, c in found.items()}


def answers_of(session: Session, staff_id: int, event_ids: Iterable[int]) -> dict[int, EventRsvp]:
    """One person's answers to some events, by event id."""
    ids = list(event_ids)
    if not ids:
        return {}
    stmt = select(EventRsvp).where(EventRsvp.staff_id == staff_id, col(EventRsvp.event_id).in_(ids))
    return {r.event_id: r for r in session.exec(stmt)}


def answer(session: Session, event_id: int, staff_id: int) -> EventRsvp | None:
    stmt = select(EventRsvp).where(EventRsvp.event_id == event_id, EventRsvp.staff_id == staff_id)
    return session.exec(stmt).first()


def save_answer(session: Session, row: EventRsvp) -> EventRsvp:
    session.add(row)
    session.flush()
    return row


def waiting_queue(session: Session, event_id: int, limit: int) -> list[EventRsvp]:
    """The first `limit` people waiting for a seat, in the order they asked."""
    stmt = (select(EventRsvp).where(EventRsvp.event_id == event_id, EventRsvp.status == WAITING)
            .order_by(EventRsvp.queued_at, EventRsvp.id).limit(limit))
    return list(session.exec(stmt).all())


def waiting_position(session: Session, event_id: int, staff_id: int) -> int:
    """The person's place on the waiting list (1 = next); 0 when they are not waiting."""
    mine = answer(session, event_id, staff_id)
    if mine is None or mine.status != WAITING:
        return 0
    ahead = (select(func.count()).select_from(EventRsvp)
             .where(EventRsvp.event_id == event_id, EventRsvp.status == WAITING,
                    (col(EventRsvp.queued_at) < mine.queued_at)
                    | ((col(EventRsvp.queued_at) == mine.queued_at) & (col(EventRsvp.id) < mine.id))))
    return int(session.exec(ahead).one()) + 1


def people_of(session: Session, event_id: int, statuses: tuple[str, ...]) -> list[tuple[EventRsvp, Staff]]:
    """The answers in some states, with their people, in queue order."""
    stmt = (select(EventRsvp, Staff).join(Staff, col(Staff.id) == EventRsvp.staff_id)
            .where(EventRsvp.event_id == event_id, col(EventRsvp.status).in_(statuses))
            .order_by(EventRsvp.queued_at, EventRsvp.id))
    return [(r, s) for r, s in session.exec(stmt)]


def mark_attendance(session: Session, event_id: int, attended: set[int], hours: float, at: datetime) -> int:
    """Record who came among those going (the others: did not); the hours go to those who came."""
    rows = session.exec(select(EventRsvp).where(EventRsvp.event_id == event_id, EventRsvp.status == GOING)).all()
    for row in rows:
        came = row.staff_id in attended
        row.attended, row.hours, row.updated_at = came, (hours if came else None), at
        session.add(row)
    return sum(1 for row in rows if row.staff_id in attended)


@dataclass(frozen=True)
class Attended:
    event_id: int
    title: str
    kind: str
    starts_at: datetime
    hours: float


def attended(session: Session, staff_id: int) -> list[Attended]:
    """Events the person attended (most recent first), with the hours credited."""
    stmt = (select(CommunityEvent.id, CommunityEvent.title, CommunityEvent.kind, CommunityEvent.starts_at,
                   EventRsvp.hours)
            .join(EventRsvp, col(EventRsvp.event_id) == CommunityEvent.id)
            .where(EventRsvp.staff_id == staff_id, col(EventRsvp.attended).is_(True))
            .order_by(col(CommunityEvent.starts_at).desc()))
    return [Attended(eid, title, kind, starts, hours or 0.0) for eid, title, kind, starts, hours in session.exec(stmt)]


def attended_by_all(session: Session, staff_ids: Iterable[int] | None = None) -> list[tuple[int, Attended]]:
    """Every attendance with its person (for exports), optionally only some people."""
    stmt = (select(EventRsvp.staff_id, CommunityEvent.id, CommunityEvent.title, CommunityEvent.kind,
                   CommunityEvent.starts_at, EventRsvp.hours)
            .join(EventRsvp, col(EventRsvp.event_id) == CommunityEvent.id)
            .where(col(EventRsvp.attended).is_(True)).order_by(EventRsvp.staff_id, CommunityEvent.starts_at))
    if staff_ids is not None:
        stmt = stmt.where(col(EventRsvp.staff_id).in_(list(staff_ids)))
    return [(sid, Attended(eid, title, kind, starts, hours or 0.0))
            for sid, eid, title, kind, starts, hours in session.exec(stmt)]



def unit_names(session: Session, staff_ids: Iterable[int], day: date) -> dict[int, str]:
    """Each person's unit name on `day` (for the members' list)."""
    ids = list(staff_ids)
    if not ids:
        return {}
    stmt = (select(Membership.staff_id, OrgUnit.name).join(OrgUnit, col(OrgUnit.id) == Membership.unit_id)
            .where(col(Membership.staff_id).in_(ids), valid_on(day)))
    return dict(session.exec(stmt).all())
