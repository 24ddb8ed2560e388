"""The learning community as a person sees it: membership (joined with a sheet), choices, events, members."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session

from bot.services import events
from bot.services.deps import Deps, UserError
from bot.services.training import audit
from storage import community, roles
from storage.community_models import GOING, WAITING, CommunityEvent
from storage.models import Staff

HOME_EVENTS, HOME_ORGANISED = 3, 4
ORGANISED_SINCE = timedelta(days=14)  # an organiser's events ended this recently still show (attendance)


@dataclass(frozen=True)
class EventLine:
    """An upcoming event with its seats and the person's answer (going | waiting | declined | none)."""

    event: CommunityEvent
    going: int
    waiting: int
    mine: str
    position: int = 0  # on the waiting list (1 = next)


@dataclass(frozen=True)
class OrganisedLine:
    event: CommunityEvent
    going: int
    waiting: int
    started: bool


@dataclass(frozen=True)
class CommunityView:
    lang: str
    member: bool
    announce_dm: bool
    members: int
    events: tuple[EventLine, ...]
    organiser: bool
    organised: tuple[OrganisedLine, ...]
    attended: int
    hours: float


def view(deps: Deps, session: Session, staff: Staff, lang: str, events_shown: int = HOME_EVENTS) -> CommunityView:
    """Everything the community part of the App Home and `/mytraining community` show."""
    assert staff.id is not None
    now = deps.now()
    member = community.is_member(session, staff.id)
    coming = community.upcoming(session, now, events_shown)
    organiser = events.may_organise(session, staff)
    whose = None if roles.is_admin(session, staff.id) else staff.id  # administrators see every organiser's
    mine_org = community.organised(session, whose, now - ORGANISED_SINCE, HOME_ORGANISED) if organiser else []
    counts = community.seats(session, [e.id for e in [*coming, *mine_org] if e.id is not None])
    answers = community.answers_of(session, staff.id, [e.id for e in coming if e.id is not None])

    def seats(event: CommunityEvent) -> community.Seats:
        return counts.get(event.id or 0, community.Seats())

    def line(event: CommunityEvent) -> EventLine:
        mine = answers[event.id].status if event.id in answers else "none"
        position = community.waiting_position(session, event.id, staff.id) if mine == WAITING and event.id else 0
        return EventLine(event, seats(event).going, seats(event).waiting, mine, position)

    organised = tuple(OrganisedLine(e, seats(e).going, seats(e).waiting, e.starts_at <= now) for e in mine_org)
    done = community.attended(session, staff.id)
    return CommunityView(lang, member, community.pref(session, staff.id).announce_dm, community.member_count(session),
                         tuple(line(e) for e in coming), organiser, organised, len(done), sum(a.hours for a in done))


def join(deps: Deps, session: Session, staff: Staff, sheet_id: int | None) -> bool:
    """Join with the sheet just submitted; False when already a member. Commit."""
    assert staff.id is not None
    joined = community.join(session, staff.id, deps.now(), sheet_id)
    if joined:
        audit(session, deps, staff, "community_join", staff.id, sheet=sheet_id)
    session.commit()
    return joined


def leave(deps: Deps, session: Session, staff: Staff) -> int:
    """Leave at any time: seats and waiting places in coming events are given back first. Commit.

    Returns the number of answers given back.
    """
    assert staff.id is not None
    if not community.is_member(session, staff.id):
        raise UserError("community_not_member")
    coming = [e.id for e in community.upcoming(session, deps.now(), 1000) if e.id is not None]
    given_back = 0
    for event_id, answer in community.answers_of(session, staff.id, coming).items():
        if answer.status in (GOING, WAITING):
            events.rsvp(deps, session, staff, event_id, going=False)
            given_back += 1
    community.leave(session, staff.id, deps.now())
    audit(session, deps, staff, "community_leave", staff.id, given_back=given_back)
    session.commit()
    return given_back


def set_dm(deps: Deps, session: Session, staff: Staff, on: bool) -> None:
    """New events by DM, or not. Commit."""
    assert staff.id is not None
    community.set_pref(session, staff.id, deps.now(), announce_dm=on)
    session.commit()


def stop_invitations(deps: Deps, session: Session, staff: Staff) -> None:
    """No more invitations to join. Commit."""
    assert staff.id is not None
    community.set_pref(session, staff.id, deps.now(), no_invites=True)
    audit(session, deps, staff, "community_no_invites", staff.id)
    session.commit()


def roster(session: Session, staff: Staff) -> tuple[list[Staff], list[Staff]]:
    """Who is in and who the mentors are; for members (and mentors) only."""
    assert staff.id is not None
    mentors = community.mentors(session)
    if not community.is_member(session, staff.id) and staff.id not in {m.id for m in mentors}:
        raise UserError("community_members_only")
    return community.members(session), mentors
