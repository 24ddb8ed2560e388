"""Small hand-built plans for testing the rules independently of the city's data file."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from bot.plan.model import (
    CandidateGroup,
    Course,
    CourseSource,
    Delivery,
    Part,
    Path,
    Plan,
    RequirementGroup,
    Scale,
    ScaleLevel,
    SkillArea,
    SkillRow,
    Tier,
    Track,
)

SYS_OPS = "sys_ops_lead_candidate"
ICT = "ict_candidate"
HOURS_PER_DAY = 7.75

TIERS = (
    Tier(1, "全職員", "All staff", "デジタル活用の理解者", "1～2年目"),
    Tier(2, "実行する職員", "Practitioners", "デジタル活用の主担当者", "2～4年目"),
    Tier(3, "主導・推進する職員", "Leaders", "デジタル活用の推進者", "4年目以降", ("sys", "digi")),
)
TRACKS = (
    Track("sys", "主導する職員/シス", "Leaders (systems)", ("digital",)),
    Track("digi", "主導する職員/デジ", "Leaders (digital)", ("general", "digital")),
)
SCALE = Scale(
    levels=tuple(ScaleLevel(v, f"レベル{v}", f"level {v}") for v in (1, 2, 3, 4)),
    meets_at=3,
)


def course(
    cid: str,
    tier: int,
    hours: float | None = 2.0,
    *,
    hours_max: float | None = None,
    dept_kind: str = "general",
    group: str | None = None,
    track: str | None = None,
    days: int | None = None,
) -> Course:
    """A course; `hours=None` (and no days) means the plan gives no hours."""
    part = Part("動画", hours, hours_max if hours_max is not None else hours, days)
    if days is not None and hours is None:
        low: float | None = days * HOURS_PER_DAY
        high = low
    else:
        low, high = hours, (hours_max if hours_max is not None else hours)
    return Course(
        id=cid, name=f"研修{cid}", tier=tier, dept_kind=dept_kind, deliveries=(Delivery((part,)),),
        sources=(CourseSource("test", cid),), group=group, track=track, hours_min=low, hours_max=high,
    )


def path(key: str, *course_ids: str, alternative: bool = False) -> Path:
    """A path through a requirement group."""
    return Path(key, key, key, tuple(course_ids), alternative)


def req(
    key: str,
    tier: int,
    *paths: Path,
    dept_kind: str = "general",
    track: str | None = None,
    group: str | None = None,
) -> RequirementGroup:
    """A requirement group."""
    return RequirementGroup(key, tier, dept_kind, tuple(paths), track, group, key, key, "test")


def area(key: str, first_row: int, levels: Sequence[Iterable[str]]) -> SkillArea:
    """A skill area whose level i (1-based) is marked ● in the columns levels[i-1]."""
    rows = tuple(
        SkillRow(first_row + i, 1, "IT", f"{key}{i + 1}", f"{key} level {i + 1}", frozenset(cols), key, i + 1)
        for i, cols in enumerate(levels)
    )
    return SkillArea(key, "IT", key, key, rows)


def make_plan(
    courses: Iterable[Course],
    requirements: Iterable[RequirementGroup],
    skill_areas: Iterable[SkillArea] = (),
    next_tier_rule: str = "completed_only",
) -> Plan:
    """A plan with the city's tiers, tracks and scale and the given catalog and requirements."""
    return Plan(
        name="test plan", source="tests", pages={"test": "test"}, tiers=TIERS, tracks=TRACKS,
        skill_areas=tuple(skill_areas), scale=SCALE, courses={c.id: c for c in courses},
        requirements=tuple(requirements),
        candidate_groups=(CandidateGroup(SYS_OPS, "【システム運用等主導・推進候補者】", "sys ops", 2),
                          CandidateGroup(ICT, "【ICT人材候補者】", "ICT", 2)),
        targets=(), hours_per_day=HOURS_PER_DAY, next_tier_rule=next_tier_rule,
    )


ALL = ("t1", "t2", "t3sys", "t3digi")
UP = ("t2", "t3sys", "t3digi")

MINI_COURSES = (
    # tier 1: c1c has no hours (like UI/UXデザイン初級（動画）)
    course("c1a", 1, 2), course("c1b", 1, 3), course("c1c", 1, None),
    course("c1d", 1, 3, dept_kind="digital"),
    # tier 2: main list or the 50 h literacy course; a range course; extras for digital depts
    course("c2a", 2, 2), course("c2b", 2, 4), course("c2c", 2, 1, hours_max=2), course("c2lit", 2, 50),
    course("c2jichi", 2, None, dept_kind="digital"),
    course("c2ops", 2, 4, dept_kind="digital", group=SYS_OPS),
    course("c2elective", 2, 1),
    # tier 3: general list (15 h) or a 20 h exam course; sys-track extras; one digi-track course
    course("c3pm", 3, 5), course("c3sh", 3, 10), course("c3ipa", 3, 20),
    course("c3cloud", 3, 10, dept_kind="digital", track="sys"),
    course("c3lan", 3, 5, dept_kind="digital", track="sys"),
    course("c3ipadb", 3, 30, dept_kind="digital", track="sys"),
    course("c3ds", 3, 4, track="digi"),
)
MINI_REQUIREMENTS = (
    req("t1", 1, path("main", "c1a", "c1b", "c1c")),
    req("t1_digital", 1, path("main", "c1d"), dept_kind="digital"),
    req("t2", 2, path("main", "c2a", "c2b", "c2c"), path("literacy", "c2lit", alternative=True)),
    req("t2_digital", 2, path("main", "c2jichi"), dept_kind="digital"),
    req("t2_sys_ops", 2, path("main", "c2ops"), dept_kind="digital", group=SYS_OPS),
    req("t3", 3, path("main", "c3pm", "c3sh"), path("ipa", "c3ipa", alternative=True)),
    req("t3_sys", 3, path("main", "c3cloud", "c3lan"), path("ipadb", "c3ipadb", alternative=True),
        dept_kind="digital", track="sys"),
    req("t3_digi", 3, path("main", "c3ds"), track="digi"),
)
# rows 1-2: dx (levels 1, 2); row 3: pm (t3sys only); rows 4-6: ai (levels 1..3)
MINI_AREAS = (
    area("dx", 1, [ALL, UP]),
    area("pm", 3, [("t3sys",)]),
    area("ai", 4, [ALL, UP, ("t3digi",)]),
)


def mini_plan(next_tier_rule: str = "completed_only") -> Plan:
    """A miniature of the city's plan: the same shapes (左記研修に加え, or-paths, groups, tracks)."""
    return make_plan(MINI_COURSES, MINI_REQUIREMENTS, MINI_AREAS, next_tier_rule)


def done(*course_ids: str, hours: float = 1.0) -> dict[str, float]:
    """A `completed` mapping crediting the same hours to each course."""
    return dict.fromkeys(course_ids, hours)
