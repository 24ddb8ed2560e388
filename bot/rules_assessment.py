"""The gap between a self-assessment (自己評価シート) and the skill map's column for a tier (pure)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from bot.plan.model import Plan, SkillArea, SkillRow, column_for


@dataclass(frozen=True)
class GapRow:
    """One required skill row with the person's rating (None when unrated)."""

    row: SkillRow
    rating: int | None
    meets: bool  # rating >= plan.scale.meets_at


@dataclass(frozen=True)
class AreaGap:
    """One skill area required by the column: its required rows and how many are met."""

    area: SkillArea
    required_level: int
    rows: tuple[GapRow, ...]  # the area's rows with level <= required_level, by level
    met: int
    total: int
    reached_level: int  # highest level met together with every level below it; 0 if none

    @property
    def meets(self) -> bool:
        """Whether every required row of the area is met."""
        return self.met == self.total


@dataclass(frozen=True)
class Gap:
    """The self-assessment against one skill-map column."""

    column: str  # t1 | t2 | t3sys | t3digi
    rows: tuple[GapRow, ...]  # every required row, in skill-map order
    areas: tuple[AreaGap, ...]  # required areas, in plan order
    met: int
    total: int
    unrated: int

    @property
    def complete(self) -> bool:
        """Whether every required row is met."""
        return self.met == self.total


def assessment_gap(plan: Plan, ratings: Mapping[int, int], tier: int, track: str | None) -> Gap:
    """Compare ratings (skill row number -> scale value) with the column of the tier and track.

    Raises ValueError for a rating outside the scale or a row number the skill map does not have.
    """
    _check_ratings(plan, ratings)
    column = column_for(tier, track)
    areas = tuple(
        _area_gap(plan, area, area.required_level(column), ratings)
        for area in plan.skill_areas
        if area.required_level(column) > 0
    )
    rows = tuple(sorted((r for a in areas for r in a.rows), key=lambda r: r.row.row))
    met = sum(1 for r in rows if r.meets)
    unrated = sum(1 for r in rows if r.rating is None)
    return Gap(column, rows, areas, met, len(rows), unrated)


def _check_ratings(plan: Plan, ratings: Mapping[int, int]) -> None:
    """Reject ratings of unknown rows and values outside the scale."""
    rows = {r.row for r in plan.skill_rows}
    values = {lv.value for lv in plan.scale.levels}
    unknown = sorted(set(ratings) - rows)
    if unknown:
        raise ValueError(f"ratings for rows not in the skill map: {unknown}")
    bad = sorted(row for row, value in ratings.items() if value not in values)
    if bad:
        raise ValueError(f"ratings outside the scale {sorted(values)} for rows {bad}")


def _area_gap(plan: Plan, area: SkillArea, required: int, ratings: Mapping[int, int]) -> AreaGap:
    """The required rows of one area (levels 1..required) and how they are met."""
    rows = tuple(
        _gap_row(r, ratings.get(r.row), plan.scale.meets_at)
        for r in sorted(area.rows, key=lambda r: r.level)
        if r.level <= required
    )
    met = sum(1 for r in rows if r.meets)
    return AreaGap(area, required, rows, met, len(rows), _reached_level(rows))


def _gap_row(row: SkillRow, rating: int | None, meets_at: int) -> GapRow:
    """A required row with its rating."""
    return GapRow(row, rating, rating is not None and rating >= meets_at)


def _reached_level(rows: tuple[GapRow, ...]) -> int:
    """The highest level whose rows, and those of every level below, all meet."""
    reached = 0
    for level in sorted({r.row.level for r in rows}):
        if not all(r.meets for r in rows if r.row.level == level):
            break
        reached = level
    return reached
