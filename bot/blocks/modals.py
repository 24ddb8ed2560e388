"""Modals: enrol, report a completion, ask to step up."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot import ids
from bot.blocks import fmt
from bot.blocks.kit import Block, clip, context, input_block, modal, option, section
from bot.i18n import t
from bot.plan import Course, Plan, Tier

MAX_OPTIONS = 100


def _grouped_options(plan: Plan, courses: list[Course], lang: str) -> list[dict[str, Any]]:
    """Option groups by tier (≤ 100 options in all, as Slack allows)."""
    groups: list[dict[str, Any]] = []
    left = MAX_OPTIONS
    for tier in plan.tiers:
        opts = [option(fmt.course_label(c, lang), c.id) for c in courses if c.tier == tier.level][:left]
        if opts:
            groups.append({"label": {"type": "plain_text", "text": clip(fmt.tier_name(tier, lang), 75)},
                           "options": opts})
            left -= len(opts)
    return groups


def _course_select(plan: Plan, courses: list[Course], lang: str, initial: str | None) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "static_select", "action_id": ids.ELEM_COURSE,
                               "placeholder": {"type": "plain_text", "text": t(lang, "placeholder_course")},
                               "option_groups": _grouped_options(plan, courses, lang)}
    chosen = plan.courses.get(initial or "")
    if chosen is not None and chosen in courses:
        element["initial_option"] = option(fmt.course_label(chosen, lang), chosen.id)
    return element


def enrol_modal(plan: Plan, lang: str, allowed: list[Course], locked: list[tuple[Course, str]]) -> dict[str, Any]:
    """Choose a course the person may take; locked ones are listed with the reason."""
    blocks: list[Block] = []
    if allowed:
        blocks.append(input_block(ids.BLOCK_COURSE, t(lang, "label_course"),
                                  _course_select(plan, allowed, lang, None)))
    else:
        blocks.append(section(t(lang, "enrol_nothing_allowed")))
    if locked:
        lines = [f"🔒 {c.name} — {t(lang, 'reason_' + reason)}" for c, reason in locked[:15]]
        if len(locked) > 15:
            lines.append(t(lang, "and_more", n=len(locked) - 15))
        blocks.append(context(clip("\n".join(lines), 3000)))
    submit = t(lang, "submit_enrol") if allowed else None
    return modal(ids.VIEW_ENROL, t(lang, "title_enrol"), blocks, submit, t(lang, "close"))


def completion_modal(plan: Plan, lang: str, courses: list[Course], today: date,
                     initial: str | None) -> dict[str, Any]:
    """Report a completion: course, date (not in the future), hours, optional evidence link."""
    if not courses:
        return modal(ids.VIEW_COMPLETE, t(lang, "title_complete"), [section(t(lang, "complete_nothing"))],
                     None, t(lang, "close"))
    blocks: list[Block] = [
        input_block(ids.BLOCK_COURSE, t(lang, "label_course"), _course_select(plan, courses, lang, initial)),
        input_block(ids.BLOCK_COMPLETED_ON, t(lang, "label_completed_on"),
                    {"type": "datepicker", "action_id": ids.ELEM_COMPLETED_ON, "initial_date": today.isoformat()}),
        input_block(ids.BLOCK_HOURS, t(lang, "label_hours_taken"),
                    {"type": "plain_text_input", "action_id": ids.ELEM_HOURS, "max_length": 10,
                     "placeholder": {"type": "plain_text", "text": t(lang, "placeholder_hours")}},
                    hint=t(lang, "hint_hours")),
        input_block(ids.BLOCK_EVIDENCE, t(lang, "label_evidence"),
                    {"type": "plain_text_input", "action_id": ids.ELEM_EVIDENCE, "max_length": 500,
                     "placeholder": {"type": "plain_text", "text": "https://"}}, optional=True),
    ]
    return modal(ids.VIEW_COMPLETE, t(lang, "title_complete"), blocks, t(lang, "submit_complete"),
                 t(lang, "close"))


def step_up_modal(lang: str, current: Tier, target: Tier, sheet_when: str) -> dict[str, Any]:
    """Confirm a step-up request before it is filed."""
    text = t(lang, "step_up_confirm", current=fmt.tier_name(current, lang), target=fmt.tier_name(target, lang),
             when=sheet_when)
    return modal(ids.VIEW_STEP_UP, t(lang, "title_step_up"), [section(text)], t(lang, "submit_step_up"),
                 t(lang, "close"))


def result_modal(lang: str, title_key: str, text: str) -> dict[str, Any]:
    """A closing modal that only says what happened."""
    return modal(ids.VIEW_STEP_UP + "_done", t(lang, title_key), [section(text)], None, t(lang, "close"))
