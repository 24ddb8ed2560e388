"""The App Home tab: the ladder, the requirement, courses by state, the next tier locked, the sheet."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from bot import ids
from bot.blocks import fmt, progress, records_extra
from bot.blocks.kit import Block, actions, button, clip, context, divider, header, option, section
from bot.blocks.reminders import reminder_prefs_blocks
from bot.i18n import pick, t
from bot.plan import Plan
from bot.rules import Gap
from bot.services.progress import CourseLine, Standing
from bot.services.reminder_prefs import PrefView

MAX_COURSE_SECTIONS = 12


def home_view(st: Standing, plan: Plan, tz: ZoneInfo, managers: Sequence[Block] = (),
              reminder_prefs: Mapping[str, PrefView] | None = None, community: Sequence[Block] = ()) -> dict[str, Any]:
    """The whole Home tab for one person (≤ 100 blocks whatever the history); `managers`: their team section;
    `community`: the learning community's part (bot.blocks.community, ≤ 14 blocks)."""
    lang = st.lang
    blocks: list[Block] = progress.summary_blocks(st)
    blocks.append(section(ladder_text(st, plan)))
    blocks.append(progress.action_buttons(st))
    blocks.append(progress.footer(st))
    blocks += managers  # managers and administrators only (bot.blocks.team.home_section, ≤ 6 blocks)
    blocks += [divider(), header(t(lang, "requirement_title"))]
    blocks.append(section("\n".join(progress.group_lines(st, plan))))
    blocks += in_progress_blocks(st)
    blocks += completed_blocks(st)
    blocks.append(divider())
    blocks += progress.next_blocks(st, plan)
    blocks += locked_blocks(st)
    blocks += community
    blocks += records_extra.home_blocks(st, plan)  # 資格・On-JT (≤ 5 blocks)
    blocks += sheet_blocks(st, tz)
    blocks += reminder_prefs_blocks(lang, reminder_prefs)
    blocks += language_blocks(st)
    return {"type": "home", "blocks": blocks[:100]}


def ladder_text(st: Standing, plan: Plan) -> str:
    lang, steps = st.lang, []
    for tier in plan.tiers:
        if tier.level < st.tier.level:
            mark = "✅"
        elif tier.level == st.tier.level:
            mark = "📍" if not st.progress.complete else "✅"
        else:
            mark = "🔒" if tier.level > st.tier.level + 1 or not st.progress.complete else "🔓"
        steps.append(f"{mark} {tier.level}. {fmt.tier_name(tier, lang)}")
    return f"*{t(lang, 'ladder_title')}*\n" + "  →  ".join(steps)


def in_progress_blocks(st: Standing) -> list[Block]:
    lang = st.lang
    if not st.in_progress:
        return [section(f"*{t(lang, 'in_progress_title')}*\n{t(lang, 'in_progress_none')}")]
    blocks: list[Block] = [section(f"*{t(lang, 'in_progress_title')}*")]
    for line in st.in_progress[:MAX_COURSE_SECTIONS]:
        blocks.append(section(_course_line_text(line, lang), _course_menu(line, lang)))
    if len(st.in_progress) > MAX_COURSE_SECTIONS:
        rest = st.in_progress[MAX_COURSE_SECTIONS:]
        blocks.append(section(progress.enrolled_text(rest, lang)))
    return blocks


def _course_line_text(line: CourseLine, lang: str) -> str:
    since = fmt.day(line.enrolment.enrolled_on if line.enrolment else None, lang)
    return f"📘 {fmt.course_label(line.course, lang)}\n{t(lang, 'since', day=since)}"


def _course_menu(line: CourseLine, lang: str) -> dict[str, Any]:
    return {"type": "overflow", "action_id": ids.ACTION_COURSE_MENU, "options": [
        option(t(lang, "button_complete"), f"{ids.MENU_COMPLETE}:{line.course.id}"),
        option(t(lang, "button_withdraw"), f"{ids.MENU_WITHDRAW}:{line.course.id}"),
    ]}


