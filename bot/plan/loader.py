"""Load the plan from YAML with strict, line-numbered validation; export it as JSON-ready data."""

from __future__ import annotations

import os
import threading
from dataclasses import fields, is_dataclass
from pathlib import Path
from typing import Any

import yaml

from bot.plan.catalog import parse_courses, parse_requirements
from bot.plan.extras import parse_onjt, parse_qualifications
from bot.plan.model import COLUMNS, OnJT, Plan
from bot.plan.nodes import Field, PlanError
from bot.plan.sections import (
    NEXT_TIER_RULES,
    Known,
    parse_formats,
    parse_groups,
    parse_pages,
    parse_scale,
    parse_skill_areas,
    parse_targets,
    parse_tiers,
    parse_tracks,
)

DEFAULT_PLAN = Path(__file__).with_name("toyonaka.yaml")
ROOT_KEYS = ("name", "source", "hours_per_day", "next_tier_rule", "formats", "pages", "tiers", "tracks",
             "skill_areas", "scale", "candidate_groups", "targets", "courses", "requirements")
OPTIONAL_KEYS = ("qualifications", "onjt")  # another city's plan may leave them out

# libyaml when present (10x faster); its nodes carry the same line marks as the pure-Python loader's.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_cache: dict[Path, tuple[tuple[int, int], Plan]] = {}
_lock = threading.Lock()


def load_plan(path: str | os.PathLike[str] | None = None) -> Plan:
    """The plan in `path` (None: the bundled toyonaka.yaml); cached until the file changes."""
    shown = os.fspath(path) if path is not None else str(DEFAULT_PLAN)
    resolved = Path(shown).resolve()
    try:
        st = resolved.stat()
    except OSError as exc:
        raise PlanError(shown, None, None, f"cannot read the plan file: {exc.strerror}") from exc
    stamp = (st.st_mtime_ns, st.st_size)
    with _lock:
        hit = _cache.get(resolved)
        if hit is not None and hit[0] == stamp:
            return hit[1]
    plan = parse_plan(_read(resolved, shown), shown)
    with _lock:
        _cache[resolved] = (stamp, plan)
    return plan


def clear_cache() -> None:
    """Forget every cached plan (tests, or after editing a file within the mtime resolution)."""
    with _lock:
        _cache.clear()


def _read(path: Path, shown: str) -> str:
    """The file's text (UTF-8, with or without BOM)."""
    try:
        return path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise PlanError(shown, None, None, f"cannot read the plan file: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise PlanError(shown, None, None, f"not UTF-8 text (byte {exc.start})") from exc


def _compose(text: str, shown: str) -> yaml.Node:
    """The YAML node tree of one document; syntax errors become PlanError."""
    try:
        root = yaml.compose(text, Loader=_LOADER)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        raise PlanError(shown, line, None, f"YAML syntax: {exc.problem or exc.context}") from exc
    if root is None:
        raise PlanError(shown, None, None, "the plan file is empty")
    return root


def parse_plan(text: str, file: str = "<plan>") -> Plan:
    """Parse and validate plan YAML text; `file` names it in error messages."""
    m = Field(file, _compose(text, file), "").mapping(ROOT_KEYS, OPTIONAL_KEYS)
    tracks = parse_tracks(m["tracks"])
    tiers = parse_tiers(m["tiers"], tracks)
    for key, track in tracks.items():
        if not any(key in t.tracks for t in tiers.values()):
            raise m["tracks"].error(f"track {track.key!r} belongs to no tier")
    known = Known(formats=parse_formats(m["formats"]), pages=parse_pages(m["pages"]), tiers=tiers,
                  tracks=tracks, groups=parse_groups(m["candidate_groups"], tiers))
    hours_per_day = m["hours_per_day"].number()
    courses = parse_courses(m["courses"], known, hours_per_day)
    skill_areas = parse_skill_areas(m["skill_areas"], tiers)
    rows = {r.row for a in skill_areas for r in a.rows}
    return Plan(
        name=m["name"].text(),
        source=m["source"].text(),
        pages=known.pages,
        tiers=tuple(tiers.values()),
        tracks=tuple(tracks.values()),
        skill_areas=skill_areas,
        scale=parse_scale(m["scale"]),
        courses=courses,
        requirements=parse_requirements(m["requirements"], known, courses),
        candidate_groups=tuple(known.groups.values()),
        targets=parse_targets(m["targets"], tiers),
        hours_per_day=hours_per_day,
        next_tier_rule=m["next_tier_rule"].choice(NEXT_TIER_RULES, "next_tier_rule"),
        formats=known.formats,
        qualifications=parse_qualifications(m["qualifications"], courses, rows) if "qualifications" in m else (),
        onjt=parse_onjt(m["onjt"], known, rows) if "onjt" in m else OnJT(),
    )


def _jsonable(value: Any) -> Any:
    """Dataclasses, dicts, tuples and sets as plain JSON values (sets in skill-map column order)."""
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _jsonable(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, frozenset | set):
        order = {c: i for i, c in enumerate(COLUMNS)}
        return sorted(value, key=lambda v: (order.get(v, len(order)), str(v)))
    if isinstance(value, tuple | list):
        return [_jsonable(v) for v in value]
    return value


def plan_to_dict(plan: Plan) -> dict[str, Any]:
    """The whole plan as JSON-ready data in a stable order, with computed hours and required levels."""
    out: dict[str, Any] = _jsonable(plan)
    out["courses"] = [_jsonable(c) for c in plan.courses.values()]
    for area, data in zip(plan.skill_areas, out["skill_areas"], strict=True):
        data["required_levels"] = {c: area.required_level(c) for c in COLUMNS}
    return out
