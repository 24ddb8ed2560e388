"""Formatting of the plan's values for people: hours, dates, tiers, course labels."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.i18n import pick, t
from bot.plan import Course, Delivery, Plan, Tier, Track


def hours(value: float) -> str:
    """2 → '2', 1.5 → '1.5'."""
    return f"{value:g}"


def delivery_text(delivery: Delivery, lang: str) -> str:
    """'動画2h', 'リモート4h & ワークショップ2日', '動画1-2h'."""
    parts = []
    for part in delivery.parts:
        if part.days:
            length = t(lang, "fmt_days", n=part.days)
        elif part.hours_min is None:
            length = ""
        elif part.hours_max is not None and part.hours_max != part.hours_min:
            length = f"{hours(part.hours_min)}-{hours(part.hours_max)}h"
        else:
            length = f"{hours(part.hours_min)}h"
        parts.append(f"{part.format}{length}")
    return " & ".join(parts)


def course_label(course: Course, lang: str) -> str:
    """'ICTの基礎（動画2h）'; options joined with ' or '."""
    options = " or ".join(delivery_text(d, lang) for d in course.deliveries if d.parts)
    return f"{course.name}（{options}）" if options else course.name


def tier_name(tier: Tier, lang: str) -> str:
    return pick(lang, tier.name_ja, tier.name_en)


def tier_and_track(tier: Tier, track: Track | None, lang: str) -> str:
    name = tier_name(tier, lang)
    return f"{name}（{pick(lang, track.name_ja, track.name_en)}）" if track else name


def day(value: date | None, lang: str) -> str:
    if value is None:
        return "—"
    return value.strftime("%Y年%m月%d日" if lang == "ja" else "%Y-%m-%d")


def moment(value: datetime | None, tz: ZoneInfo, lang: str) -> str:
    if value is None:
        return "—"
    local = value.astimezone(tz)
    return local.strftime("%Y年%m月%d日 %H:%M" if lang == "ja" else "%Y-%m-%d %H:%M")


def bar(done: int, total: int, width: int = 10) -> str:
    """A text progress bar: ■■■□□□□□□□."""
    if total <= 0:
        return "■" * width
    filled = round(width * min(done, total) / total)
    return "■" * filled + "□" * (width - filled)


def tier_of_course(plan: Plan, course: Course, lang: str) -> str:
    return tier_name(plan.tier(course.tier), lang)