def completed_blocks(st: Standing) -> list[Block]:
    """Completed courses as compact text (split across sections so none passes 3,000 characters)."""
    lang = st.lang
    if not st.completed:
        return []
    items = [f"✅ {line.course.name} — {fmt.day(line.enrolment.completed_on if line.enrolment else None, lang)}"
             f"（{fmt.hours(line.enrolment.hours or 0) if line.enrolment else '0'}h）" for line in st.completed]
    chunks, current = [], f"*{t(lang, 'completed_title', n=len(items))}*"
    for item in items:
        if len(current) + len(item) + 1 > 2900:
            chunks.append(current)
            current = ""
        current = f"{current}\n{item}" if current else item
    chunks.append(current)
    return [section(c) for c in chunks[:4]]


def locked_blocks(st: Standing) -> list[Block]:
    """The next tier's courses: locked with the reason (修了者のみ) until this tier is complete."""
    lang = st.lang
    if st.next_tier is None or not st.next_tier_lines:
        return []
    name = fmt.tier_name(st.next_tier, lang)
    locked = [line for line in st.next_tier_lines if not line.access.allowed
              and line.access.reason in ("locked_previous_tier_incomplete", "above_next_tier")]
    if locked:
        title = t(lang, "locked_title", tier=name)
        reason = t(lang, "locked_reason", tier=fmt.tier_name(st.tier, lang))
    else:
        title, reason = t(lang, "unlocked_title", tier=name), t(lang, "unlocked_reason")
    mark = "🔒" if locked else "🔓"
    names = "\n".join(f"{mark} {fmt.course_label(line.course, lang)}" for line in st.next_tier_lines)
    return [divider(), section(f"*{title}*\n{clip(names, 2500)}"), context(reason)]


def sheet_blocks(st: Standing, tz: ZoneInfo) -> list[Block]:
    lang = st.lang
    blocks: list[Block] = [divider(), header(t(lang, "sheet_title"))]
    if st.gap is None:
        blocks.append(section(t(lang, "sheet_none"), button(t(lang, "button_assessment"),
                                                            ids.ACTION_OPEN_ASSESSMENT, "step_up")))
        return blocks
    when = fmt.moment(st.sheet_at, tz, lang)
    purpose = t(lang, f"purpose_{st.sheet_purpose}")
    blocks.append(section(t(lang, "sheet_summary", when=when, purpose=purpose, met=st.gap.met,
                            total=st.gap.total)))
    blocks.append(section(gap_text(st.gap, lang, evidence=st.evidence)))
    return blocks


def gap_text(gap: Gap, lang: str, limit: int = 2900, evidence: Mapping[int, Sequence[str]] | None = None) -> str:
    """Per skill area: reached level / required level, the rows not yet met, and next to a row the
    qualifications and On-JT that are evidence for it (📎)."""
    lines = []
    evidence = evidence or {}
    for area in gap.areas:
        mark = "✅" if area.met == area.total else "△"
        name = pick(lang, area.area.name_ja, area.area.name_en)
        lines.append(f"{mark} {name}: {t(lang, 'gap_level', reached=area.reached_level, required=area.required_level)}")
        for row in area.rows:
            proof = evidence.get(row.row.row, ())
            if not row.meets or proof:
                rating = "—" if row.rating is None else str(row.rating)
                line = f"      ・{row.row.name}（{t(lang, 'gap_rating', rating=rating)}）"
                lines.append(f"{line} {t(lang, 'gap_evidence', names='、'.join(proof))}" if proof else line)
    return clip("\n".join(lines), limit)


def language_blocks(st: Standing) -> list[Block]:
    lang = st.lang
    return [divider(), actions(
        button("日本語", f"{ids.ACTION_SET_LANGUAGE}_ja", "ja", style="primary" if lang == "ja" else None),
        button("English", f"{ids.ACTION_SET_LANGUAGE}_en", "en", style="primary" if lang == "en" else None),
        block_id="language"), context(t(lang, "language_note"))]
