"""Events and study groups as Slack shows them: the announcement, notices, RSVP answers and the modals."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

from bot import ids
from bot.blocks import fmt
from bot.blocks.kit import Block, actions, button, clip, context, divider, header, input_block, modal, option, section
from bot.i18n import t
from bot.plan import Plan
from storage.community_models import (
    CAPACITY_MAX,
    DESCRIPTION_MAX,
    EVENT_KINDS,
    GOING,
    PLACE_MAX,
    TITLE_MAX,
    WAITING,
    CommunityEvent,
    EventRsvp,
)
from storage.models import Staff

Message = tuple[str, list[Block]]
WEEKDAYS_JA = "月火水木金土日"
PER_ATTENDANCE_BLOCK = 100  # a multi-select holds at most 100 options


def when(event: CommunityEvent, lang: str, tz: ZoneInfo) -> str:
    """'2026年12月03日(木) 18:00〜19:30' / 'Thu 2026-12-03 18:00–19:30' in the city's time zone."""
    start, end = event.starts_at.astimezone(tz), event.ends_at.astimezone(tz)
    if lang == "ja":
        return f"{start:%Y年%m月%d日}({WEEKDAYS_JA[start.weekday()]}) {start:%H:%M}〜{end:%H:%M}"
    return f"{start:%a %Y-%m-%d %H:%M}–{end:%H:%M}"


def where(event: CommunityEvent, lang: str) -> str:
    parts = [event.place] if event.place else []
    if event.online_url:
        parts.append(f"<{event.online_url}|{t(lang, 'event_online')}>")
    return " / ".join(parts)


def target(event: CommunityEvent, plan: Plan, lang: str) -> str:
    tier = next((tr for tr in plan.tiers if tr.level == event.target_tier), None)
    return fmt.tier_name(tier, lang) if tier else t(lang, "event_target_all")


def details(event: CommunityEvent, plan: Plan, lang: str, tz: ZoneInfo) -> list[Block]:
    """The event's facts: what, when, where, for whom, seats and hours, then its description."""
    lines = [f"*{t(lang, 'event_kind_' + event.kind)}*  {clip(event.title, TITLE_MAX)}",
             f"🗓 {when(event, lang, tz)}",
             f"📍 {where(event, lang)}",
             f"👥 {t(lang, 'event_facts', capacity=event.capacity, target=target(event, plan, lang))}"]
    if event.hours:
        lines.append(f"⏱ {t(lang, 'event_hours_count', hours=fmt.hours(event.hours))}")
    result = [section("\n".join(lines))]
    if event.description:
        result.append(section(clip(event.description, DESCRIPTION_MAX)))
    return result


def rsvp_buttons(event_id: int, lang: str) -> Block:
    return actions(button(t(lang, "event_going"), ids.ACTION_EVENT_GOING, str(event_id), "primary"),
                   button(t(lang, "event_not_going"), ids.ACTION_EVENT_NOT_GOING, str(event_id)),
                   block_id=f"{ids.BLOCK_EVENT_ACTIONS}:{event_id}")


def announcement(event: CommunityEvent, plan: Plan, lang: str, tz: ZoneInfo) -> Message:
    """A new event, with the buttons to ask for a seat."""
    assert event.id is not None
    text = t(lang, "event_announce_text", title=event.title, when=when(event, lang, tz))
    result = [header(t(lang, "event_announce_header")), *details(event, plan, lang, tz),
              rsvp_buttons(event.id, lang), context(t(lang, "event_announce_hint"))]
    return text, result


def promoted(event: CommunityEvent, plan: Plan, lang: str, tz: ZoneInfo) -> Message:
    """To a waiting person: a seat came free and is theirs."""
    assert event.id is not None
    text = t(lang, "event_promoted", title=event.title, when=when(event, lang, tz))
    return text, [section(f"🎉 {text}"), *details(event, plan, lang, tz), actions(
        button(t(lang, "event_not_going"), ids.ACTION_EVENT_NOT_GOING, str(event.id)))]


def updated(event: CommunityEvent, plan: Plan, lang: str, tz: ZoneInfo) -> Message:
    """To everyone answering: the event changed; here it is as it is now."""
    text = t(lang, "event_updated", title=event.title, when=when(event, lang, tz))
    return text, [section(f"✏️ {text}"), *details(event, plan, lang, tz)]


def cancelled(event: CommunityEvent, plan: Plan, lang: str, tz: ZoneInfo, reason: str) -> Message:  # noqa: ARG001
    """To everyone answering: the event will not take place."""
    text = t(lang, "event_cancelled", title=event.title, when=when(event, lang, tz))
    result = [section(f"🚫 {text}")]
    if reason:
        result.append(section(f"{t(lang, 'event_cancel_reason')}: {clip(reason, 500)}"))
    return text, result


