"""A manager's own view: the team (message or modal), search results, the App Home section, channel set-up."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from bot import ids
from bot.blocks import fmt
from bot.blocks.digest import detail_line, person_menu
from bot.blocks.kit import Block, actions, button, context, divider, fields, header, input_block, modal, option, section
from bot.i18n import t
from bot.plan import Plan
from bot.services.manager_digest import CAT_COMMUNITY, CAT_COMPLETED, CAT_OVERDUE, CAT_WAITING, CATEGORIES
from bot.services.manager_facts import Status
from bot.services.manager_team import TeamView
from storage.team import Member

MESSAGE_ROWS, MODAL_ROWS = 40, 90


def _tier(plan: Plan, level: int, lang: str) -> str:
    return fmt.tier_name(plan.tier(level), lang) if any(x.level == level for x in plan.tiers) else str(level)


def _counts(view: TeamView, plan: Plan, lang: str) -> Block:
    cells = [f"*{_tier(plan, tier.level, lang)}*\n{t(lang, 'digest_people', n=view.counts.get(tier.level, 0))}"
             for tier in plan.tiers]
    return fields(*cells)


def _lists_line(view: TeamView, lang: str) -> str:
    shown = [c for c in CATEGORIES if c not in (CAT_COMPLETED, CAT_COMMUNITY)]
    return " ・ ".join(f"{t(lang, f'digest_cat_{c}_short')} {view.lists.get(c, 0)}" for c in shown)


def _row(view: TeamView, plan: Plan, s: Status, lang: str, tz: ZoneInfo) -> Block:
    m = s.member
    where = view.unit_names.get(m.unit_id, "") if m.unit_id != view.unit_id else ""
    label = f"*{m.name}*" + (f"（{where}）" if where else "") + f"　{_tier(plan, m.tier, lang)}"
    flags = []
    if s.pending is not None:
        flags.append(detail_line(plan, CAT_WAITING, s, lang, tz))
    if s.stalled or s.overdue:
        flags.append(detail_line(plan, CAT_OVERDUE, s, lang, tz))
    if s.ready:
        flags.append(t(lang, "digest_row_ready"))
    elif s.sheet_pending:
        flags.append(t(lang, "digest_row_sheet"))
    detail = " / ".join(flags) or t(lang, "digest_row_progress", done=s.done, total=s.total)
    return section(f"{label}\n{detail}", person_menu(s, lang, s.pending is not None))


def team_blocks(view: TeamView, plan: Plan, lang: str, rows: int, tz: ZoneInfo) -> list[Block]:
    """The team: counts, what needs the manager, then people (those who need them first)."""
    blocks: list[Block] = [header(t(lang, "team_title", unit=view.unit_name)), _counts(view, plan, lang),
                           context(_lists_line(view, lang))]
    blocks += [_row(view, plan, s, lang, tz) for s in view.people[:rows]]
    if len(view.people) > rows:
        blocks.append(context(t(lang, "team_more", n=len(view.people) - rows)))
    blocks.append(actions(button(t(lang, "team_export_button"), ids.ACTION_TEAM_EXPORT, view.unit_code),
                          block_id="team_actions"))
    return blocks


def team_message(view: TeamView, plan: Plan, lang: str, tz: ZoneInfo) -> tuple[str, list[Block]]:
    """The ephemeral answer to `/mytraining team` (≤ 50 blocks)."""
    text = t(lang, "team_fallback", unit=view.unit_name, n=len(view.people))
    return text, team_blocks(view, plan, lang, MESSAGE_ROWS, tz)


def team_modal(view: TeamView, plan: Plan, lang: str, tz: ZoneInfo) -> dict[str, Any]:
    """The team in a modal, from the App Home (≤ 100 blocks)."""
    return modal(ids.VIEW_TEAM, t(lang, "mgr_title_team"), team_blocks(view, plan, lang, MODAL_ROWS, tz), None,
                 t(lang, "close"))


def search_message(hits: list[Member], unit_names: dict[int, str], plan: Plan, lang: str,
                   query: str) -> tuple[str, list[Block]]:
    """Search results: each person with a button to open their record."""
    if not hits:
        text = t(lang, "search_none", query=query)
        return text, [section(text)]
    blocks: list[Block] = [section(t(lang, "search_title", query=query, n=len(hits)))]
    for m in hits[:40]:
        text = f"*{m.name}*（{m.number}）　{unit_names.get(m.unit_id, '')}　{_tier(plan, m.tier, lang)}"
        blocks.append(section(text, button(t(lang, "mgr_menu_detail"), ids.ACTION_MGR_DETAIL, str(m.staff_id))))
    return t(lang, "search_title", query=query, n=len(hits)), blocks


def home_section(view: TeamView | None, lang: str, admin: bool) -> list[Block]:
    """The managers' (and administrators') part of the App Home: counts and buttons (≤ 6 blocks)."""
    if view is None and not admin:
        return []
    blocks: list[Block] = [divider(), header(t(lang, "home_team_title"))]
    buttons = []
    if view is not None:
        blocks.append(section(t(lang, "home_team_summary", unit=view.unit_name, n=sum(view.counts.values()),
                                lists=_lists_line(view, lang))))
        buttons += [button(t(lang, "home_team_open"), ids.ACTION_TEAM_OPEN, style="primary"),
                    button(t(lang, "team_export_button"), ids.ACTION_TEAM_EXPORT, view.unit_code)]
    if admin:
        buttons.append(button(t(lang, "home_admin_channels"), ids.ACTION_ADMIN_CHANNELS))
    blocks.append(actions(*buttons, block_id="manager_home_actions"))
    blocks.append(context(t(lang, "home_team_hint")))
    return blocks


def channel_modal(lang: str) -> dict[str, Any]:
    """Administrators: which private channel receives a unit's weekly digest."""
    blocks: list[Block] = [
        section(t(lang, "channel_modal_intro")),
        input_block(ids.BLOCK_UNIT_CODE, t(lang, "channel_modal_unit"),
                    {"type": "plain_text_input", "action_id": ids.ELEM_UNIT_CODE, "max_length": 32}),
        input_block(ids.BLOCK_CHANNEL, t(lang, "channel_modal_channel"),
                    {"type": "conversations_select", "action_id": ids.ELEM_CHANNEL,
                     "filter": {"include": ["private"], "exclude_bot_users": True}}, optional=True),
        input_block(ids.BLOCK_CHANNEL_CLEAR, t(lang, "channel_modal_clear_label"),
                    {"type": "checkboxes", "action_id": ids.ELEM_CHANNEL_CLEAR,
                     "options": [option(t(lang, "channel_modal_clear"), "clear")]}, optional=True),
    ]
    return modal(ids.VIEW_CHANNEL_SETUP, t(lang, "mgr_title_channels"), blocks, t(lang, "channel_modal_submit"),
                 t(lang, "close"))
