"""Parse and check the course catalog and the requirements that refer to it."""

from __future__ import annotations

from dataclasses import replace

from bot.plan.model import DEPT_KINDS, Course, CourseSource, Delivery, Part, Path, RequirementGroup
from bot.plan.nodes import Field
from bot.plan.sections import Known, parse_tier_ref

_COURSE_KEYS = ("id", "name", "tier", "dept_kind", "deliveries", "sources")
_COURSE_OPTIONAL = ("aliases", "group", "track", "note")
_REQ_KEYS = ("key", "tier", "dept_kind", "paths")
_REQ_OPTIONAL = ("track", "group", "label_ja", "label_en", "source_page")


def parse_part(f: Field, known: Known) -> Part:
    """One part of a delivery: a format and `hours`, `hours_min`+`hours_max`, `days` or nothing."""
    m = f.mapping(("format",), ("hours", "hours_min", "hours_max", "days"))
    fmt = m["format"].choice(known.formats, "format")
    lengths = [k for k in ("hours", "hours_min", "days") if k in m]
    if len(lengths) > 1:
        raise m[lengths[1]].error(
            f"give only one of hours, hours_min/hours_max, days (found {lengths[0]} too)")
    if "hours" in m:
        if "hours_max" in m:
            raise m["hours_max"].error("hours_max goes with hours_min, not with hours")
        hours = m["hours"].number()
        return Part(fmt, hours, hours)
    if "hours_min" in m or "hours_max" in m:
        return _parse_range(f, m, fmt)
    return Part(fmt, days=m["days"].integer(minimum=1) if "days" in m else None)


def _parse_range(f: Field, m: dict[str, Field], fmt: str) -> Part:
    """A part with an hour range; both ends are required and min <= max."""
    for key in ("hours_min", "hours_max"):
        if key not in m:
            raise f.missing(key)
    low, high = m["hours_min"].number(), m["hours_max"].number()
    if low > high:
        raise m["hours_min"].error(f"hours_min {low:g} is greater than hours_max {high:g}")
    return Part(fmt, low, high)


def parse_delivery(f: Field, known: Known) -> Delivery:
    """One way to take a course: its parts, taken together."""
    items = f.mapping(("parts",))["parts"].items()
    if not items:
        raise f.error("a delivery needs at least one part")
    return Delivery(tuple(parse_part(item, known) for item in items))


def delivery_hours(d: Delivery, hours_per_day: float) -> tuple[float, float] | None:
    """Total (min, max) hours of a delivery; None when a part gives no length."""
    low = high = 0.0
    for p in d.parts:
        if p.days is not None:
            low, high = low + p.days * hours_per_day, high + p.days * hours_per_day
        elif p.hours_min is None or p.hours_max is None:
            return None
        else:
            low, high = low + p.hours_min, high + p.hours_max
    return low, high


def course_hours(deliveries: tuple[Delivery, ...], hours_per_day: float) -> tuple[float | None, float | None]:
    """(min, max) hours over all deliveries; (None, None) when any delivery lacks hours or there is none."""
    ranges = [delivery_hours(d, hours_per_day) for d in deliveries]
    if not ranges or any(r is None for r in ranges):
        return None, None
    return min(r[0] for r in ranges if r), max(r[1] for r in ranges if r)


def _parse_sources(f: Field, known: Known) -> tuple[CourseSource, ...]:
    """Where a course is printed: page keys and the items as written."""
    out = []
    for item in f.items():
        m = item.mapping(("page", "as_written"))
        out.append(CourseSource(m["page"].choice(known.pages, "page"), m["as_written"].text()))
    if not out:
        raise f.error("a course needs at least one source")
    return tuple(out)


def _parse_scope(
    m: dict[str, Field], tier: int, dept_kind: str, known: Known
) -> tuple[str | None, str | None]:
    """The optional (track, group) of a course or requirement, checked against its tier and dept_kind."""
    track = group = None
    if "track" in m:
        track = m["track"].choice(known.tiers[tier].tracks, f"track for tier {tier}")
        if dept_kind not in known.tracks[track].dept_kinds:
            raise m["track"].error(f"track {track!r} does not exist in dept_kind {dept_kind!r}")
    if "group" in m:
        group = m["group"].choice(known.groups, "candidate group")
        if known.groups[group].tier != tier:
            raise m["group"].error(f"candidate group {group!r} belongs to tier {known.groups[group].tier}")
    return track, group


