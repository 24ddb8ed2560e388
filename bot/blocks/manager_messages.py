"""Messages the managers' features send: 働きかけ, 推薦, step-up requests and decisions, channel refusals."""

from __future__ import annotations

from typing import Any

from bot import ids
from bot.blocks.kit import Block, actions, button, clip, context, section
from bot.i18n import t

Message = dict[str, Any]  # chat.postMessage arguments: text and blocks


def _quote(note: str) -> str:
    return "\n".join(f"> {line}" for line in clip(note, 1000).splitlines() if line.strip())


def nudge_message(lang: str, manager: str, person: str, note: str, next_courses: list[str]) -> Message:
    """A kind, templated 働きかけ naming the manager, with the manager's own line if any."""
    blocks: list[Block] = [section(t(lang, "nudge_dm_title", manager=manager)),
                           section(t(lang, "nudge_dm_body", name=person, manager=manager))]
    if note.strip():
        blocks.append(section(t(lang, "nudge_dm_note", manager=manager) + "\n" + _quote(note)))
    if next_courses:
        blocks.append(section(t(lang, "nudge_dm_next", courses="、".join(next_courses[:3]))))
    blocks.append(actions(button(t(lang, "button_enrol_modal"), ids.ACTION_OPEN_ENROL, style="primary"),
                          button(t(lang, "button_complete_modal"), ids.ACTION_OPEN_COMPLETE)))
    blocks.append(context(t(lang, "nudge_dm_footer")))
    return {"text": t(lang, "nudge_dm_fallback", manager=manager), "blocks": blocks}


def recommendation_message(lang: str, manager: str, kind: str, note: str) -> Message:
    """To the person: a manager recommended them for a step-up or the community."""
    what = t(lang, f"rec_kind_{kind}")
    blocks: list[Block] = [section(t(lang, "rec_dm_title", manager=manager, what=what))]
    if note.strip():
        blocks.append(section(_quote(note)))
    blocks.append(section(t(lang, f"rec_dm_next_{kind}"),
                          button(t(lang, "button_assessment"), ids.ACTION_OPEN_ASSESSMENT, kind)))
    return {"text": t(lang, "rec_dm_fallback", manager=manager, what=what), "blocks": blocks}


def recommendation_admin_message(lang: str, manager: str, person: str, number: str, unit: str, kind: str,
                                 note: str) -> Message:
    """To the administrators: who recommended whom for what."""
    text = t(lang, "rec_admin", manager=manager, name=person, number=number, unit=unit,
             what=t(lang, f"rec_kind_{kind}"))
    blocks: list[Block] = [section(text)]
    if note.strip():
        blocks.append(section(_quote(note)))
    return {"text": text, "blocks": blocks}


def step_up_request_message(lang: str, person: str, target: str, request_id: int, staff_id: int, *,
                            confirm_by: str | None = None, comment: str = "") -> Message:
    """To a manager (or, to confirm a manager's approval, an administrator): the request with its buttons."""
    if confirm_by is None:
        text = t(lang, "step_up_manager_dm", name=person, target=target)
    else:
        text = t(lang, "step_up_confirm_dm", name=person, target=target, manager=confirm_by)
    blocks: list[Block] = [section(text)]
    if comment.strip():
        blocks.append(section(_quote(comment)))
    value = str(request_id)
    blocks.append(actions(
        button(t(lang, "button_step_up_approve"), ids.ACTION_STEP_UP_APPROVE, value, style="primary"),
        button(t(lang, "button_step_up_decline"), ids.ACTION_STEP_UP_DECLINE, value, style="danger"),
        button(t(lang, "mgr_menu_detail"), ids.ACTION_MGR_DETAIL, str(staff_id)),
        block_id=ids.BLOCK_STEP_UP_DECISION))
    return {"text": text, "blocks": blocks}


def decision_message(lang: str, outcome: str, target: str, decider: str, comment: str) -> Message:
    """To the person: approved (tier changed), declined, or approved and waiting for confirmation."""
    text = t(lang, f"decision_dm_{outcome}", target=target, decider=decider)
    blocks: list[Block] = [section(text)]
    if comment.strip():
        blocks.append(section(_quote(comment)))
    return {"text": text, "blocks": blocks}


def decided_blocks(original: list[Block], lang: str, outcome: str, decider: str) -> list[Block]:
    """A step-up DM after its decision: the buttons replaced by what was decided."""
    kept = [b for b in original if b.get("block_id") != ids.BLOCK_STEP_UP_DECISION]
    return kept + [context(t(lang, f"decided_note_{outcome}", decider=decider))]


def channel_refused_message(lang: str, unit: str, code: str, channel: str, problem: str) -> Message:
    """To the administrators: a unit's digest was not posted to its channel, and why."""
    text = t(lang, "channel_refused_admin", unit=unit, code=code, channel=channel,
             problem=t(lang, f"channel_problem_{problem}"))
    return {"text": text, "blocks": [section(text), context(t(lang, "channel_refused_hint", code=code))]}
