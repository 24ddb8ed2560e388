"""Parse and check the plan's small sections: pages, tiers, tracks, groups, targets, scale, skill map."""

from __future__ import annotations

from dataclasses import dataclass

from bot.plan.model import (
    COLUMNS,
    DEPT_KINDS,
    TRACKS,
    CandidateGroup,
    Scale,
    ScaleLevel,
    SkillArea,
    SkillRow,
    Target,
    Tier,
    Track,
    column_for,
)
from bot.plan.nodes import Field

NEXT_TIER_RULES = ("completed_only",)  # 各研修修了者のみ次のステップの研修を受講
MAX_SCALE_LEVELS = 10  # Slack radio buttons hold at most 10 options
MAX_LABEL = 75  # Slack option text limit


@dataclass(frozen=True)
class Known:
    """What later sections may refer to: formats, pages, tiers, tracks and candidate groups."""

    formats: tuple[str, ...]
    pages: dict[str, str]
    tiers: dict[int, Tier]
    tracks: dict[str, Track]
    groups: dict[str, CandidateGroup]


def parse_formats(f: Field) -> tuple[str, ...]:
    """The delivery formats a course part may use."""
    values = tuple(v for _, v in f.texts())
    if not values:
        raise f.error("list at least one format")
    return values


def parse_pages(f: Field) -> dict[str, str]:
    """Page key -> page title."""
    pages = {key.ident(): value.text() for key, value in f.pairs()}
    if not pages:
        raise f.error("list at least one page")
    return pages


def parse_tracks(f: Field) -> dict[str, Track]:
    """The tier-3 tracks, keyed by key."""
    out: dict[str, Track] = {}
    for item in f.items():
        m = item.mapping(("key", "name_ja", "name_en", "dept_kinds"))
        key = m["key"].choice(TRACKS, "track")
        if key in out:
            raise m["key"].error(f"duplicate track {key!r}")
        kinds = tuple(k.choice(DEPT_KINDS, "dept_kind") for k, _ in m["dept_kinds"].texts())
        if not kinds:
            raise m["dept_kinds"].error("list at least one dept_kind")
        out[key] = Track(key, m["name_ja"].text(), m["name_en"].text(), kinds)
    return out


def parse_tiers(f: Field, tracks: dict[str, Track]) -> dict[int, Tier]:
    """The tiers 1..3 in order, each with its tracks."""
    out: dict[int, Tier] = {}
    used: set[str] = set()
    for item in f.items():
        m = item.mapping(("level", "name_ja", "name_en", "role_ja", "career_ja"), ("tracks",))
        level = m["level"].integer()
        if level != len(out) + 1 or level > 3:
            raise m["level"].error(
                f"tier levels must be 1, 2, 3 in order; expected {len(out) + 1}, found {level}")
        tier_tracks: list[str] = []
        for t, _ in m["tracks"].texts() if "tracks" in m else []:
            key = t.choice(tracks, "track")
            if key in used:
                raise t.error(f"track {key!r} already belongs to another tier")
            used.add(key)
            tier_tracks.append(key)
        text = {k: m[k].text() for k in ("name_ja", "name_en", "role_ja", "career_ja")}
        out[level] = Tier(level, text["name_ja"], text["name_en"], text["role_ja"], text["career_ja"],
                           tuple(tier_tracks))
    if not out:
        raise f.error("list at least one tier")
    return out


def parse_tier_ref(f: Field, tiers: dict[int, Tier]) -> int:
    """A tier level that must exist."""
    level = f.integer()
    if level not in tiers:
        raise f.error(f"unknown tier {level} (known: {', '.join(map(str, tiers))})")
    return level


def parse_groups(f: Field, tiers: dict[int, Tier]) -> dict[str, CandidateGroup]:
    """The candidate groups, keyed by key."""
    out: dict[str, CandidateGroup] = {}
    for item in f.items():
        m = item.mapping(("key", "name_ja", "name_en", "tier"))
        key = m["key"].ident()
        if key in out:
            raise m["key"].error(f"duplicate candidate group {key!r}")
        tier = parse_tier_ref(m["tier"], tiers)
        out[key] = CandidateGroup(key, m["name_ja"].text(), m["name_en"].text(), tier)
    return out


def parse_targets(f: Field, tiers: dict[int, Tier]) -> tuple[Target, ...]:
    """Headcount targets per tier."""
    out: list[Target] = []
    for item in f.items():
        m = item.mapping(("tier", "headcount", "fiscal_year"))
        tier = parse_tier_ref(m["tier"], tiers)
        if tier in {t.tier for t in out}:
            raise m["tier"].error(f"tier {tier} already has a target")
        out.append(Target(tier, m["headcount"].integer(minimum=0), m["fiscal_year"].integer(minimum=1)))
    return tuple(out)


