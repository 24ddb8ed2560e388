"""Events and study groups: create, edit, cancel, RSVP with a capacity and a waiting list, attendance.

Every change of seats happens under the event's lock (storage.community.lock_event) and commits together
with the messages it causes, planned through the outbox: the announcement (community channel, and members
who asked for DMs), the promotion of a waiting person, an update or a cancellation to everyone answering,
and the attendance note. Nothing is posted from here; the sender does it (at most once per key). Notices to
people answering (a freed seat, a change, a cancellation) are URGENT: they go before bulk announcements.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session

from bot.blocks import events as blocks
from bot.calendar import calendar_from
from bot.event_form import EventForm
from bot.i18n import resolve_language
from bot.services.deps import Deps, UserError
from bot.services.training import audit
from storage import community, outbox, roles
from storage.community_models import CANCELLED, DECLINED, GOING, SCHEDULED, WAITING, CommunityEvent, EventRsvp
from storage.delivery_models import URGENT
from storage.manager_models import ROLE_ADMIN, ROLE_COMMUNITY_LEAD
from storage.models import Staff
from storage.outbox import Planned

KIND_ANNOUNCE, KIND_ANNOUNCE_DM = "event.announce", "event.announce_dm"
KIND_PROMOTED, KIND_UPDATE, KIND_CANCEL, KIND_ATTENDED = (
    "event.promoted", "event.update", "event.cancel", "event.attended")
ORGANISER_ROLES = frozenset({ROLE_ADMIN, ROLE_COMMUNITY_LEAD})


def may_organise(session: Session, staff: Staff | None) -> bool:
    """Administrators and community leads organise events."""
    return staff is not None and staff.id is not None and bool(roles.roles_of(session, staff.id) & ORGANISER_ROLES)


def _require_organiser(session: Session, staff: Staff | None) -> Staff:
    if staff is None or not may_organise(session, staff):
        raise UserError("event_error_not_organiser")
    return staff


def _manageable(session: Session, staff: Staff | None, event_id: int,
                lock: bool = True) -> tuple[Staff, CommunityEvent]:
    """The event (locked unless not `lock`) when the person may change it: its organiser, or an administrator."""
    actor = _require_organiser(session, staff)
    event = community.lock_event(session, event_id) if lock else community.event(session, event_id)
    if event is None:
        raise UserError("event_error_unknown")
    if event.organiser_id != actor.id and not roles.is_admin(session, actor.id):
        raise UserError("event_error_not_theirs")
    return actor, event


def editable(deps: Deps, session: Session, staff: Staff | None, event_id: int) -> tuple[CommunityEvent, int]:
    """For the edit and cancel modals: the event and how many people answered, if the person may change it."""
    _, event = _manageable(session, staff, event_id, lock=False)
    if event.status != SCHEDULED or _started(deps, event):
        raise UserError("event_error_closed")
    assert event.id is not None
    seats = community.seats(session, [event.id]).get(event.id, community.Seats())
    return event, seats.going + seats.waiting


def lang_of(deps: Deps, staff: Staff) -> str:
    return resolve_language(staff.language, staff.slack_locale, deps.settings.language)


def _payload(message: tuple[str, list[dict[str, Any]]]) -> str:
    text, message_blocks = message
    return json.dumps({"text": text, "blocks": message_blocks}, ensure_ascii=False)


def _started(deps: Deps, event: CommunityEvent) -> bool:
    return event.starts_at <= deps.now()


# ---- create, edit, cancel ----------------------------------------------------------------------------------
def form_errors(deps: Deps, form: EventForm, going: int = 0) -> dict[str, str]:
    """What the organiser must correct: a start in the past, or fewer seats than people already going."""
    errors = {}
    if form.starts_at(deps.settings.tz) <= deps.now():
        errors["day"] = "event_error_past"
    if form.capacity < going:
        errors["capacity"] = "event_error_capacity_below"
    return errors


def _apply(event: CommunityEvent, form: EventForm, deps: Deps) -> None:
    tz = deps.settings.tz
    event.title, event.kind, event.place, event.online_url = form.title, form.kind, form.place, form.url
    event.starts_at, event.ends_at = form.starts_at(tz), form.ends_at(tz)
    event.capacity, event.target_tier, event.hours = form.capacity, form.target_tier, form.hours
    event.description, event.updated_at = form.description, deps.now()


def create(deps: Deps, session: Session, staff: Staff | None, form: EventForm) -> CommunityEvent:
    """Add an event and plan its announcement; commit."""
    organiser = _require_organiser(session, staff)
    assert organiser.id is not None
    now = deps.now()
    event = CommunityEvent(title="", kind="", starts_at=now, ends_at=now, capacity=1, organiser_id=organiser.id,
                           created_at=now, updated_at=now)
    _apply(event, form, deps)
    community.add_event(session, event)
    plan_announcement(session, deps, event, now)
    audit(session, deps, organiser, "event_create", None, event=event.id, title=event.title)
    session.commit()
    return event


def plan_announcement(session: Session, deps: Deps, event: CommunityEvent, now: datetime) -> int:
    """The announcement: in the community channel now, and by DM (in the sending window) to members who asked.

    Returns the number of deliveries added.
    """
    assert event.id is not None
    items = []
    channel = deps.settings.community_channel_id
    if channel:
        message = blocks.announcement(event, deps.plan, deps.settings.language, deps.settings.tz)
        items.append(Planned(KIND_ANNOUNCE, channel, str(event.id), _payload(message), now))
    due = calendar_from(deps.settings).next_send_time(now)
    by_lang: dict[str, str] = {}
    for member in community.dm_members(session):
        lang = lang_of(deps, member)
        if lang not in by_lang:
            by_lang[lang] = _payload(blocks.announcement(event, deps.plan, lang, deps.settings.tz))
        items.append(Planned(KIND_ANNOUNCE_DM, str(member.slack_id), str(event.id), by_lang[lang], due))
    return len(outbox.plan(session, items, now))


def update(deps: Deps, session: Session, staff: Staff | None, event_id: int, form: EventForm) -> CommunityEvent:
    """Change an event not yet started; tell everyone answering (going or waiting); fill new seats. Commit."""
    actor, event = _manageable(session, staff, event_id)
    if event.status != SCHEDULED or _started(deps, event):
        raise UserError("event_error_closed")
    assert event.id is not None
    if form.capacity < community.seats(session, [event.id]).get(event.id, community.Seats()).going:
        raise UserError("event_error_capacity_below")  # seats taken since the modal was checked
    _apply(event, form, deps)
    event.version += 1
    session.add(event)
    _tell(session, deps, event, (GOING, WAITING), KIND_UPDATE, f"{event.id}:v{event.version}",
          lambda ev, lang: blocks.updated(ev, deps.plan, lang, deps.settings.tz))
    _promote(session, deps, event)
    audit(session, deps, actor, "event_update", None, event=event.id, version=event.version)
    session.commit()
    return event


def cancel(deps: Deps, session: Session, staff: Staff | None, event_id: int, reason: str) -> tuple[CommunityEvent, int]:
    """Cancel an event not yet started and tell everyone answering; (event, people told). Commit."""
    actor, event = _manageable(session, staff, event_id)
    if event.status != SCHEDULED or _started(deps, event):
        raise UserError("event_error_closed")
    event.status, event.updated_at = CANCELLED, deps.now()
    session.add(event)

    told = _tell(session, deps, event, (GOING, WAITING), KIND_CANCEL, str(event.id),
                 lambda ev, lang: blocks.cancelled(ev, deps.plan, lang, deps.settings.tz, reason))
    audit(session, deps, actor, "event_cancel", None, event=event.id, told=told)
    session.commit()
    return event, told


Render = Callable[[CommunityEvent, str], tuple[str, list[dict[str, Any]]]]


def _tell(session: Session, deps: Deps, event: CommunityEvent, statuses: tuple[str, ...], kind: str, period: str,
          render: Render) -> int:
    """Plan one message to each person answering in `statuses` (those with a Slack ID), due now."""
    assert event.id is not None
    now, items = deps.now(), []
    for _, person in community.people_of(session, event.id, statuses):
        if person.slack_id:
            message = render(event, lang_of(deps, person))
            items.append(Planned(kind, person.slack_id, period, _payload(message), now, URGENT))
    outbox.plan(session, items, now)
    return len(items)


# ---- RSVP ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Answer:
    """What an RSVP press did: the person's status now, whether it changed, and the event."""

    status: str  # going | waiting | declined | none
    changed: bool
    event: CommunityEvent
    seats_left: int
    position: int = 0  # on the waiting list (1 = next)


