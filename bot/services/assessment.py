"""The self-assessment sheet (自己評価シート): which rows to ask, and storing a submitted sheet."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from bot.plan import Plan, SkillRow
from bot.plan.model import column_for
from bot.services.deps import Deps, UserError
from bot.services.training import audit
from storage import people
from storage.models import SelfAssessment, Staff

PURPOSES = ("step_up", "community")


@dataclass(frozen=True)
class SheetTarget:
    """What a sheet is measured against: the target tier and track."""

    tier: int
    track: str | None


def default_target(plan: Plan, staff: Staff) -> SheetTarget:
    """The next tier (or the top one); tier 3 keeps the person's track, else the open one."""
    top = max(t.level for t in plan.tiers)
    tier = min(staff.tier + 1, top)
    track = (staff.track or "digi") if tier == 3 else None
    return SheetTarget(tier, track)


def rows_for(plan: Plan, target: SheetTarget) -> tuple[SkillRow, ...]:
    """The skill rows that matter for the target: those marked ● in its column."""
    column = column_for(target.tier, target.track)
    return tuple(r for r in plan.skill_rows if column in r.columns)


def steps_for(plan: Plan, target: SheetTarget, per_step: int = 12) -> tuple[tuple[SkillRow, ...], ...]:
    """The rows split into modal steps by category, each small enough for Slack's 100-block limit."""
    steps: list[tuple[SkillRow, ...]] = []
    current: list[SkillRow] = []
    for row in rows_for(plan, target):
        if current and (row.category != current[-1].category or len(current) >= per_step):
            steps.append(tuple(current))
            current = []
        current.append(row)
    if current:
        steps.append(tuple(current))
    return tuple(steps)


def submit(deps: Deps, session: Session, staff: Staff, purpose: str, target: SheetTarget,
           ratings: dict[int, int]) -> SelfAssessment:
    """Store a complete sheet: every row of the target rated 1..4; nothing stored otherwise."""
    if purpose not in PURPOSES:
        raise UserError("error_bad_input")
    wanted = {r.row for r in rows_for(deps.plan, target)}
    values = {lv.value for lv in deps.plan.scale.levels}
    if set(ratings) != wanted or any(v not in values for v in ratings.values()):
        raise UserError("error_sheet_incomplete")
    assert staff.id is not None
    sheet = people.add_sheet(session, staff.id, purpose, target.tier, target.track, ratings, deps.now())
    audit(session, deps, staff, "self_assessment", staff.id, purpose=purpose, tier=target.tier)
    session.commit()
    return sheet