def parse_scale(f: Field) -> Scale:
    """The self-assessment scale: values 1..n in order, short labels, meets_at among the values."""
    m = f.mapping(("levels", "meets_at"))
    levels: list[ScaleLevel] = []
    for item in m["levels"].items():
        lm = item.mapping(("value", "ja", "en"))
        value = lm["value"].integer()
        if value != len(levels) + 1:
            raise lm["value"].error(
                f"scale values must be 1, 2, 3… in order; expected {len(levels) + 1}, found {value}")
        for lang in ("ja", "en"):
            if len(label := lm[lang].text()) > MAX_LABEL:
                raise lm[lang].error(
                    f"label is {len(label)} characters; at most {MAX_LABEL} fit a Slack option")
        levels.append(ScaleLevel(value, lm["ja"].text(), lm["en"].text()))
    if not 2 <= len(levels) <= MAX_SCALE_LEVELS:
        raise m["levels"].error(f"a scale needs 2 to {MAX_SCALE_LEVELS} levels, found {len(levels)}")
    meets_at = m["meets_at"].integer()
    if meets_at not in {lv.value for lv in levels}:
        raise m["meets_at"].error(f"meets_at {meets_at} is not a scale value (1..{len(levels)})")
    return Scale(tuple(levels), meets_at)


def known_columns(tiers: dict[int, Tier]) -> tuple[str, ...]:
    """The skill-map columns the tiers and tracks define, in the plan's column order."""
    cols = {column_for(t.level, k) for t in tiers.values() for k in (t.tracks or (None,))}
    return tuple(c for c in COLUMNS if c in cols)


def _parse_row(
    f: Field, area: str, category: str, level: int, columns: tuple[str, ...]
) -> tuple[SkillRow, Field]:
    """One skill-map row (its level must be the next in its area) and the field of its number."""
    m = f.mapping(("row", "page", "level", "name", "descriptor", "columns"))
    found = m["level"].integer()
    if found != level:
        raise m["level"].error(
            f"levels of an area must be 1, 2, 3… in order; expected {level}, found {found}")
    marks = frozenset(c.choice(columns, "column") for c, _ in m["columns"].texts())
    if not marks:
        raise m["columns"].error("mark at least one column")
    row = SkillRow(row=m["row"].integer(minimum=1), page=m["page"].integer(minimum=1), category=category,
                   name=m["name"].text(), descriptor=m["descriptor"].text(), columns=marks, area=area,
                   level=level)
    return row, m["row"]


def _parse_area(f: Field, columns: tuple[str, ...]) -> tuple[SkillArea, list[tuple[int, Field]], Field]:
    """One skill area, its row numbers with their fields, and the field of its key."""
    m = f.mapping(("key", "category", "name_ja", "name_en", "rows"))
    key, category = m["key"].ident(), m["category"].text()
    items = m["rows"].items()
    if not items:
        raise m["rows"].error("an area needs at least one row")
    parsed = [_parse_row(item, key, category, i, columns) for i, item in enumerate(items, start=1)]
    area = SkillArea(key, category, m["name_ja"].text(), m["name_en"].text(), tuple(r for r, _ in parsed))
    return area, [(r.row, rf) for r, rf in parsed], m["key"]


def parse_skill_areas(f: Field, tiers: dict[int, Tier]) -> tuple[SkillArea, ...]:
    """The skill map: areas with graded rows; row numbers unique and contiguous from 1."""
    columns = known_columns(tiers)
    areas: list[SkillArea] = []
    numbers: list[tuple[int, Field]] = []
    for item in f.items():
        area, row_numbers, key_field = _parse_area(item, columns)
        if area.key in {a.key for a in areas}:
            raise key_field.error(f"duplicate skill area {area.key!r}")
        areas.append(area)
        numbers.extend(row_numbers)
    if not areas:
        raise f.error("list at least one skill area")
    _check_row_numbers(numbers)
    return tuple(areas)


def _check_row_numbers(numbers: list[tuple[int, Field]]) -> None:
    """Row numbers must be unique and run 1..N without gaps."""
    seen: dict[int, Field] = {}
    for number, f in numbers:
        if number in seen:
            raise f.error(f"row {number} is already used at line {seen[number].line}")
        seen[number] = f
    for expected, number in enumerate(sorted(seen), start=1):
        if number != expected:
            raise seen[number].error(
                f"row numbers must run 1..{len(seen)} without gaps; row {expected} is missing")