def rsvp(deps: Deps, session: Session, staff: Staff | None, event_id: int, going: bool) -> Answer:
    """Ask for a seat (or a place on the waiting list), or give it back (the first waiting person moves up)."""
    if staff is None or staff.id is None:
        raise UserError("event_error_unknown")
    if not community.is_member(session, staff.id):
        raise UserError("event_error_not_member")
    event = community.lock_event(session, event_id)
    if event is None or event.id is None:
        raise UserError("event_error_unknown")
    if event.status != SCHEDULED:
        raise UserError("event_error_cancelled")
    if _started(deps, event):
        raise UserError("event_error_started")
    row = community.answer(session, event.id, staff.id)
    before = row.status if row else "none"
    now = deps.now()
    if going and before not in (GOING, WAITING):
        taken = community.seats(session, [event.id]).get(event.id, community.Seats()).going
        status = GOING if taken < event.capacity else WAITING
        row = row or EventRsvp(event_id=event.id, staff_id=staff.id, status=status, queued_at=now, updated_at=now)
        row.status, row.queued_at, row.updated_at = status, now, now
        community.save_answer(session, row)
        audit(session, deps, staff, "event_rsvp", staff.id, event=event.id, status=status)
    elif not going and row is not None and before in (GOING, WAITING):
        row.status, row.updated_at = DECLINED, now
        community.save_answer(session, row)
        audit(session, deps, staff, "event_rsvp", staff.id, event=event.id, status=DECLINED)
        if before == GOING:
            _promote(session, deps, event)
    session.commit()
    return _answer(session, event, staff.id, before)


