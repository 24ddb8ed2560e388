"""The community part of the App Home and of `/mytraining community`, and the members' list."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

from bot import ids
from bot.blocks import fmt
from bot.blocks.events import organiser_line, when, where
from bot.blocks.kit import Block, actions, button, clip, confirm_dialog, context, divider, header, modal, section
from bot.i18n import t
from bot.services.community import CommunityView, EventLine
from storage.community_models import GOING, TITLE_MAX, WAITING
from storage.models import Staff

MEMBERS_SHOWN = 90  # names in the members' modal (the rest are counted)


def community_blocks(cv: CommunityView, tz: ZoneInfo) -> list[Block]:
    """Membership, the coming events with RSVP buttons, and the organiser's events (≤ 14 blocks)."""
    lang = cv.lang
    blocks: list[Block] = [divider(), header(t(lang, "community_title"))]
    if cv.member:
        lines = [t(lang, "community_member_yes", n=cv.members)]
        if cv.attended:
            lines.append(t(lang, "community_my_hours", n=cv.attended, hours=fmt.hours(cv.hours)))
        blocks.append(section("\n".join(lines)))
        dm_on = cv.announce_dm
        blocks.append(actions(
            button(t(lang, "community_members_button"), ids.ACTION_COMMUNITY_MEMBERS),
            button(t(lang, "community_dm_off" if dm_on else "community_dm_on"), ids.ACTION_COMMUNITY_DM,
                   "off" if dm_on else "on"),
            button(t(lang, "community_leave"), ids.ACTION_COMMUNITY_LEAVE, "leave", confirm=confirm_dialog(
                t(lang, "community_leave"), t(lang, "community_leave_confirm"), t(lang, "community_leave"),
                t(lang, "cancel")))))
    else:
        blocks.append(section(t(lang, "community_member_no", n=cv.members)))
        blocks.append(actions(button(t(lang, "community_join"), ids.ACTION_COMMUNITY_JOIN, "join", "primary")))
    if cv.events:
        blocks.append(section(f"*{t(lang, 'community_coming')}*"))
        blocks += [event_line(line, cv.member, lang, tz) for line in cv.events]
    else:
        blocks.append(context(t(lang, "community_no_events")))
    if cv.organiser:
        blocks.append(actions(button(t(lang, "event_new"), ids.ACTION_EVENT_NEW, "new")))
        blocks += [organiser_line(o.event, o.going, o.waiting, lang, tz, o.started) for o in cv.organised]
    return blocks


def event_line(line: EventLine, member: bool, lang: str, tz: ZoneInfo) -> Block:
    """One coming event: when, where, seats, the person's answer and the button that changes it."""
    event = line.event
    assert event.id is not None
    left = max(event.capacity - line.going, 0)
    seats = t(lang, "event_seats_left", n=left) if left else t(lang, "event_full")
    mine = {GOING: t(lang, "event_mine_going"), WAITING: t(lang, "event_mine_waiting", position=line.position)}.get(
        line.mine, "")
    text = (f"*{clip(event.title, TITLE_MAX)}*（{t(lang, 'event_kind_' + event.kind)}）\n"
            f"{when(event, lang, tz)}　{where(event, lang)}\n{seats}{'　' + mine if mine else ''}")
    if not member:
        return section(text)
    if line.mine in (GOING, WAITING):
        return section(text, accessory=button(t(lang, "event_not_going"), ids.ACTION_EVENT_NOT_GOING,
                                              str(event.id)))
    return section(text, accessory=button(t(lang, "event_going"), ids.ACTION_EVENT_GOING, str(event.id), "primary"))


def community_message(cv: CommunityView, tz: ZoneInfo) -> tuple[str, list[Block]]:
    """`/mytraining community`: the same part as in the App Home, as an answer only the person sees."""
    text = t(cv.lang, "community_member_yes" if cv.member else "community_member_no", n=cv.members)
    return text, community_blocks(cv, tz)[1:]


def members_modal(lang: str, members: Sequence[Staff], mentors: Sequence[Staff],
                  units: dict[int, str]) -> dict[str, Any]:
    """Who is in the community, and the mentors to ask."""
    blocks: list[Block] = [section(f"*{t(lang, 'community_mentors')}*")]
    blocks.append(section("\n".join(f"• {m.name}" for m in mentors) if mentors else t(lang, "community_no_mentors")))
    blocks += [divider(), section(f"*{t(lang, 'community_members_title', n=len(members))}*")]
    names = [f"• {m.name}（{units.get(m.id or 0, '—')}）" for m in members[:MEMBERS_SHOWN]]
    for start in range(0, len(names), 30):
        blocks.append(section("\n".join(names[start:start + 30])))
    if len(members) > MEMBERS_SHOWN:
        blocks.append(context(t(lang, "and_more", n=len(members) - MEMBERS_SHOWN)))
    return modal(ids.VIEW_COMMUNITY_NOTICE, t(lang, "community_title"), blocks, None, t(lang, "close"))
