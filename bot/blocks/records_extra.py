"""Qualifications (資格) and On-JT: the App Home section, the two modals, the manager's view, and notes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from bot import ids
from bot.blocks import fmt
from bot.blocks.kit import Block, actions, button, clip, context, divider, input_block, modal, option, section
from bot.i18n import pick, t
from bot.plan import Plan
from bot.rules import GroupProgress, qualified_by
from bot.services.progress import Standing
from storage.record_models import NOTE_MAX, OnJTEntry, QualificationHeld

MAX_QUALS_SHOWN = 10
MAX_ONJT_SHOWN = 8


def _qual_name(plan: Plan, qid: str, lang: str) -> str:
    """A qualification's name (its id when the plan no longer lists it)."""
    found = next((q for q in plan.qualifications if q.id == qid), None)
    return pick(lang, found.name, found.name_en) if found else qid


def _opportunity_name(plan: Plan, oid: str, lang: str) -> str:
    found = next((o for o in plan.onjt.opportunities if o.id == oid), None)
    return pick(lang, found.name, found.name_en) if found else oid


def _role_name(plan: Plan, key: str, lang: str) -> str:
    found = next((r for r in plan.onjt.roles if r.key == key), None)
    return pick(lang, found.name_ja, found.name_en) if found else key


def escape(text: str) -> str:
    """Text someone typed, shown literally in mrkdwn (no mentions or links made of it)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _more(lines: list[str], total: int, lang: str) -> list[str]:
    return lines + ([t(lang, "and_more", n=total - len(lines)).strip()] if total > len(lines) else [])


def qualifications_text(plan: Plan, lang: str, held: Sequence[QualificationHeld]) -> str:
    """The qualifications a person holds, with the dates obtained (at most MAX_QUALS_SHOWN lines)."""
    lines = [t(lang, "records_extra_qual_line", name=_qual_name(plan, q.qualification_id, lang),
               day=fmt.day(q.obtained_on, lang)) for q in held[:MAX_QUALS_SHOWN]]
    body = "\n".join(_more(lines, len(held), lang)) or t(lang, "records_extra_quals_none")
    return clip(f"*{t(lang, 'records_extra_quals_title')}*\n{body}", 3000)


def onjt_text(plan: Plan, lang: str, entries: Sequence[OnJTEntry]) -> str:
    """On-JT entries, newest first: opportunity, role, period and note (at most MAX_ONJT_SHOWN)."""
    lines = []
    for e in entries[:MAX_ONJT_SHOWN]:
        end = fmt.day(e.ended_on, lang) if e.ended_on else t(lang, "records_extra_ongoing")
        period = t(lang, "records_extra_period", start=fmt.day(e.started_on, lang), end=end)
        line = t(lang, "records_extra_onjt_line", name=_opportunity_name(plan, e.opportunity_id, lang),
                 role=_role_name(plan, e.role, lang), period=period)
        lines.append(f"{line}\n      {escape(clip(e.note, 120))}" if e.note else line)
    body = "\n".join(_more(lines, len(entries), lang)) or t(lang, "records_extra_onjt_none")
    return clip(f"*{t(lang, 'records_extra_onjt_title')}*\n{body}", 3000)


def record_extra_blocks(lang: str, plan: Plan, qualifications: Sequence[QualificationHeld],
                        onjt: Sequence[OnJTEntry]) -> list[Block]:
    """Qualifications and On-JT as two sections (for the App Home and the manager's 詳細 modal)."""
    return [section(qualifications_text(plan, lang, qualifications)), section(onjt_text(plan, lang, onjt))]


def home_blocks(st: Standing, plan: Plan) -> list[Block]:
    """The App Home's compact section (≤ 5 blocks): what is recorded, what the plan describes, two buttons."""
    lang = st.lang
    blocks: list[Block] = [divider(), *record_extra_blocks(lang, plan, st.qualifications, st.onjt)]
    cell = plan.onjt.cell(st.tier.level, st.person.dept_kind, st.person.track)
    if cell is not None:
        place = fmt.tier_and_track(st.tier, st.track, lang) + "・" + t(lang, f"dept_{st.person.dept_kind}")
        blocks.append(context(clip(t(lang, "records_extra_expected", place=place, text=cell.text), 3000)))
    blocks.append(actions(button(t(lang, "button_add_qualification"), ids.ACTION_OPEN_QUALIFICATION),
                          button(t(lang, "button_add_onjt"), ids.ACTION_OPEN_ONJT),
                          block_id=ids.BLOCK_RECORDS_EXTRA_ACTIONS))
    return blocks


def qualified_line(st: Standing, plan: Plan, gp: GroupProgress) -> str | None:
    """The note /mytraining and the Home add to a group met (in part) through a qualification."""
    if not gp.qualified:
        return None
    by = qualified_by(plan, (q.qualification_id for q in st.qualifications))
    parts = [t(st.lang, "progress_via_qualification", course=plan.courses[cid].name,
               quals="、".join(_qual_name(plan, q, st.lang) for q in by.get(cid, ()))) for cid in gp.qualified]
    return "\n      ".join(parts)


def _date_input(block: str, elem: str, label: str, initial: date | None, optional: bool = False) -> Block:
    element: dict[str, Any] = {"type": "datepicker", "action_id": elem}
    if initial is not None:
        element["initial_date"] = initial.isoformat()
    return input_block(block, label, element, optional=optional)


def _select(elem: str, placeholder: str, options: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "static_select", "action_id": elem, "options": options[:100],
            "placeholder": {"type": "plain_text", "text": placeholder}}


def qualification_modal(plan: Plan, lang: str, today: date) -> dict[str, Any]:
    """Record a qualification: one of the plan's list, the date obtained (≤ today), an optional https link."""
    options = [option(pick(lang, q.name, q.name_en), q.id, q.category) for q in plan.qualifications]
    blocks: list[Block] = [
        context(t(lang, "qualification_modal_hint")),
        input_block(ids.BLOCK_QUALIFICATION, t(lang, "label_qualification"),
                    _select(ids.ELEM_QUALIFICATION, t(lang, "placeholder_qualification"), options)),
        _date_input(ids.BLOCK_OBTAINED_ON, ids.ELEM_OBTAINED_ON, t(lang, "label_obtained_on"), today),
        input_block(ids.BLOCK_QUAL_EVIDENCE, t(lang, "label_qual_evidence"),
                    {"type": "plain_text_input", "action_id": ids.ELEM_QUAL_EVIDENCE, "max_length": 500,
                     "placeholder": {"type": "plain_text", "text": "https://"}}, optional=True),
    ]
    return modal(ids.VIEW_QUALIFICATION, t(lang, "title_qualification"), blocks, t(lang, "submit_record"),
                 t(lang, "close"))


def onjt_modal(plan: Plan, lang: str, today: date) -> dict[str, Any]:
    """Record an On-JT entry: opportunity, role, period (end optional) and a short note."""
    opportunities = [option(pick(lang, o.name, o.name_en), o.id, o.detail or None) for o in plan.onjt.opportunities]
    roles = [option(pick(lang, r.name_ja, r.name_en), r.key) for r in plan.onjt.roles]
    blocks: list[Block] = [
        context(t(lang, "onjt_modal_hint")),
        input_block(ids.BLOCK_OPPORTUNITY, t(lang, "label_opportunity"),
                    _select(ids.ELEM_OPPORTUNITY, t(lang, "placeholder_opportunity"), opportunities)),
        input_block(ids.BLOCK_ONJT_ROLE, t(lang, "label_role"),
                    _select(ids.ELEM_ONJT_ROLE, t(lang, "placeholder_role"), roles)),
        _date_input(ids.BLOCK_ONJT_STARTED, ids.ELEM_ONJT_STARTED, t(lang, "label_started_on"), today),
        _date_input(ids.BLOCK_ONJT_ENDED, ids.ELEM_ONJT_ENDED, t(lang, "label_ended_on"), None, optional=True),
        input_block(ids.BLOCK_ONJT_NOTE, t(lang, "label_onjt_note"),
                    {"type": "plain_text_input", "action_id": ids.ELEM_ONJT_NOTE, "multiline": True,
                     "max_length": NOTE_MAX}, optional=True),
    ]
    return modal(ids.VIEW_ONJT, t(lang, "title_onjt"), blocks, t(lang, "submit_record"), t(lang, "close"))
