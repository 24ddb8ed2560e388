"""Managers' modals: a person's record (詳細), 働きかけ, 推薦, a step-up decision, and a notice."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from bot import ids
from bot.blocks import fmt, progress
from bot.blocks.home import completed_blocks, gap_text
from bot.blocks.kit import Block, actions, button, clip, context, divider, input_block, modal, option, section
from bot.blocks.records_extra import record_extra_blocks
from bot.i18n import t
from bot.plan import Plan
from bot.services.managers import RecordView
from storage.manager_models import REC_KINDS

MAX_HISTORY = 5


def notice_modal(lang: str, key: str, **values: object) -> dict[str, Any]:
    """A modal that only says something: a refusal, or what was done."""
    return modal(ids.VIEW_MGR_NOTICE, t(lang, "mgr_title_notice"), [section(t(lang, key, **values))], None,
                 t(lang, "close"))


def record_modal(view: RecordView, plan: Plan, tz: ZoneInfo) -> dict[str, Any]:
    """A person's record as their manager sees it (≤ 100 blocks), with the manager's actions."""
    st = view.standing
    lang = st.lang
    blocks: list[Block] = progress.summary_blocks(st)
    blocks.append(section("\n".join(progress.group_lines(st, plan))))
    if st.in_progress:
        blocks.append(section(f"*{t(lang, 'in_progress_title')}*\n{progress.enrolled_text(st.in_progress, lang)}"))
    blocks += completed_blocks(st)
    blocks += record_extra_blocks(lang, plan, st.qualifications, st.onjt)  # 資格・On-JT (issue 8)
    blocks += [divider(), section(_sheet_text(view, tz)), section(_step_up_text(view, plan, tz))]
    blocks += _history_blocks(view, plan, tz)
    if view.can_act:
        blocks.append(_action_row(view))
    return modal(ids.VIEW_RECORD, t(lang, "mgr_title_record"), blocks[:100], None, t(lang, "close"))


def _sheet_text(view: RecordView, tz: ZoneInfo) -> str:
    st = view.standing
    lang = st.lang
    if st.gap is None:
        return f"*{t(lang, 'sheet_title')}*\n{t(lang, 'mgr_sheet_none')}"
    head = t(lang, "mgr_sheet_summary", when=fmt.moment(st.sheet_at, tz, lang), met=st.gap.met, total=st.gap.total)
    return clip(f"*{t(lang, 'sheet_title')}*\n{head}\n{gap_text(st.gap, lang, 2400)}", 2900)


def _step_up_text(view: RecordView, plan: Plan, tz: ZoneInfo) -> str:
    st = view.standing
    lang = st.lang
    if st.pending_request is not None:
        target = fmt.tier_name(plan.tier(st.pending_request.to_tier), lang)
        state = t(lang, "mgr_state_pending", target=target,
                  when=fmt.moment(st.pending_request.requested_at, tz, lang))
    elif st.step_up.allowed:
        state = t(lang, "mgr_state_ready")
    else:
        state = t(lang, f"mgr_state_{st.step_up.reason}")
    return f"*{t(lang, 'mgr_step_up_title')}*\n{state}"


def _history_blocks(view: RecordView, plan: Plan, tz: ZoneInfo) -> list[Block]:
    """Recommendations, 働きかけ and tier changes, newest first."""
    lang = view.standing.lang
    lines = [t(lang, "mgr_history_rec", when=fmt.moment(r.at, tz, lang), by=view.names.get(r.by_staff_id, "—"),
               what=t(lang, f"rec_kind_{r.kind}")) for r in view.recommendations[:MAX_HISTORY]]
    lines += [t(lang, "mgr_history_nudge", when=fmt.moment(n.at, tz, lang), by=view.names.get(n.by_staff_id, "—"))
              for n in view.nudges[:MAX_HISTORY]]
    for c in view.tier_changes[:MAX_HISTORY]:
        known = any(x.level == c.to_tier for x in plan.tiers)
        tier = fmt.tier_name(plan.tier(c.to_tier), lang) if known else str(c.to_tier)
        by = view.names.get(c.approved_by, "—") if c.approved_by else t(lang, f"mgr_source_{c.source}")
        lines.append(t(lang, "mgr_history_tier", when=fmt.moment(c.changed_at, tz, lang), tier=tier, by=by))
    if not lines:
        return []
    return [section(f"*{t(lang, 'mgr_history_title')}*"), context(clip("\n".join(lines), 3000))]


def _action_row(view: RecordView) -> Block:
    st = view.standing
    lang, sid = st.lang, str(st.staff.id)
    nudge = t(lang, "mgr_menu_nudged" if view.nudged_this_week else "mgr_menu_nudge")
    elements = [button(nudge, ids.ACTION_MGR_NUDGE, sid),
                button(t(lang, "mgr_menu_recommend"), ids.ACTION_MGR_RECOMMEND, sid)]
    if st.pending_request is not None:
        rid = str(st.pending_request.id)
        elements += [button(t(lang, "button_step_up_approve"), ids.ACTION_STEP_UP_APPROVE, rid, style="primary"),
                     button(t(lang, "button_step_up_decline"), ids.ACTION_STEP_UP_DECLINE, rid, style="danger")]
    return actions(*elements, block_id="mgr_record_actions")


def nudge_modal(lang: str, person: str, staff_id: int, manager: str) -> dict[str, Any]:
    """働きかけ: the template the person will read, and an optional line from the manager."""
    blocks: list[Block] = [
        section(t(lang, "nudge_modal_intro", name=person)),
        context(t(lang, "nudge_modal_preview", manager=manager)),
        input_block(ids.BLOCK_NUDGE_NOTE, t(lang, "nudge_modal_label"),
                    {"type": "plain_text_input", "action_id": ids.ELEM_NUDGE_NOTE, "multiline": True,
                     "max_length": 300}, optional=True, hint=t(lang, "nudge_modal_hint")),
    ]
    return modal(ids.VIEW_NUDGE, t(lang, "mgr_title_nudge"), blocks, t(lang, "nudge_modal_submit"), t(lang, "close"),
                 private_metadata=str(staff_id))


def recommend_modal(lang: str, person: str, staff_id: int, kind: str | None) -> dict[str, Any]:
    """推薦: step-up or community, and a note the person and the administrators will read."""
    options = [option(t(lang, f"rec_kind_{k}"), k) for k in REC_KINDS]
    element: dict[str, Any] = {"type": "radio_buttons", "action_id": ids.ELEM_REC_KIND, "options": options}
    if kind in REC_KINDS:
        element["initial_option"] = options[REC_KINDS.index(kind)]
    blocks: list[Block] = [
        section(t(lang, "rec_modal_intro", name=person)),
        input_block(ids.BLOCK_REC_KIND, t(lang, "rec_modal_kind"), element),
        input_block(ids.BLOCK_REC_NOTE, t(lang, "rec_modal_note"),
                    {"type": "plain_text_input", "action_id": ids.ELEM_REC_NOTE, "multiline": True,
                     "max_length": 1000}, optional=True),
    ]
    return modal(ids.VIEW_RECOMMEND, t(lang, "mgr_title_recommend"), blocks, t(lang, "rec_modal_submit"),
                 t(lang, "close"), private_metadata=str(staff_id))


def decision_modal(lang: str, person: str, target: str, approve: bool, metadata: str, *,
                   needs_admin: bool, approved_by: str | None) -> dict[str, Any]:
    """Approve or decline a step-up request, with a comment (required to decline)."""
    key = "decision_modal_approve" if approve else "decision_modal_decline"
    blocks: list[Block] = [section(t(lang, key, name=person, target=target))]
    if approve and needs_admin:
        blocks.append(context(t(lang, "decision_modal_needs_admin")))
    if approved_by:
        blocks.append(context(t(lang, "decision_modal_approved_by", manager=approved_by)))
    blocks.append(input_block(ids.BLOCK_DECISION_COMMENT, t(lang, "decision_modal_comment"),
                              {"type": "plain_text_input", "action_id": ids.ELEM_DECISION_COMMENT,
                               "multiline": True, "max_length": 1000}, optional=approve))
    submit = t(lang, "decision_modal_submit_approve" if approve else "decision_modal_submit_decline")
    return modal(ids.VIEW_DECISION, t(lang, "mgr_title_decision"), blocks, submit, t(lang, "close"),
                 private_metadata=metadata)