def attended(event: CommunityEvent, plan: Plan, lang: str, tz: ZoneInfo) -> Message:  # noqa: ARG001
    """To an attendee: the attendance and the hours are in their record."""
    text = t(lang, "event_attended", title=event.title, hours=fmt.hours(event.hours))
    return text, [section(f"✅ {text}"), context(t(lang, "event_attended_hint"))]


def rsvp_answer(status: str, changed: bool, event: CommunityEvent, lang: str, tz: ZoneInfo, seats_left: int,
                position: int) -> Message:
    """The answer to an RSVP press, only for the presser."""
    key = {GOING: "event_rsvp_going", WAITING: "event_rsvp_waiting"}.get(status, "event_rsvp_declined")
    if not changed:
        key += "_already" if status in (GOING, WAITING) else "_none"
    text = t(lang, key, title=event.title, when=when(event, lang, tz), position=position, left=seats_left)
    return text, [section(text)]


def notice(lang: str, key: str, **values: object) -> Message:
    text = t(lang, key, **values)
    return text, [section(text)]


def notice_modal(lang: str, key: str, **values: object) -> dict[str, Any]:
    """A modal that only says something: a refusal, or what was done."""
    return modal(ids.VIEW_COMMUNITY_NOTICE, t(lang, "community_title"), [section(t(lang, key, **values))], None,
                 t(lang, "close"))


# ---- organisers' modals ------------------------------------------------------------------------------------
def _text(action_id: str, initial: str, max_length: int, multiline: bool = False,
          placeholder: str = "") -> dict[str, Any]:
    element: dict[str, Any] = {"type": "plain_text_input", "action_id": action_id, "max_length": max_length,
                               "multiline": multiline}
    if initial:
        element["initial_value"] = initial[:max_length]
    if placeholder:
        element["placeholder"] = {"type": "plain_text", "text": placeholder[:150]}
    return element


def event_modal(plan: Plan, lang: str, tz: ZoneInfo, event: CommunityEvent | None) -> dict[str, Any]:
    """Create (event None) or edit an event: title, kind, day, start and end, place or link, seats, tier, hours."""
    kinds = [option(t(lang, "event_kind_" + k), k) for k in EVENT_KINDS]
    tiers = [option(t(lang, "event_target_all"), "all")] + [
        option(f"{tr.level}. {fmt.tier_name(tr, lang)}", str(tr.level)) for tr in plan.tiers]
    kind: dict[str, Any] = {"type": "static_select", "action_id": ids.ELEM_EVENT_KIND, "options": kinds}
    tier: dict[str, Any] = {"type": "static_select", "action_id": ids.ELEM_EVENT_TIER, "options": tiers,
                            "initial_option": tiers[0]}
    day: dict[str, Any] = {"type": "datepicker", "action_id": ids.ELEM_EVENT_DATE}
    start: dict[str, Any] = {"type": "timepicker", "action_id": ids.ELEM_EVENT_START}
    end: dict[str, Any] = {"type": "timepicker", "action_id": ids.ELEM_EVENT_END}
    url: dict[str, Any] = {"type": "url_text_input", "action_id": ids.ELEM_EVENT_URL}
    capacity: dict[str, Any] = {"type": "number_input", "action_id": ids.ELEM_EVENT_CAPACITY,
                                "is_decimal_allowed": False, "min_value": "1", "max_value": str(CAPACITY_MAX)}
    hours: dict[str, Any] = {"type": "number_input", "action_id": ids.ELEM_EVENT_HOURS, "is_decimal_allowed": True,
                             "min_value": "0", "max_value": "24"}
    if event is not None:
        kind["initial_option"] = next(o for o in kinds if o["value"] == event.kind)
        tier["initial_option"] = next((o for o in tiers if o["value"] == str(event.target_tier)), tiers[0])
        start_local, end_local = event.starts_at.astimezone(tz), event.ends_at.astimezone(tz)
        day["initial_date"] = start_local.date().isoformat()
        start["initial_time"], end["initial_time"] = f"{start_local:%H:%M}", f"{end_local:%H:%M}"
        if event.online_url:
            url["initial_value"] = event.online_url
        capacity["initial_value"], hours["initial_value"] = str(event.capacity), fmt.hours(event.hours)
    else:
        hours["initial_value"] = "0"
    blocks = [
        input_block(ids.BLOCK_EVENT_TITLE, t(lang, "event_field_title"),
                    _text(ids.ELEM_EVENT_TITLE, event.title if event else "", TITLE_MAX)),
        input_block(ids.BLOCK_EVENT_KIND, t(lang, "event_field_kind"), kind),
        input_block(ids.BLOCK_EVENT_DATE, t(lang, "event_field_day"), day),
        input_block(ids.BLOCK_EVENT_START, t(lang, "event_field_start"), start),
        input_block(ids.BLOCK_EVENT_END, t(lang, "event_field_end"), end),
        input_block(ids.BLOCK_EVENT_PLACE, t(lang, "event_field_place"),
                    _text(ids.ELEM_EVENT_PLACE, event.place if event else "", PLACE_MAX), optional=True,
                    hint=t(lang, "event_field_where_hint")),
        input_block(ids.BLOCK_EVENT_URL, t(lang, "event_field_url"), url, optional=True),
        input_block(ids.BLOCK_EVENT_CAPACITY, t(lang, "event_field_capacity"), capacity),
        input_block(ids.BLOCK_EVENT_TIER, t(lang, "event_field_tier"), tier),
        input_block(ids.BLOCK_EVENT_HOURS, t(lang, "event_field_hours"), hours,
                    hint=t(lang, "event_field_hours_hint")),
        input_block(ids.BLOCK_EVENT_DESCRIPTION, t(lang, "event_field_description"),
                    _text(ids.ELEM_EVENT_DESCRIPTION, event.description if event else "", DESCRIPTION_MAX,
                          multiline=True), optional=True),
    ]
    if event is not None:
        blocks.append(context(t(lang, "event_edit_hint")))
    title = t(lang, "event_title_edit" if event else "event_title_new")
    return modal(ids.VIEW_EVENT, title, blocks, t(lang, "event_save"), t(lang, "cancel"),
                 str(event.id) if event else "")


