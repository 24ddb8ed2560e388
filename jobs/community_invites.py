"""The monthly invitations to the learning community (job ``community_invites``).

On the month's first working day at COMMUNITY_PLAN_TIME (or later that month, once, if the bot was down):
one kind invitation to each person likely to benefit (see `invite_reason`: recommended by their manager,
tier 1 complete, or a self-assessment near the next tier) who is not a member, did not opt out and was not
invited in the last COMMUNITY_INVITE_QUIET_MONTHS months; at most COMMUNITY_INVITES_PER_MONTH, the most
likely first (the rest the next month). The invitation rows go in the deliveries' transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot import rules
from bot.calendar import calendar_from
from bot.i18n import t
from bot.plan import Plan
from bot.plan.model import TRACKS
from bot.settings import Settings
from jobs.community import KIND_INVITE, _json, _local_midnight
from jobs.digest_delivery import language
from jobs.kpi_report import first_working_day
from storage import community_jobs as cj
from storage import outbox, reminders
from storage.db import SessionFactory, transaction
from storage.outbox import Planned
from storage.reminders import Recipient

MONTH_MARK = "community_invites:month"
RECOMMENDED_WITHIN = timedelta(days=90)
SHEET_MAX_AGE = timedelta(days=365)  # an older sheet says little about today (the step-up rule's age)
NEAR_SHARE = 0.8  # "near the next tier": at least 80% of its required skill rows met
PRIORITY = ("recommended", "sheet_near", "tier_done")  # who is invited first when there are too many


def months_back(month: date, n: int) -> str:
    """'YYYY-MM' of the month `n` months before `month`."""
    index = month.year * 12 + month.month - 1 - n
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def required_rows(plan: Plan) -> dict[tuple[int, str | None], tuple[int, ...]]:
    """(tier, track) → the skill rows it requires (assessment_gap's rows), for every column above tier 1."""
    columns = [(tier.level, None) for tier in plan.tiers if 1 < tier.level < 3]
    columns += [(tier.level, track) for tier in plan.tiers if tier.level == 3 for track in TRACKS]
    return {(tier, track): tuple(r.row.row for r in rules.assessment_gap(plan, {}, tier, track).rows)
            for tier, track in columns}


def near_next_tier(plan: Plan, required: dict[tuple[int, str | None], tuple[int, ...]], tier: int,
                   track: str | None, sheet: cj.LatestSheet | None) -> bool:
    """The sheet meets at least NEAR_SHARE of the next tier's required rows (tier 3: its track, or either).

    The count of rules.assessment_gap (met / total: rated >= the scale's meets_at), with the rows worked
    out once per column (`required_rows`) rather than once per person.
    """
    if sheet is None or tier >= rules.top_tier(plan):
        return False
    nxt = tier + 1
    if nxt < 3:
        tracks: Iterable[str | None] = (None,)
    else:
        chosen = sheet.target_track if sheet.target_tier == nxt and sheet.target_track else track
        tracks = (chosen,) if chosen in TRACKS else TRACKS
    for tr in tracks:
        rows = required.get((nxt, tr), ())
        met = sum(1 for row in rows if sheet.ratings.get(row, 0) >= plan.scale.meets_at)
        if rows and met >= NEAR_SHARE * len(rows):
            return True
    return False


@dataclass(frozen=True)
class Facts:
    """What the invitation rules read about everyone, at once (storage.community_jobs)."""

    recommended: set[int]
    done: dict[int, dict[str, float]]  # tier-1 candidates' completed courses → hours
    digital: dict[int, bool]
    groups: dict[int, frozenset[str]]
    qualifications: dict[int, frozenset[str]]
    sheets: dict[int, cj.LatestSheet]
    required: dict[tuple[int, str | None], tuple[int, ...]]  # see required_rows


def invite_reason(plan: Plan, r: Recipient, facts: Facts) -> str | None:
    """Why this person is likely to benefit (recommended, tier 1 complete, sheet near the next tier), or None."""
    if r.id in facts.recommended:
        return "recommended"
    if r.tier >= 2:
        return "tier_done"  # past tier 1: the ladder lets only those who completed it step up
    person = rules.Person(1, None, "digital" if facts.digital.get(r.id) else "general",
                          facts.groups.get(r.id, frozenset()))
    held = facts.qualifications.get(r.id)
    history = rules.History(facts.done.get(r.id, {}), qualified=rules.qualified_courses(plan, held) if held
                            else frozenset())
    if rules.is_tier_complete(plan, person, history, tier=1):
        return "tier_done"
    return "sheet_near" if near_next_tier(plan, facts.required, r.tier, r.track, facts.sheets.get(r.id)) else None


def plan_invitations(sessions: SessionFactory, plan: Plan, settings: Settings, now: datetime) -> str:
    """This month's invitations, once (on the month's first working day, or later in the month if missed)."""
    cal = calendar_from(settings)
    today = cal.today(now)
    if not cal.is_working_day(today) or today < first_working_day(cal, today):
        return f"{today}: skipped (not the month's first working day)"
    month = today.strftime("%Y-%m")
    month_end = _local_midnight(settings, (today.replace(day=28) + timedelta(days=4)).replace(day=1))
    quiet_from = months_back(today, settings.community_invite_quiet_months - 1)
    with sessions() as session:
        if cj.period_claimed(session, MONTH_MARK, month_end):
            return f"{today} {month}: skipped (already planned this month)"
        candidates = cj.invite_candidates(session, quiet_from)
        facts = Facts(cj.recommended_since(session, now - RECOMMENDED_WITHIN, quiet_from),
                      cj.completed_by(session, quiet_from, tier=1), reminders.digital_by_staff(session, today),
                      cj.groups_of_all(session), cj.qualifications_of_all(session),
                      cj.latest_sheets(session, now - SHEET_MAX_AGE, quiet_from), required_rows(plan))
    due, items, rows = cal.next_send_time(now), [], {}
    chosen = [(reason, r) for r in candidates if (reason := invite_reason(plan, r, facts))]
    chosen.sort(key=lambda pair: PRIORITY.index(pair[0]))  # stable: by id within a reason
    for reason, r in chosen[:settings.community_invites_per_month]:
        ref = {"staff_id": r.id, "reason": reason, "lang": language(settings, r.language, r.slack_locale)}
        payload = {"text": t(ref["lang"], "cj_invite_fallback"), "ref": ref}
        items.append(Planned(KIND_INVITE, str(r.slack_id), month, _json(payload), due))
        rows[(KIND_INVITE, str(r.slack_id), month)] = {"staff_id": r.id, "month": month, "invited_on": today,
                                                       "reason": reason}
    with transaction(sessions) as session:
        if not cj.claim_period(session, MONTH_MARK, month_end, now):
            return f"{today} {month}: skipped (already planned this month)"
        added = outbox.plan(session, items, now)
        cj.record_invitations(session, [{**row, "delivery_id": added[key]} for key, row in rows.items()
                                        if key in added])
    counts = {reason: sum(1 for row in rows.values() if row["reason"] == reason) for reason in PRIORITY}
    return f"{today} {month}: candidates={len(candidates)} likely={len(chosen)} invited={len(added)} " + " ".join(
        f"{k}={v}" for k, v in counts.items())