def _answer(session: Session, event: CommunityEvent, staff_id: int, before: str) -> Answer:
    assert event.id is not None
    row = community.answer(session, event.id, staff_id)
    status = row.status if row else "none"
    taken = community.seats(session, [event.id]).get(event.id, community.Seats()).going
    position = community.waiting_position(session, event.id, staff_id)
    return Answer(status, status != before, event, max(event.capacity - taken, 0), position)


def _promote(session: Session, deps: Deps, event: CommunityEvent) -> list[int]:
    """Give free seats to the first people waiting, in order, and tell each; their staff ids."""
    assert event.id is not None
    free = event.capacity - community.seats(session, [event.id]).get(event.id, community.Seats()).going
    if free <= 0:
        return []
    now, items, promoted = deps.now(), [], []
    people = {s.id: s for _, s in community.people_of(session, event.id, (WAITING,))}
    for row in community.waiting_queue(session, event.id, free):
        row.status, row.updated_at = GOING, now
        community.save_answer(session, row)
        promoted.append(row.staff_id)
        person = people[row.staff_id]
        if person.slack_id:
            message = blocks.promoted(event, deps.plan, lang_of(deps, person), deps.settings.tz)
            period = f"{event.id}:{now.isoformat()}"
            items.append(Planned(KIND_PROMOTED, person.slack_id, period, _payload(message), now, URGENT))
    outbox.plan(session, items, now)
    return promoted


# ---- attendance --------------------------------------------------------------------------------------------
def attendance_people(deps: Deps, session: Session, staff: Staff | None,
                      event_id: int) -> tuple[CommunityEvent, list[tuple[EventRsvp, Staff]]]:
    """The event and the people going, for the organiser's attendance modal (only once it has started)."""
    _, event = _held(deps, session, staff, event_id)
    assert event.id is not None
    return event, community.people_of(session, event.id, (GOING,))


def _held(deps: Deps, session: Session, staff: Staff | None, event_id: int) -> tuple[Staff, CommunityEvent]:
    """The event, locked, when the person may take its attendance: not cancelled, and started."""
    actor, event = _manageable(session, staff, event_id)
    if event.status != SCHEDULED:
        raise UserError("event_error_cancelled")
    if not _started(deps, event):
        raise UserError("event_error_not_yet")
    return actor, event


def mark_attendance(deps: Deps, session: Session, staff: Staff | None, event_id: int,
                    attended: set[int]) -> tuple[CommunityEvent, int]:
    """Record who came; their hours go to their record and each is told. (event, attendees). Commit."""
    actor, event = _held(deps, session, staff, event_id)
    assert event.id is not None
    now = deps.now()
    going = {s.id: s for _, s in community.people_of(session, event.id, (GOING,))}
    came = community.mark_attendance(session, event.id, attended & set(going), event.hours, now)
    event.attendance_at = now
    session.add(event)
    items = []
    for sid in sorted(attended & set(going)):
        person = going[sid]
        if person.slack_id:
            message = blocks.attended(event, deps.plan, lang_of(deps, person), deps.settings.tz)
            items.append(Planned(KIND_ATTENDED, person.slack_id, str(event.id), _payload(message), now))
    outbox.plan(session, items, now)
    audit(session, deps, actor, "event_attendance", None, event=event.id, attended=sorted(attended & set(going)))
    session.commit()
    return event, came
