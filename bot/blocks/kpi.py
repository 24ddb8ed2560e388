"""The KPI summary for administrators (the answer to `/mytraining kpi`, and the monthly report)."""

from __future__ import annotations

from collections.abc import Mapping

from bot.blocks.kit import Block, context, header, section
from bot.i18n import t
from bot.kpi import MIN_GROUP, KpiReport, Projection, per_tier
from bot.kpi_community import CommunityStats
from bot.plan.model import Plan

TREND_POINTS = 6  # month-ends of the community's membership shown in the message
SECTION_MAX = 3000


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


def community_blocks(club: CommunityStats, lang: str, names: Mapping[int, str]) -> list[Block]:
    """Members now and month by month, this fiscal year's events and attendance, then by 部局."""
    trend = " → ".join(t(lang, "kpi_community_point", month=d.strftime("%Y-%m"), n=n)
                       for d, n in club.monthly[-TREND_POINTS:])
    lines = [t(lang, "kpi_community_title"), t(lang, "kpi_community", n=club.members)]
    if trend:
        lines.append(t(lang, "kpi_community_trend", points=trend))
    for year in club.years[-2:]:
        lines.append(t(lang, "kpi_community_year", fy=year.fiscal_year, events=year.events,
                       attendances=year.attendances, attendees=year.attendees, hours=f"{year.hours:g}"))
    blocks = [section("\n".join(lines))]
    order = {dept: i for i, dept in enumerate(names)}  # the org tree's order, as in the workbook
    depts = sorted(club.departments.items(), key=lambda item: (order.get(item[0], len(order)), item[0]))
    if depts:
        rows = [t(lang, "kpi_community_dept_title", fy=club.fiscal_year, n=MIN_GROUP)]
        for dept, d in depts:
            members = t(lang, "kpi_hidden") if d.members is None else t(lang, "kpi_community_people", n=d.members)
            attendance = (t(lang, "kpi_hidden") if d.attendances is None or d.hours is None else
                          t(lang, "kpi_community_attendance", attendances=d.attendances, hours=f"{d.hours:g}"))
            rows.append(t(lang, "kpi_community_dept", dept=names.get(dept, str(dept)), members=members,
                          attendance=attendance))
        blocks.append(section(_fit(rows)))
    return blocks


def _fit(lines: list[str]) -> str:
    """The lines that fit in one section (a city has a few dozen 部局 at most; cut with "…" if not)."""
    out: list[str] = []
    for line in lines:
        if len("\n".join([*out, line, "…"])) > SECTION_MAX:
            out.append("…")
            break
        out.append(line)
    return "\n".join(out)


def kpi_message(report: KpiReport, plan: Plan, lang: str, *, names: Mapping[int, str] | None = None,
                charts: str = "dm") -> tuple[str, list[Block]]:
    """Targets with their projection, people per tier, the community, and how small groups are treated.

    `charts` says where the charts go: "dm" (the command's answer) or "thread" (the monthly report).
    """
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
    blocks.append(section("\n".join(lines)))
    blocks += community_blocks(report.club, lang, names or {})
    blocks.append(context(t(lang, "kpi_note" if charts == "dm" else "kpi_note_thread", n=MIN_GROUP)))
    return title, blocks
