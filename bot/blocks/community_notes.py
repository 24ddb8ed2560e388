"""The community's scheduled messages: event reminders, the weekly events note, invitations (pure builders).

Data in (already resolved: the event's current fields, seats, the reader's answer), chat.postMessage
arguments out. Every message stays within Slack's limits: ≤ 50 blocks (the note lists at most
MAX_LISTED events, two blocks each), texts clipped by bot.blocks.kit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot import ids
from bot.blocks.kit import Block, actions, button, context, header, section
from bot.i18n import t

MAX_LISTED = 20  # header + intro + 2 × 20 + "more" + footer = 44 blocks ≤ 50
REMIND_DAY, REMIND_HOUR = "day", "hour"
INVITE_JOIN_VALUE = ""  # the join button's value (the handler opens the sheet for joining)
NO_INVITES_VALUE = ""  # the opt-out button's value
TITLE_IN_TEXT = 100  # the notification text repeats the title at most this long


@dataclass(frozen=True)
class EventInfo:
    """One event as a message shows it (current fields, seats taken, and the reader's own answer)."""

    id: int
    title: str
    kind: str
    starts_at: datetime
    ends_at: datetime
    place: str = ""
    online_url: str | None = None
    capacity: int = 0
    going: int = 0
    target: str | None = None  # the tier the event is for (its name), None: everyone
    answer: str | None = None  # the reader's answer: going | waiting | declined | None

    @property
    def seats_left(self) -> int:
        return max(0, self.capacity - self.going)


def escape(text: str) -> str:
    """Text typed by people, made literal in mrkdwn."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def day_text(moment: datetime, tz: ZoneInfo, lang: str) -> str:
    """'11月30日（月）' / 'Mon 30 Nov' in the city's time zone."""
    local = moment.astimezone(tz)
    weekday = t(lang, "cj_weekdays").split(",")[local.weekday()]
    month = t(lang, "cj_months").split(",")[local.month - 1]
    return t(lang, "cj_date", month=month, day=local.day, weekday=weekday)


def when_text(ev: EventInfo, tz: ZoneInfo, lang: str) -> str:
    """'11月30日（月）10:00〜12:00' (the end's date too when it is another day)."""
    start, end = ev.starts_at.astimezone(tz), ev.ends_at.astimezone(tz)
    end_text = f"{end:%H:%M}" if end.date() == start.date() else f"{day_text(end, tz, lang)} {end:%H:%M}"
    return f"{day_text(start, tz, lang)} " + t(lang, "cj_time_range", start=f"{start:%H:%M}", end=end_text)


def where_text(ev: EventInfo, lang: str, with_link: bool) -> str:
    """The place, 'オンライン', or both; the joining link only for people going (`with_link`)."""
    place = escape(ev.place.strip())
    if ev.online_url and place:
        text = t(lang, "cj_place_and_online", place=place)
    else:
        text = place or (t(lang, "cj_online") if ev.online_url else "—")
    if with_link and ev.online_url:
        url = ev.online_url.replace("|", "%7C").replace(">", "%3E").replace("<", "%3C")
        text += "  " + t(lang, "cj_join_link", url=url)
    return text


def kind_text(kind: str, lang: str) -> str:
    return t(lang, f"cj_kind_{kind}") if kind in ("study_group", "workshop", "event") else kind


def seats_text(ev: EventInfo, lang: str) -> str:
    return t(lang, "cj_seats_left", n=ev.seats_left) if ev.seats_left > 0 else t(lang, "cj_full")


def _clip(text: str, limit: int = TITLE_IN_TEXT) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# ---- event reminders (to people going) -------------------------------------------------------------------
def event_reminder_message(ev: EventInfo, which: str, lang: str, tz: ZoneInfo) -> dict[str, Any]:
    """The day-before (`REMIND_DAY`) or hour-before (`REMIND_HOUR`) reminder of one event."""
    title, kind = escape(_clip(ev.title)), kind_text(ev.kind, lang)
    day, start = day_text(ev.starts_at, tz, lang), f"{ev.starts_at.astimezone(tz):%H:%M}"
    if which == REMIND_HOUR:
        heading = t(lang, "cj_remind_hour_title", kind=kind, title=title, start=start)
        fallback = t(lang, "cj_remind_hour_fallback", title=_clip(ev.title), start=start)
    else:
        heading = t(lang, "cj_remind_day_title", kind=kind, title=title, date=day)
        fallback = t(lang, "cj_remind_day_fallback", title=_clip(ev.title), date=day)
    details = "\n".join((t(lang, "cj_remind_when", when=when_text(ev, tz, lang)),
                        t(lang, "cj_remind_where", where=where_text(ev, lang, with_link=True))))
    blocks: list[Block] = [
        section(heading), section(details),
        actions(button(t(lang, "cj_button_give_back"), ids.ACTION_EVENT_NOT_GOING, str(ev.id)),
                block_id=f"{ids.BLOCK_EVENT_ACTIONS}:{ev.id}"),
        context(t(lang, "cj_remind_footer")),
    ]
    return {"text": fallback, "blocks": blocks}


# ---- the weekly note (to members) ------------------------------------------------------------------------
def weekly_note_message(events: Sequence[EventInfo], lang: str, tz: ZoneInfo) -> dict[str, Any]:
    """The coming events with seats and RSVP buttons (the first MAX_LISTED; the rest counted)."""
    shown = list(events)[:MAX_LISTED]
    blocks: list[Block] = [header(t(lang, "cj_weekly_header")),
                           section(t(lang, "cj_weekly_intro", n=len(events)))]
    for ev in shown:
        blocks.append(section(_event_lines(ev, lang, tz)))
        blocks.append(actions(*_rsvp_buttons(ev, lang), block_id=f"{ids.BLOCK_EVENT_ACTIONS}:{ev.id}"))
    if len(events) > len(shown):
        blocks.append(context(t(lang, "cj_weekly_more", n=len(events) - len(shown))))
    blocks.append(context(t(lang, "cj_weekly_footer")))
    return {"text": t(lang, "cj_weekly_fallback", n=len(events)), "blocks": blocks}


def _event_lines(ev: EventInfo, lang: str, tz: ZoneInfo) -> str:
    """'*Title*  勉強会 / when / where / seats (and the reader's answer, the target tier)'."""
    first = f"*{escape(ev.title)}*  _{kind_text(ev.kind, lang)}_"
    status = [seats_text(ev, lang)]
    if ev.target:
        status.append(t(lang, "cj_target", tier=ev.target))
    if ev.answer in ("going", "waiting", "declined"):
        status.append(t(lang, f"cj_answer_{ev.answer}"))
    return "\n".join((first, when_text(ev, tz, lang), where_text(ev, lang, with_link=False), " ・ ".join(status)))


def _rsvp_buttons(ev: EventInfo, lang: str) -> list[dict[str, Any]]:
    going = button(t(lang, "cj_button_going"), ids.ACTION_EVENT_GOING, str(ev.id),
                   style=None if ev.answer in ("going", "waiting") else "primary")
    return [going, button(t(lang, "cj_button_not_going"), ids.ACTION_EVENT_NOT_GOING, str(ev.id))]


# ---- invitations (to people likely to benefit) -----------------------------------------------------------
def invitation_message(reason: str, lang: str, quiet_months: int) -> dict[str, Any]:
    """A kind invitation: what the community is, why this person, how to join, and how to stop these."""
    blocks: list[Block] = [
        header(t(lang, "cj_invite_header")),
        section(t(lang, "cj_invite_body")),
        section(f"{t(lang, f'cj_invite_reason_{reason}')}\n{t(lang, 'cj_invite_how')}"),
        actions(button(t(lang, "cj_invite_button_join"), ids.ACTION_COMMUNITY_JOIN, INVITE_JOIN_VALUE,
                       style="primary"),
                button(t(lang, "cj_invite_button_no"), ids.ACTION_COMMUNITY_NO_INVITES, NO_INVITES_VALUE)),
        context(t(lang, "cj_invite_footer", months=quiet_months)),
    ]
    return {"text": t(lang, "cj_invite_fallback"), "blocks": blocks}
