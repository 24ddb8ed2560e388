"""The KPI summary for administrators (an ephemeral answer to `/mytraining kpi`)."""

from __future__ import annotations

from bot.blocks.kit import Block, context, header, section
from bot.i18n import t
from bot.kpi import MIN_GROUP, KpiReport, Projection, per_tier
from bot.plan.model import Plan


def _verdict(lang: str, p: Projection) -> str:
    """Met, on track (by when), off track, or too little data."""
    if p.met:
        return t(lang, "kpi_met")
    if p.slope_per_month is None:
        return t(lang, "kpi_no_data")
    when = p.reached_on.strftime("%Y-%m") if p.reached_on else "—"
    return t(lang, "kpi_on_track" if p.on_track else "kpi_off_track", when=when)


def _tier_name(plan: Plan, lang: str, level: int) -> str:
    tier = next((x for x in plan.tiers if x.level == level), None)
    if tier is None:
        return str(level)
    return tier.name_ja if lang == "ja" else tier.name_en


def kpi_message(report: KpiReport, plan: Plan, lang: str) -> tuple[str, list[Block]]:
    """Targets with their projection, people per tier, the community, and how small groups are treated."""
    title = t(lang, "kpi_title", day=report.today.isoformat())
    blocks: list[Block] = [header(title)]
    for p, _ in report.targets:
        rate = round(100 * p.current / p.target.headcount, 1) if p.target.headcount else 0.0
        blocks.append(section(t(lang, "kpi_target", tier=_tier_name(plan, lang, p.target.tier), n=p.current,
                                target=p.target.headcount, fy=p.target.fiscal_year, rate=rate,
                                verdict=_verdict(lang, p))))
    counts = per_tier(report.now)
    lines = [t(lang, "kpi_tier_line", tier=_tier_name(plan, lang, x.level), n=counts.get(x.level, 0))
             for x in plan.tiers]
    blocks.append(section("\n".join([*lines, t(lang, "kpi_community", n=report.community)])))
    blocks.append(context(t(lang, "kpi_note", n=MIN_GROUP)))
    return title, blocks