def parse_course(f: Field, known: Known, hours_per_day: float) -> Course:
    """One catalog entry, with hours computed from its deliveries."""
    m = f.mapping(_COURSE_KEYS, _COURSE_OPTIONAL)
    tier = parse_tier_ref(m["tier"], known.tiers)
    dept_kind = m["dept_kind"].choice(DEPT_KINDS, "dept_kind")
    track, group = _parse_scope(m, tier, dept_kind, known)
    deliveries = tuple(parse_delivery(item, known) for item in m["deliveries"].items())
    name = m["name"].text()
    aliases = tuple(v for _, v in m["aliases"].texts()) if "aliases" in m else ()
    if name in aliases:
        raise m["aliases"].error(f"alias {name!r} repeats the name")
    low, high = course_hours(deliveries, hours_per_day)
    return Course(id=m["id"].ident(), name=name, tier=tier, dept_kind=dept_kind, deliveries=deliveries,
                  sources=_parse_sources(m["sources"], known), group=group, track=track, aliases=aliases,
                  note=m["note"].text(allow_empty=True) if "note" in m else "", hours_min=low, hours_max=high)


def parse_courses(f: Field, known: Known, hours_per_day: float) -> dict[str, Course]:
    """The catalog by id; ids are unique, and so are names and aliases within a tier."""
    out: dict[str, Course] = {}
    spellings: dict[tuple[int, str], str] = {}
    for item in f.items():
        course = parse_course(item, known, hours_per_day)
        m = item.mapping(_COURSE_KEYS, _COURSE_OPTIONAL)
        if course.id in out:
            raise m["id"].error(f"duplicate course id {course.id!r}")
        for spelling in (course.name, *course.aliases):
            other = spellings.setdefault((course.tier, spelling), course.id)
            if other != course.id:
                where = m["name"] if spelling == course.name else m["aliases"]
                raise where.error(f"tier {course.tier} already has a course named {spelling!r} ({other})")
        out[course.id] = course
    return out


def _check_course_ref(f: Field, req: RequirementGroup, courses: dict[str, Course]) -> str:
    """A course id in a requirement path: it exists, is in the same tier and in the requirement's scope."""
    cid = f.text()
    course = courses.get(cid)
    if course is None:
        raise f.error(f"unknown course {cid!r}")
    if course.tier != req.tier:
        raise f.error(
            f"course {cid!r} is a tier-{course.tier} course; this requirement is for tier {req.tier}")
    if course.dept_kind == "digital" and req.dept_kind != "digital":
        raise f.error(f"course {cid!r} is for digital departments; this requirement is for {req.dept_kind}")
    if course.track is not None and course.track != req.track:
        raise f.error(
            f"course {cid!r} is for track {course.track!r}; this requirement is for track {req.track!r}")
    if course.group is not None and req.group is None:
        raise f.error(f"course {cid!r} is only for candidate group {course.group!r}")
    return cid


def _parse_path(f: Field, req: RequirementGroup, courses: dict[str, Course]) -> Path:
    """One path of a requirement group: courses that together satisfy it."""
    m = f.mapping(("key", "label_ja", "label_en", "courses"), ("alternative",))
    ids = [_check_course_ref(item, req, courses) for item, _ in m["courses"].texts()]
    if not ids:
        raise m["courses"].error("a path needs at least one course")
    return Path(m["key"].ident(), m["label_ja"].text(), m["label_en"].text(), tuple(ids),
                m["alternative"].flag() if "alternative" in m else False)


def parse_requirement(f: Field, known: Known, courses: dict[str, Course]) -> RequirementGroup:
    """One requirement group: any one of its paths satisfies it; at least one is not an alternative."""
    m = f.mapping(_REQ_KEYS, _REQ_OPTIONAL)
    tier = parse_tier_ref(m["tier"], known.tiers)
    dept_kind = m["dept_kind"].choice(DEPT_KINDS, "dept_kind")
    track, group = _parse_scope(m, tier, dept_kind, known)
    labels = {k: m[k].text() if k in m else "" for k in ("label_ja", "label_en")}
    page = m["source_page"].choice(known.pages, "page") if "source_page" in m else ""
    req = RequirementGroup(key=m["key"].ident(), tier=tier, dept_kind=dept_kind, paths=(), track=track,
                           group=group, label_ja=labels["label_ja"], label_en=labels["label_en"],
                           source_page=page)
    paths: list[Path] = []
    for item in m["paths"].items():
        path = _parse_path(item, req, courses)
        if path.key in {p.key for p in paths}:
            raise item.error(f"duplicate path key {path.key!r}")
        paths.append(path)
    if not any(not p.alternative for p in paths):
        raise m["paths"].error("a requirement needs at least one path that is not an alternative")
    return replace(req, paths=tuple(paths))


def parse_requirements(f: Field, known: Known, courses: dict[str, Course]) -> tuple[RequirementGroup, ...]:
    """All requirement groups; keys are unique."""
    out: list[RequirementGroup] = []
    for item in f.items():
        req = parse_requirement(item, known, courses)
        if req.key in {r.key for r in out}:
            raise item.error(f"duplicate requirement key {req.key!r}")
        out.append(req)
    return tuple(out)
