"""Who may take which course, what to take next, and who may step up a tier (pure functions)."""

from __future__ import annotations

from datetime import date
from itertools import islice

from bot.plan.model import Course, Plan
from bot.rules_base import (
    ABOVE_NEXT_TIER,
    ALLOWED,
    ALREADY_COMPLETED,
    ALREADY_ENROLLED,
    ALREADY_QUALIFIED,
    ASSESSMENT_MISSING,
    ASSESSMENT_STALE,
    CANDIDATE_GROUP_ONLY,
    COMPLETED_ONLY,
    DIGITAL_DEPT_ONLY,
    LOCKED_PREVIOUS_TIER_INCOMPLETE,
    TIER_INCOMPLETE,
    TOP_TIER,
    TRACK_ONLY,
    Eligibility,
    History,
    Person,
    as_date,
    refuse,
    top_tier,
    track_open_to,
)
from bot.rules_progress import courses_required, is_tier_complete, tier_progress


def eligibility(plan: Plan, person: Person, history: History, course: Course) -> Eligibility:
    """Whether the person may take the course now; when not, the first reason code that applies.

    Order: record (already completed / done through a qualification / enrolled), who the course is for
    (department, candidate group, track), then the ladder (more than one tier up; next tier locked until this
    tier is complete).
    """
    if course.id in history.completed:
        return refuse(ALREADY_COMPLETED)
    if course.id in history.qualified:
        return refuse(ALREADY_QUALIFIED)
    if course.id in history.enrolled:
        return refuse(ALREADY_ENROLLED)
    reason = audience_restriction(plan, person, course)
    if reason is not None:
        return refuse(reason)
    return tier_access(plan, person, history, course.tier)


def audience_restriction(plan: Plan, person: Person, course: Course) -> str | None:
    """Why the course is not for this person's department, candidate groups or track, if it is not."""
    if course.dept_kind not in ("general", person.dept_kind):
        return DIGITAL_DEPT_ONLY
    if course.group is not None and course.group not in person.groups:
        return CANDIDATE_GROUP_ONLY
    if not track_open_to(plan, person, course.track):
        # Without a chosen track, a track is closed only when it does not exist in the department.
        return DIGITAL_DEPT_ONLY if person.track is None and _track_known(plan, course.track) else TRACK_ONLY
    return None


def _track_known(plan: Plan, track: str | None) -> bool:
    """Whether the plan defines the track."""
    return any(t.key == track for t in plan.tracks)


def tier_access(plan: Plan, person: Person, history: History, tier: int) -> Eligibility:
    """The ladder rule: own and lower tiers open; the next one only once this one is complete."""
    if tier <= person.tier:
        return ALLOWED
    if tier > person.tier + 1:
        return refuse(ABOVE_NEXT_TIER)
    if plan.next_tier_rule == COMPLETED_ONLY and not is_tier_complete(plan, person, history):
        return refuse(LOCKED_PREVIOUS_TIER_INCOMPLETE)
    return ALLOWED


def next_courses(plan: Plan, person: Person, history: History, limit: int = 5) -> tuple[Course, ...]:
    """What to take next: the missing courses of this tier, or the next tier's once this one is done.

    Missing courses come from each unsatisfied group's reported path, groups in plan order; only
    courses the person may take now (never completed, qualified, enrolled or locked ones).
    """
    if limit < 0:
        raise ValueError(f"limit must be >= 0, not {limit}")
    progress = tier_progress(plan, person, history)
    if not progress.complete:
        ids = [cid for gp in progress.groups for cid in gp.missing]
    elif person.tier < top_tier(plan):
        ids = [c.id for c in courses_required(plan, person, person.tier + 1)]
    else:
        ids = []
    courses = (plan.courses[cid] for cid in dict.fromkeys(ids))
    return tuple(islice((c for c in courses if eligibility(plan, person, history, c).allowed), limit))


def may_step_up(
    plan: Plan,
    person: Person,
    history: History,
    latest_assessment_at: date | None,
    today: date,
    max_age_days: int = 365,
) -> Eligibility:
    """Whether the person may step up a tier: tier complete and a self-assessment recent enough.

    A datetime counts by its own calendar date: convert it to the bot's timezone first.
    """
    if person.tier >= top_tier(plan):
        return refuse(TOP_TIER)
    if not is_tier_complete(plan, person, history):
        return refuse(TIER_INCOMPLETE)
    if latest_assessment_at is None:
        return refuse(ASSESSMENT_MISSING)
    if (as_date(today) - as_date(latest_assessment_at)).days > max_age_days:
        return refuse(ASSESSMENT_STALE)
    return ALLOWED