def cancel_modal(event: CommunityEvent, plan: Plan, lang: str, tz: ZoneInfo, answering: int) -> dict[str, Any]:
    """Confirm a cancellation, with a reason the people answering will read."""
    assert event.id is not None
    blocks = [*details(event, plan, lang, tz), section(t(lang, "event_cancel_confirm", n=answering)),
              input_block(ids.BLOCK_CANCEL_REASON, t(lang, "event_cancel_reason"),
                          _text(ids.ELEM_CANCEL_REASON, "", 500, multiline=True), optional=True)]
    return modal(ids.VIEW_EVENT_CANCEL, t(lang, "event_title_cancel"), blocks, t(lang, "event_cancel_do"),
                 t(lang, "close"), str(event.id))


def attendance_modal(event: CommunityEvent, people: Sequence[tuple[EventRsvp, Staff]], lang: str,
                     tz: ZoneInfo) -> dict[str, Any]:
    """Tick who came (100 people per list); everyone going is ticked until attendance was first recorded."""
    assert event.id is not None
    blocks: list[Block] = [section(f"*{clip(event.title, TITLE_MAX)}*\n{when(event, lang, tz)}"), divider()]
    if not people:
        blocks.append(section(t(lang, "event_attendance_none")))
    for page, start in enumerate(range(0, len(people), PER_ATTENDANCE_BLOCK)):
        chunk = people[start:start + PER_ATTENDANCE_BLOCK]
        options = [option(f"{s.name}（{s.number}）", str(s.id)) for _, s in chunk]
        ticked = [o for o, (r, _) in zip(options, chunk, strict=True)
                  if (r.attended if event.attendance_at else True)]
        element: dict[str, Any] = {"type": "multi_static_select", "action_id": ids.ELEM_ATTENDED,
                                   "options": options}
        if ticked:
            element["initial_options"] = ticked
        blocks.append(input_block(f"{ids.BLOCK_ATTENDED_PREFIX}{page}", t(lang, "event_attendance_label"),
                                  element, optional=True))
    blocks.append(context(t(lang, "event_attendance_hint", hours=fmt.hours(event.hours))))
    submit = t(lang, "event_attendance_save") if people else None
    return modal(ids.VIEW_ATTENDANCE, t(lang, "event_title_attendance"), blocks, submit, t(lang, "close"),
                 str(event.id))


def organiser_line(event: CommunityEvent, seats_going: int, seats_waiting: int, lang: str, tz: ZoneInfo,
                   started: bool) -> Block:
    """One of an organiser's events in the App Home, with its menu (edit, cancel; attendance once started)."""
    assert event.id is not None
    state = t(lang, "event_state_cancelled") if event.status != "scheduled" else t(
        lang, "event_state_counts", going=seats_going, capacity=event.capacity, waiting=seats_waiting)
    text = f"*{clip(event.title, TITLE_MAX)}*\n{when(event, lang, tz)}　{state}"
    verbs = [ids.EVENT_ATTENDANCE] if started else [ids.EVENT_EDIT, ids.EVENT_CANCEL]
    if event.status != "scheduled":
        return section(text)
    menu = {"type": "overflow", "action_id": ids.ACTION_EVENT_MENU,
            "options": [option(t(lang, f"event_menu_{v}"), f"{v}:{event.id}") for v in verbs]}
    return section(text, accessory=menu)

