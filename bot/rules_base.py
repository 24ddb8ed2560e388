"""The inputs of the plan's rules (a person, their history) and small helpers shared by the rules."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from types import MappingProxyType

from bot.plan.model import DEPT_KINDS, TRACKS, Course, Part, Path, Plan, RequirementGroup

# Eligibility reason codes (the i18n catalog turns them into prose).
ALREADY_COMPLETED = "already_completed"
ALREADY_QUALIFIED = "already_qualified"  # a qualification the person holds stands for the course
ALREADY_ENROLLED = "already_enrolled"
DIGITAL_DEPT_ONLY = "digital_dept_only"
CANDIDATE_GROUP_ONLY = "candidate_group_only"
TRACK_ONLY = "track_only"
ABOVE_NEXT_TIER = "above_next_tier"
LOCKED_PREVIOUS_TIER_INCOMPLETE = "locked_previous_tier_incomplete"
ELIGIBILITY_REASONS: tuple[str, ...] = (
    ALREADY_COMPLETED, ALREADY_QUALIFIED, ALREADY_ENROLLED, DIGITAL_DEPT_ONLY, CANDIDATE_GROUP_ONLY, TRACK_ONLY,
    ABOVE_NEXT_TIER, LOCKED_PREVIOUS_TIER_INCOMPLETE,
)

# Step-up reason codes.
TOP_TIER = "top_tier"
TIER_INCOMPLETE = "tier_incomplete"
ASSESSMENT_MISSING = "assessment_missing"
ASSESSMENT_STALE = "assessment_stale"
STEP_UP_REASONS: tuple[str, ...] = (TOP_TIER, TIER_INCOMPLETE, ASSESSMENT_MISSING, ASSESSMENT_STALE)

COMPLETED_ONLY = "completed_only"  # Plan.next_tier_rule: 各研修修了者のみ次のステップの研修を受講


@dataclass(frozen=True)
class Person:
    """Who the rules are about: tier, tier-3 track, department kind and candidate groups."""

    tier: int
    track: str | None  # "sys" | "digi"; None = not chosen (tiers 1-2)
    dept_kind: str  # "general" (各部局) | "digital" (デジタル関連部局)
    groups: frozenset[str] = frozenset()  # candidate group keys, e.g. "ict-candidate"

    def __post_init__(self) -> None:
        if isinstance(self.tier, bool) or not isinstance(self.tier, int) or self.tier < 1:
            raise ValueError(f"tier must be a positive int, not {self.tier!r}")
        if self.track is not None and self.track not in TRACKS:
            raise ValueError(f"unknown track {self.track!r}")
        if self.dept_kind not in DEPT_KINDS:
            raise ValueError(f"unknown dept_kind {self.dept_kind!r}")
        object.__setattr__(self, "groups", frozenset(self.groups))


@dataclass(frozen=True)
class History:
    """A person's training record: completed course id -> hours credited, courses in progress, and the
    courses their qualifications stand for (see rules_qualifications.qualified_courses)."""

    completed: Mapping[str, float] = field(default_factory=dict)
    enrolled: frozenset[str] = frozenset()  # 受講中; a completed course is never also enrolled
    # Done through a qualification: counted as done, never as hours. A course started before the
    # qualification was obtained stays enrolled (the person may still finish it and report it).
    qualified: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        done = MappingProxyType(dict(self.completed))
        object.__setattr__(self, "completed", done)
        object.__setattr__(self, "qualified", frozenset(self.qualified))
        object.__setattr__(self, "enrolled", frozenset(self.enrolled).difference(done))

    def __hash__(self) -> int:
        """Hash by content, so that equal histories can key a cache."""
        return hash((frozenset(self.completed.items()), self.enrolled, self.qualified))

    def is_done(self, course_id: str) -> bool:
        """Completed, or stood for by a qualification the person holds."""
        return course_id in self.completed or course_id in self.qualified

    def with_completed(self, course_id: str, hours: float) -> History:
        """A copy with one more completed course (no longer enrolled)."""
        return History({**self.completed, course_id: hours}, self.enrolled - {course_id}, self.qualified)


@dataclass(frozen=True)
class Eligibility:
    """The answer of a rule: allowed, or not with a reason code."""

    allowed: bool
    reason: str | None = None


ALLOWED = Eligibility(True)


def refuse(reason: str) -> Eligibility:
    """A refusal with a reason code."""
    return Eligibility(False, reason)


def as_date(value: date) -> date:
    """The calendar date of a date or datetime (convert a datetime to the bot's timezone first)."""
    return value.date() if isinstance(value, datetime) else value


def top_tier(plan: Plan) -> int:
    """The highest tier level of the plan."""
    return max(t.level for t in plan.tiers)


def track_open_to(plan: Plan, person: Person, track: str | None) -> bool:
    """Whether something restricted to `track` is open to the person.

    A person with a track needs the same track; a person who has not chosen one (tiers 1-2 looking
    ahead) may see any track that exists in their kind of department (シス: デジタル関連部局 only).
    """
    if track is None:
        return True
    if person.track is not None:
        return person.track == track
    try:
        return person.dept_kind in plan.track(track).dept_kinds
    except KeyError:
        return False


def main_path(group: RequirementGroup) -> Path:
    """The group's main list: its first path that is not an `or` alternative."""
    return next((p for p in group.paths if not p.alternative), group.paths[0])


def course_min_hours(plan: Plan, course: Course) -> float | None:
    """The fewest hours the course takes, or None when the plan gives no hours."""
    if course.hours_min is not None:
        return course.hours_min
    options = [h for h in (_delivery_hours(plan, d.parts) for d in course.deliveries) if h is not None]
    return min(options, default=None)


def _delivery_hours(plan: Plan, parts: Iterable[Part]) -> float | None:
    """Hours of one delivery (days count as plan.hours_per_day); None if any part is unknown."""
    total = 0.0
    for part in parts:
        if part.hours_min is not None:
            total += part.hours_min
        elif part.days is not None:
            total += part.days * plan.hours_per_day
        else:
            return None
    return total


def validate_person(plan: Plan, person: Person) -> list[tuple[str, str]]:
    """Problems of a person's profile against the plan, as (field, code) pairs."""
    problems: list[tuple[str, str]] = []
    if person.tier not in {t.level for t in plan.tiers}:
        problems.append(("tier", "unknown"))
    elif plan.tier(person.tier).tracks and person.track is None:
        problems.append(("track", "required"))
    if person.track is not None and not track_open_to(plan, _without_track(person), person.track):
        problems.append(("track", "not_in_dept"))
    if person.groups - {g.key for g in plan.candidate_groups}:
        problems.append(("groups", "unknown"))
    return problems


def _without_track(person: Person) -> Person:
    """The same person with no track chosen."""
    return Person(person.tier, None, person.dept_kind, person.groups)
