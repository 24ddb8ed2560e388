"""The community's scheduled deliveries: event reminders, the weekly events note, the monthly invitations.

- ``event_reminders`` (every 5 minutes): for each person going to a scheduled event, `event.remind_day`
  at the sending window's opening on the last working day before the event's day, and `event.remind_hour`
  an hour before the start. Key period ``<event id>:<starts_at ISO>``: a moved event gets new reminders and
  the send-time guard cancels the old ones. A moment already past is due now while the event has not
  started (the day-before one only on that same day, inside the window); never for someone who answered
  after the moment (they know), never after the start.
- ``community_weekly`` (the week's first working day, COMMUNITY_PLAN_TIME): one note to every member
  listing the next 14 days' events, with RSVP buttons; nothing when there are none. Key period: ISO week.
- ``community_invites``: the monthly invitations (jobs.community_invites).
The weekly and monthly runs happen once per period (storage.community_jobs.claim_period): a run missed on
its day (the bot was down) is caught up on a later working day of the same week or month, once.
Every message is rendered when it is sent (current title, place, time and seats, in the person's language).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlmodel import Session

from bot.blocks import fmt
from bot.blocks.community_notes import (
    REMIND_DAY,
    REMIND_HOUR,
    EventInfo,
    event_reminder_message,
    invitation_message,
    weekly_note_message,
)
from bot.calendar import BusinessCalendar, calendar_from
from bot.i18n import t
from bot.plan import Plan
from bot.services.manager_digest import digest_day, iso_week
from bot.settings import Settings
from jobs.digest_delivery import language
from storage import community_jobs as cj
from storage import outbox
from storage.community_models import GOING, SCHEDULED, CommunityEvent
from storage.db import SessionFactory, transaction
from storage.delivery_models import URGENT
from storage.outbox import Claimed, Planned

KIND_REMIND_DAY, KIND_REMIND_HOUR = "event.remind_day", "event.remind_hour"
KIND_WEEKLY, KIND_INVITE = "community.weekly", "community.invite"
WHICH = {KIND_REMIND_DAY: REMIND_DAY, KIND_REMIND_HOUR: REMIND_HOUR}
LOOKAHEAD = timedelta(days=14)  # events read for reminders: beyond the longest run of closed days
HORIZON = timedelta(hours=26)  # reminders are planned once they fall due within this
HOUR_BEFORE = timedelta(hours=1)
NOTE_SPAN = timedelta(days=14)  # the weekly note lists the events of the next 14 days
WEEK_MARK = "community_weekly:week"
Render = Callable[[Claimed, dict[str, Any], datetime], dict[str, Any] | None]


def _json(payload: dict[str, Any]) -> str:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))


# ---- event reminders ---------------------------------------------------------------------------------------
def previous_working_day(cal: BusinessCalendar, day: date) -> date:
    """The last working day strictly before `day`."""
    candidate = day - timedelta(days=1)
    while not cal.is_working_day(candidate):
        candidate -= timedelta(days=1)
    return candidate


def reminder_moments(cal: BusinessCalendar, starts_at: datetime, now: datetime) -> dict[str, tuple[datetime, datetime]]:
    """Kind → (its moment, when it is due as of `now`) for an event starting at `starts_at`."""
    if now >= starts_at:
        return {}
    hour = starts_at - HOUR_BEFORE
    eve = previous_working_day(cal, cal.today(starts_at))
    day = cal.opening(eve)
    found = {}
    if day < hour:
        if now <= day:
            found[KIND_REMIND_DAY] = (day, day)
        elif cal.today(now) == eve and cal.in_window(now):
            found[KIND_REMIND_DAY] = (day, now)
    found[KIND_REMIND_HOUR] = (hour, max(hour, now))
    return found


def plan_event_reminders(sessions: SessionFactory, settings: Settings, now: datetime) -> str:
    """Plan the reminders falling due within HORIZON for everyone going to a coming event."""
    cal = calendar_from(settings)
    with sessions() as session:
        events = cj.coming_events(session, now, now + LOOKAHEAD, limit=1000)
        going = cj.attendees(session, [e.id for e in events if e.id is not None])
    by_event: dict[int, list[cj.Attendee]] = defaultdict(list)
    for a in going:
        by_event[a.event_id].append(a)
    items: list[Planned] = []
    for ev in events:
        assert ev.id is not None
        period, texts = f"{ev.id}:{ev.starts_at.isoformat()}", {}  # texts: (kind, language) → fallback text
        for kind, (moment, due) in reminder_moments(cal, ev.starts_at, now).items():
            if due > now + HORIZON:
                continue
            for a in by_event[ev.id]:
                if a.queued_at > moment:  # answered after the moment: no reminder of what they just chose
                    continue
                lang = language(settings, a.language, a.slack_locale)
                if (kind, lang) not in texts:
                    texts[(kind, lang)] = event_reminder_message(_info(ev), WHICH[kind], lang, settings.tz)["text"]
                ref = {"event_id": ev.id, "staff_id": a.staff_id, "starts_at": ev.starts_at.isoformat(), "lang": lang}
                payload = _json({"text": texts[(kind, lang)], "ref": ref})
                items.append(Planned(kind, a.slack_id, period, payload, due, URGENT))  # before bulk sends
    with transaction(sessions) as session:
        added = outbox.plan(session, items, now)
    return f"events={len(events)} due={len(items)} added={len(added)}"


def _info(ev: CommunityEvent, going: int = 0, target: str | None = None, answer: str | None = None) -> EventInfo:
    assert ev.id is not None
    return EventInfo(ev.id, ev.title, ev.kind, ev.starts_at, ev.ends_at, ev.place, ev.online_url, ev.capacity,
                     going, target, answer)


# ---- the weekly note ---------------------------------------------------------------------------------------
def _local_midnight(settings: Settings, day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=settings.tz)


def plan_weekly_note(sessions: SessionFactory, settings: Settings, now: datetime) -> str:
    """This week's note to every member, once (on the week's first working day, or later if it was missed)."""
    cal = calendar_from(settings)
    today = cal.today(now)
    first = digest_day(cal, today)
    if not cal.is_working_day(today) or first is None or today < first:
        return f"{today}: skipped (not the week's first working day)"
    week = iso_week(today)
    week_end = _local_midnight(settings, today + timedelta(days=7 - today.weekday()))  # next Monday
    until = now + NOTE_SPAN
    with sessions() as session:
        events = cj.coming_events(session, now, until, limit=1)
        members = cj.member_recipients(session) if events else []
    due = cal.next_send_time(now)
    items = []
    for m in members:
        lang = language(settings, m.language, m.slack_locale)
        ref = {"staff_id": m.id, "lang": lang, "until": until.isoformat()}
        items.append(Planned(KIND_WEEKLY, str(m.slack_id), week, _json({"text": t(lang, "cj_weekly_header"),
                                                                          "ref": ref}), due))
    with transaction(sessions) as session:
        if not cj.claim_period(session, WEEK_MARK, week_end, now):
            return f"{today} {week}: skipped (already planned this week)"
        added = outbox.plan(session, items, now)
    if not events:
        return f"{today} {week}: no coming events, no notes"
    return f"{today} {week}: members={len(members)} added={len(added)}"


# ---- at send time ------------------------------------------------------------------------------------------
def _refs(batch: list[Claimed], kinds: tuple[str, ...]) -> dict[int, dict[str, Any]]:
    found = {row.id: (json.loads(row.payload).get("ref"), row.kind) for row in batch if row.kind in kinds}
    return {rid: {**ref, "kind": kind} for rid, (ref, kind) in found.items() if isinstance(ref, dict)}


def community_guard() -> Callable[[Session, list[Claimed], datetime], dict[int, str]]:
    """The sender's guard for the community's deliveries: claimed rows no longer wanted → why."""

    def guard(session: Session, batch: list[Claimed], now: datetime) -> dict[int, str]:
        unwanted = _reminders_unwanted(session, _refs(batch, tuple(WHICH)), now)
        notes = _refs(batch, (KIND_WEEKLY, KIND_INVITE))
        if notes:
            people = {ref["staff_id"] for ref in notes.values()}
            members = cj.members_among(session, people)
            opted_out = cj.opted_out_among(session, people)
            last = max((datetime.fromisoformat(r["until"]) for r in notes.values() if "until" in r), default=now)
            starts = [e.starts_at for e in cj.coming_events(session, now, last, limit=1000)]
            for rid, ref in notes.items():
                reason = _note_unwanted(ref, members, opted_out, starts)
                if reason:
                    unwanted[rid] = reason
        return unwanted

    return guard


def _reminders_unwanted(session: Session, refs: dict[int, dict[str, Any]], now: datetime) -> dict[int, str]:
    """Event reminders whose event was cancelled, moved or has started, or whose person no longer goes."""
    if not refs:
        return {}
    events = cj.events_by_id(session, (r["event_id"] for r in refs.values()))
    status = cj.answers(session, events.keys(), (r["staff_id"] for r in refs.values()))
    unwanted = {}
    for rid, ref in refs.items():
        ev = events.get(ref["event_id"])
        if ev is None or ev.status != SCHEDULED:
            unwanted[rid] = "event cancelled"
        elif ev.starts_at != datetime.fromisoformat(ref["starts_at"]):
            unwanted[rid] = "event moved"
        elif now >= ev.starts_at:
            unwanted[rid] = "event started"
        elif status.get((ev.id, ref["staff_id"])) != GOING:
            unwanted[rid] = "no longer going"
    return unwanted


def _note_unwanted(ref: dict[str, Any], members: set[int], opted_out: set[int], starts: list[datetime]) -> str | None:
    staff_id = ref["staff_id"]
    if ref["kind"] == KIND_INVITE:
        if staff_id in members:
            return "already a member"
        return "no more invitations" if staff_id in opted_out else None
    if staff_id not in members:
        return "no longer a member"
    until = datetime.fromisoformat(ref["until"])
    return None if any(s <= until for s in starts) else "no coming events"


def community_renderer(sessions: SessionFactory, plan: Plan, settings: Settings) -> Render:
    """The sender's renderer for the community's deliveries (other kinds: None)."""

    def render(row: Claimed, payload: dict[str, Any], now: datetime) -> dict[str, Any] | None:
        ref = payload.get("ref")
        if not isinstance(ref, dict) or row.kind not in (*WHICH, KIND_WEEKLY, KIND_INVITE):
            return None
        if row.kind == KIND_INVITE:
            return invitation_message(ref["reason"], ref["lang"], settings.community_invite_quiet_months)
        with sessions() as session:
            if row.kind == KIND_WEEKLY:
                return _weekly(session, plan, settings, ref, now)
            ev = cj.events_by_id(session, [ref["event_id"]]).get(ref["event_id"])
            return event_reminder_message(_info(ev), WHICH[row.kind], ref["lang"], settings.tz) if ev else None

    return render


def _weekly(session: Session, plan: Plan, settings: Settings, ref: dict[str, Any], now: datetime) -> dict[str, Any]:
    """The note as of `now`: the coming events, their seats, and the reader's own answers."""
    events = cj.coming_events(session, now, datetime.fromisoformat(ref["until"]))
    ids = [e.id for e in events if e.id is not None]
    going, mine = cj.going_counts(session, ids), cj.answers(session, ids, [ref["staff_id"]])
    lang = ref["lang"]
    tiers = {tier.level: fmt.tier_name(tier, lang) for tier in plan.tiers}
    infos = [_info(e, going.get(e.id, 0), tiers.get(e.target_tier) if e.target_tier else None,
                   mine.get((e.id, ref["staff_id"]))) for e in events if e.id is not None]
    return weekly_note_message(infos, lang, settings.tz)


def first_render(*renders: Render) -> Render:
    """One renderer from several: the first that renders the row."""

    def render(row: Claimed, payload: dict[str, Any], now: datetime) -> dict[str, Any] | None:
        for r in renders:
            message = r(row, payload, now)
            if message is not None:
                return message
        return None

    return render
