"""A person's requirement for a tier and their progress through it (pure functions)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import product
from math import prod

from bot.plan.model import Course, Path, Plan, RequirementGroup
from bot.rules_base import History, Person, course_min_hours, main_path, track_open_to

# Beyond this many combinations of open paths, each group's closest path is chosen on its own.
MAX_PATH_COMBINATIONS = 4096


@dataclass(frozen=True)
class GroupProgress:
    """One requirement group: satisfied or not, and the path that satisfied it (or is closest to)."""

    group: RequirementGroup
    satisfied: bool
    path: Path  # the first complete path, else the one closest to done (see _choose_paths)
    done: int  # courses of `path` done (completed, or stood for by a qualification)
    total: int  # courses of `path`
    missing: tuple[str, ...]  # course ids of `path` not done, in path order
    qualified: tuple[str, ...] = ()  # course ids of `path` done through a qualification (not completed)

    @property
    def via_alternative(self) -> bool:
        """Satisfied by an `or` path instead of the main list."""
        return self.satisfied and self.path.alternative


@dataclass(frozen=True)
class TierProgress:
    """A person's progress through the requirement of one tier."""

    tier: int
    groups: tuple[GroupProgress, ...]
    complete: bool
    courses_done: int  # over the reported paths, each course counted once (qualifications included)
    courses_total: int
    hours_done: float  # credited hours of completed courses on any path of the tier's groups
    hours_remaining: float  # hours_min of the missing courses of the reported paths
    unknown_hours_courses: int  # missing courses the plan gives no hours for (not in hours_remaining)
    qualified: tuple[str, ...] = ()  # course ids of the reported paths done through a qualification

    @property
    def via_alternative(self) -> tuple[str, ...]:
        """Keys of the groups satisfied by an alternative path."""
        return tuple(g.group.key for g in self.groups if g.via_alternative)


def requirement_groups(plan: Plan, person: Person, tier: int | None = None) -> tuple[RequirementGroup, ...]:
    """The requirement groups of a tier that apply to the person, in plan order."""
    level = person.tier if tier is None else tier
    return tuple(g for g in plan.requirements if g.tier == level and _applies(plan, person, g))


def _applies(plan: Plan, person: Person, group: RequirementGroup) -> bool:
    """Whether a group applies: 各部局 groups to all, デジタル関連部局 ones in addition; track; candidates."""
    return (
        group.dept_kind in ("general", person.dept_kind)
        and track_open_to(plan, person, group.track)
        and (group.group is None or group.group in person.groups)
    )


def courses_required(plan: Plan, person: Person, tier: int | None = None) -> tuple[Course, ...]:
    """The courses of the main paths of a tier's groups, each once, in plan order."""
    ids = _unique(cid for g in requirement_groups(plan, person, tier) for cid in main_path(g).courses)
    return tuple(plan.courses[cid] for cid in ids)


def is_tier_complete(plan: Plan, person: Person, history: History, tier: int | None = None) -> bool:
    """Whether every group of the tier is satisfied (a tier with no groups is complete)."""
    return all(_satisfied_by(g, history) is not None for g in requirement_groups(plan, person, tier))


def tier_progress(plan: Plan, person: Person, history: History, tier: int | None = None) -> TierProgress:
    """Per-group status, counts and hours of a person's progress through a tier."""
    level = person.tier if tier is None else tier
    groups = requirement_groups(plan, person, level)
    paths = _choose_paths(plan, groups, history)
    progress = tuple(_group_progress(g, p, history) for g, p in zip(groups, paths, strict=True))
    shown = _unique(cid for p in paths for cid in p.courses)
    missing = _unique(cid for gp in progress for cid in gp.missing)
    known, unknown = _missing_hours(plan, missing)
    return TierProgress(
        tier=level,
        groups=progress,
        complete=all(gp.satisfied for gp in progress),
        courses_done=sum(1 for cid in shown if history.is_done(cid)),
        courses_total=len(shown),
        hours_done=_hours_done(groups, history),
        hours_remaining=known,
        unknown_hours_courses=unknown,
        qualified=_unique(cid for gp in progress for cid in gp.qualified),
    )


def _group_progress(group: RequirementGroup, path: Path, history: History) -> GroupProgress:
    """The status of one group on its chosen path."""
    missing = tuple(cid for cid in path.courses if not history.is_done(cid))
    qualified = tuple(cid for cid in path.courses if cid in history.qualified and cid not in history.completed)
    total = len(path.courses)
    return GroupProgress(group, not missing, path, total - len(missing), total, missing, qualified)


def _satisfied_by(group: RequirementGroup, history: History) -> Path | None:
    """The first path of the group with every course done, if any."""
    return next((p for p in group.paths if all(history.is_done(c) for c in p.courses)), None)


def _choose_paths(plan: Plan, groups: Sequence[RequirementGroup], history: History) -> list[Path]:
    """Each group's reported path: its first complete path, else its path in the cheapest finish.

    Only paths in play count (see `_in_play`): a fresh person is shown the main list, not a cheaper
    `or` line they never chose. Open groups are chosen together so that a course shared by two groups
    is counted once. The cheapest finish (fewest known hours, then fewest unknown-hours courses, then
    fewest courses, then plan order) is a minimum over a set of paths that only grows, of costs that
    only fall, as courses are completed: hours_remaining never goes up.
    """
    empty = [g.key for g in groups if not g.paths]
    if empty:
        raise ValueError(f"requirement groups without paths: {empty}")
    chosen: list[Path | None] = [_satisfied_by(g, history) for g in groups]
    open_idx = [i for i, p in enumerate(chosen) if p is None]
    options = [_in_play(groups[i], history) for i in open_idx]
    if prod(len(o) for o in options) <= MAX_PATH_COMBINATIONS:
        best = min(product(*options), key=lambda combo: _cost(plan, combo, history))
    else:
        best = tuple(min(o, key=lambda p: _cost(plan, (p,), history)) for o in options)
    for i, path in zip(open_idx, best, strict=True):
        chosen[i] = path
    return [p for p in chosen if p is not None]


def _in_play(group: RequirementGroup, history: History) -> tuple[Path, ...]:
    """The group's main list, its other non-`or` paths, and any `or` path already started."""
    main = main_path(group)
    return tuple(
        p for p in group.paths
        if p is main or not p.alternative
        or any(history.is_done(c) or c in history.enrolled for c in p.courses)
    )


def _cost(plan: Plan, paths: Iterable[Path], history: History) -> tuple[float, int, int]:
    """What is left to do on these paths together: (known hours, unknown-hours courses, courses)."""
    missing = _unique(cid for p in paths for cid in p.courses if not history.is_done(cid))
    known, unknown = _missing_hours(plan, missing)
    return known, unknown, len(missing)


def _missing_hours(plan: Plan, course_ids: Iterable[str]) -> tuple[float, int]:
    """Sum of the known minimum hours of the courses, and how many have no hours."""
    known, unknown = 0.0, 0
    for cid in course_ids:
        hours = course_min_hours(plan, plan.courses[cid])
        if hours is None:
            unknown += 1
        else:
            known += hours
    return known, unknown


def _hours_done(groups: Iterable[RequirementGroup], history: History) -> float:
    """Credited hours of the completed courses that appear on any path of the groups (a course stood for
    by a qualification credits no hours)."""
    ids = _unique(cid for g in groups for p in g.paths for cid in p.courses)
    return sum((history.completed[cid] for cid in ids if cid in history.completed), 0.0)


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    """The items without repeats, first occurrence kept."""
    return tuple(dict.fromkeys(items))
