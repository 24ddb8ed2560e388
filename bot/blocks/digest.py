"""The weekly digest message: ≤ 50 blocks, the most important lists first, "ほか N 人" and a full attachment."""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from bot import ids
from bot.blocks import fmt
from bot.blocks.kit import Block, clip, context, fields, header, option, section
from bot.i18n import t
from bot.plan import Plan
from bot.services.manager_digest import CAT_COMPLETED, CAT_OVERDUE, CAT_READY, CAT_SHEET, CAT_WAITING, DigestContent
from bot.services.manager_facts import Status

MAX_BLOCKS = 50
FIXED_BLOCKS = 4  # header, period, headcount, footer
PER_LIST = 8  # rows each list gets before the leftovers go to the most important ones


def allot(sizes: list[int], room: int, cap: int = PER_LIST) -> list[int]:
    """Rows shown per list, most important first, within `room` blocks for rows and "ほか N 人" lines.

    A list shown in part costs its rows plus one "more" line; shown in full, just its rows.
    """
    shown = [0] * len(sizes)
    left = room - sum(1 for n in sizes if n)  # every non-empty list starts as "ほか N 人" only
    for limit in (cap, max(sizes, default=0)):
        for i, size in enumerate(sizes):
            while shown[i] < min(size, limit):
                cost = 0 if shown[i] + 1 == size else 1  # the last row replaces the "more" line
                if cost > left:
                    break
                shown[i] += 1
                left -= cost
    return shown


def digest_message(content: DigestContent, plan: Plan, lang: str, tz: ZoneInfo) -> dict[str, Any]:
    """chat.postMessage arguments (text, blocks) and whether a full list must be attached."""
    lists = [(cat, items) for cat, items in content.categories if items]
    empty = [cat for cat, items in content.categories if not items]
    room = MAX_BLOCKS - FIXED_BLOCKS - len(lists) - (1 if empty else 0)
    shown = allot([len(items) for _, items in lists], room)
    blocks: list[Block] = [header(t(lang, "digest_title", unit=content.unit_name)),
                           context(t(lang, "digest_period", today=fmt.day(content.today, lang),
                                     since=fmt.day(content.since, lang), n=content.people)),
                           _headcount(content, plan, lang)]
    for (cat, items), n in zip(lists, shown, strict=True):
        blocks.append(section(f"*{t(lang, f'digest_cat_{cat}', n=len(items))}*"))
        blocks += [_row(content, plan, cat, s, lang, tz) for s in items[:n]]
        if n < len(items):
            blocks.append(context(t(lang, "digest_more", n=len(items) - n)))
    if empty:
        names = "、".join(t(lang, f"digest_cat_{cat}_short") for cat in empty)
        blocks.append(context(t(lang, "digest_none", lists=names)))
    truncated = any(n < len(items) for (_, items), n in zip(lists, shown, strict=True))
    footer = t(lang, "digest_footer") + (" " + t(lang, "digest_attached", n=content.people) if truncated else "")
    blocks.append(context(footer))
    text = t(lang, "digest_fallback", unit=content.unit_name, n=content.people)
    return {"text": text, "blocks": blocks, "attach": truncated}


def _headcount(content: DigestContent, plan: Plan, lang: str) -> Block:
    """Staff by tier and the change since the last digest."""
    cells = []
    for tier in plan.tiers:
        now = content.counts.get(tier.level, 0)
        if content.previous is None:
            change = t(lang, "digest_change_first")
        else:
            diff = now - content.previous.get(tier.level, 0)
            change = t(lang, "digest_change", diff=f"{diff:+d}" if diff else "±0")
        cells.append(f"*{fmt.tier_name(tier, lang)}*\n{t(lang, 'digest_people', n=now)}（{change}）")
    return fields(*cells)


def _row(content: DigestContent, plan: Plan, cat: str, s: Status, lang: str, tz: ZoneInfo) -> Block:
    """One person: name, unit (when below the digest's), what the list is about, and the actions menu."""
    m = s.member
    where = content.unit_names.get(m.unit_id, "") if m.unit_id != content.unit_id else ""
    label = f"*{m.name}*" + (f"（{where}）" if where else "")
    text = f"{label}　{fmt.tier_name(plan.tier(m.tier), lang) if _known_tier(plan, m.tier) else m.tier}\n"
    return section(clip(text + detail_line(plan, cat, s, lang, tz), 2900), person_menu(s, lang, cat == CAT_WAITING))


def _known_tier(plan: Plan, level: int) -> bool:
    return any(tier.level == level for tier in plan.tiers)


def detail_line(plan: Plan, cat: str, s: Status, lang: str, tz: ZoneInfo) -> str:
    """Why the person is on this list."""
    def name(course_id: str) -> str:
        course = plan.courses.get(course_id)
        return course.name if course else course_id

    if cat == CAT_WAITING and s.pending is not None:
        target = fmt.tier_name(plan.tier(s.pending.to_tier), lang) if _known_tier(plan, s.pending.to_tier) else ""
        key = "digest_row_waiting_confirm" if s.pending.approved_by else "digest_row_waiting"
        return t(lang, key, target=target, day=_day(s.pending.requested_at.astimezone(tz).date(), lang))
    if cat == CAT_OVERDUE:
        parts = [t(lang, "digest_row_stalled", course=name(c), day=_day(d, lang)) for c, d in s.stalled[:2]]
        if s.overdue:
            parts.append(t(lang, "digest_row_overdue", n=len(s.overdue)))
        return " / ".join(parts)
    if cat == CAT_COMPLETED:
        return t(lang, "digest_row_completed", courses="、".join(name(c) for c, _ in s.completed_recent[:3]))
    if cat == CAT_READY:
        return t(lang, "digest_row_ready")
    if cat == CAT_SHEET:
        return t(lang, "digest_row_sheet")
    return t(lang, "digest_row_progress", done=s.done, total=s.total)


def _day(value: date, lang: str) -> str:
    """fmt.day's format without strftime (a city's digest formats a hundred thousand dates)."""
    if lang == "ja":
        return f"{value.year}年{value.month:02d}月{value.day:02d}日"
    return value.isoformat()


@lru_cache(maxsize=8)
def _labels(lang: str) -> dict[str, str]:
    keys = ("detail", "approve", "decline", "nudge", "nudged", "rec_step_up", "rec_community")
    return {k: t(lang, f"mgr_menu_{k}") for k in keys}


def person_menu(s: Status, lang: str, deciding: bool) -> dict[str, Any]:
    """The actions on a person: 詳細, 働きかけ, 推薦 — or, for a request waiting, 詳細 and the decision."""
    sid, label = s.member.staff_id, _labels(lang)
    opts = [option(label["detail"], f"{ids.MGR_DETAIL}:{sid}")]
    if deciding and s.pending is not None:
        rid = s.pending.request_id
        opts += [option(label["approve"], f"{ids.MGR_APPROVE}:{rid}"),
                 option(label["decline"], f"{ids.MGR_DECLINE}:{rid}")]
    else:
        opts += [option(label["nudged" if s.nudged else "nudge"], f"{ids.MGR_NUDGE}:{sid}"),
                 option(label["rec_step_up"], f"{ids.MGR_REC_STEP_UP}:{sid}"),
                 option(label["rec_community"], f"{ids.MGR_REC_COMMUNITY}:{sid}")]
    return {"type": "overflow", "action_id": ids.ACTION_MGR_MENU, "options": opts}
