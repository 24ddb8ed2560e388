"""Reminder messages (what, why, how to finish, and buttons) and the App Home's reminder preferences."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from bot import ids
from bot.blocks import fmt
from bot.blocks.kit import Block, actions, button, confirm_dialog, context, divider, option, section
from bot.i18n import t
from bot.services.reminder_prefs import (
    KIND_COURSE,
    KIND_REQUIRED,
    KINDS,
    SNOOZE_MONTH,
    SNOOZE_WEEK,
    TURN_OFF,
    TURN_ON,
    PrefView,
)

MAX_LISTED = 10


@dataclass(frozen=True)
class ReminderContent:
    """What a reminder says, already resolved from the plan (course labels, tier name) and the calendar."""

    kind: str
    lang: str
    courses: tuple[tuple[str, str], ...]  # (course id, label)
    tier_name: str
    today: date
    fy_end: date
    start_by: date
    repeat_days: int
    urgent: bool = False
    since: date | None = None  # enrolled on (course) / last sheet (sheet)
    sheet_max_age_days: int = 365


def reminder_message(c: ReminderContent) -> dict[str, Any]:
    """chat.postMessage arguments (text and blocks) for one reminder."""
    title, why, how, fallback = _texts(c)
    lang = c.lang
    blocks: list[Block] = [section(title)]
    if c.kind == KIND_REQUIRED:
        blocks.append(section(_course_list(c)))
    blocks.append(section(f"*{t(lang, 'reminder_label_why')}*  {why}\n*{t(lang, 'reminder_label_how')}*  {how}"))
    blocks.append(actions(*_buttons(c), block_id=ids.BLOCK_REMINDER_ACTIONS))
    kind_label = t(lang, f"reminder_kind_{c.kind}")
    blocks.append(context(t(lang, "reminder_footer", repeat=c.repeat_days, kind=kind_label)))
    return {"text": fallback, "blocks": blocks}


def _texts(c: ReminderContent) -> tuple[str, str, str, str]:
    """Title, why, how and the notification text of a reminder."""
    lang, since = c.lang, fmt.day(c.since, c.lang)
    if c.kind == KIND_COURSE:
        name = c.courses[0][1]
        days = (c.today - c.since).days if c.since else 0
        if c.urgent:
            title = t(lang, "reminder_course_urgent_title", left=(c.fy_end - c.today).days, course=name)
            why = t(lang, "reminder_course_urgent_why", fy_end=fmt.day(c.fy_end, lang), since=since, days=days)
        else:
            title = t(lang, "reminder_course_title", course=name)
            why = t(lang, "reminder_course_why", since=since, days=days)
        return title, why, t(lang, "reminder_course_how"), t(lang, "reminder_course_fallback", course=name)
    if c.kind == KIND_REQUIRED:
        n = len(c.courses)
        return (t(lang, "reminder_required_title", tier=c.tier_name, n=n),
                t(lang, "reminder_required_why", start_by=fmt.day(c.start_by, lang)),
                t(lang, "reminder_required_how"), t(lang, "reminder_required_fallback", tier=c.tier_name, n=n))
    last = since if c.since else t(lang, "reminder_sheet_never")
    return (t(lang, "reminder_sheet_title"),
            t(lang, "reminder_sheet_why", tier=c.tier_name, days=c.sheet_max_age_days, last=last),
            t(lang, "reminder_sheet_how"), t(lang, "reminder_sheet_fallback"))


def _course_list(c: ReminderContent) -> str:
    lines = [f"• {label}" for _cid, label in c.courses[:MAX_LISTED]]
    if len(c.courses) > MAX_LISTED:
        lines.append(t(c.lang, "and_more", n=len(c.courses) - MAX_LISTED).strip())
    return "\n".join(lines)


def _buttons(c: ReminderContent) -> list[dict[str, Any]]:
    """The way to finish first, then snooze a week, a month, and turn this kind off."""
    lang = c.lang
    if c.kind == KIND_COURSE:
        finish = [button(t(lang, "button_complete"), ids.ACTION_OPEN_COMPLETE, c.courses[0][0], style="primary")]
    elif c.kind == KIND_REQUIRED:
        finish = [button(t(lang, "button_enrol"), ids.ACTION_OPEN_ENROL, "enrol", style="primary"),
                  button(t(lang, "button_complete"), ids.ACTION_OPEN_COMPLETE, c.courses[0][0])]
    else:
        finish = [button(t(lang, "button_assessment"), ids.ACTION_OPEN_ASSESSMENT, "step_up", style="primary")]
    kind_label = t(lang, f"reminder_kind_{c.kind}")
    confirm = confirm_dialog(t(lang, "reminder_off_confirm_title"),
                             t(lang, "reminder_off_confirm_text", kind=kind_label),
                             t(lang, "reminder_off_confirm_yes"), t(lang, "reminder_off_confirm_no"))
    return finish + [
        button(t(lang, "button_snooze_week"), ids.ACTION_REMINDER_SNOOZE_WEEK, c.kind),
        button(t(lang, "button_snooze_month"), ids.ACTION_REMINDER_SNOOZE_MONTH, c.kind),
        button(t(lang, "button_reminder_off"), ids.ACTION_REMINDER_OFF, c.kind, style="danger", confirm=confirm),
    ]


def acknowledged_blocks(lang: str, original: Sequence[Block], view: PrefView) -> list[Block]:
    """The reminder after a snooze/off/on button: its buttons replaced by what was done."""
    kept = [b for b in original if b.get("block_id") != ids.BLOCK_REMINDER_ACTIONS]
    return kept + [context(change_text(lang, view))]


def change_text(lang: str, view: PrefView) -> str:
    """What a snooze/off/on choice did, in one line."""
    kind = t(lang, f"reminder_kind_{view.kind}")
    if view.off:
        return t(lang, "reminder_turned_off", kind=kind)
    if view.snoozed_until is not None:
        return t(lang, "reminder_snoozed", kind=kind, until=fmt.day(view.snoozed_until, lang))
    return t(lang, "reminder_turned_on", kind=kind)


def reminder_prefs_blocks(lang: str, prefs: Mapping[str, PrefView] | None) -> list[Block]:
    """The App Home section: each kind of reminder, its state when known, and a menu to change it (5 blocks)."""
    title = section(f"{t(lang, 'reminder_prefs_title')}\n{t(lang, 'reminder_prefs_intro')}",
                    block_id=f"{ids.BLOCK_REMINDER_PREF_PREFIX}title")
    blocks: list[Block] = [{**divider(), "block_id": f"{ids.BLOCK_REMINDER_PREF_PREFIX}divider"}, title]
    for kind in KINDS:
        label = f"*{t(lang, f'reminder_kind_{kind}')}*"
        if prefs is not None:
            label += f": {_state(lang, prefs.get(kind) or PrefView(kind))}"
        blocks.append(section(label, _menu(lang, kind), block_id=f"{ids.BLOCK_REMINDER_PREF_PREFIX}{kind}"))
    return blocks


def _state(lang: str, view: PrefView) -> str:
    if view.off:
        return t(lang, "reminder_state_off")
    if view.snoozed_until is not None:
        return t(lang, "reminder_state_snoozed", until=fmt.day(view.snoozed_until, lang))
    return t(lang, "reminder_state_on")


def _menu(lang: str, kind: str) -> dict[str, Any]:
    choices = (("menu_reminder_on", TURN_ON), ("menu_reminder_off", TURN_OFF), ("menu_snooze_week", SNOOZE_WEEK),
               ("menu_snooze_month", SNOOZE_MONTH))
    return {"type": "overflow", "action_id": ids.ACTION_REMINDER_MENU,
            "options": [option(t(lang, key), f"{verb}:{kind}") for key, verb in choices]}
