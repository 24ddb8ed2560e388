"""Property-based tests of the plan's rules on random plans, people and histories (hypothesis)."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st
from plan_fixtures import ICT, SYS_OPS, area, course, make_plan, path, req

from bot.plan.model import COLUMNS, Course, Plan
from bot.rules import (
    History,
    Person,
    assessment_gap,
    eligibility,
    is_tier_complete,
    next_courses,
    tier_progress,
    validate_completion,
)

TIERS = (1, 2, 3)
GROUPS = (SYS_OPS, ICT)
HOURS = st.one_of(st.none(), st.integers(1, 120).map(lambda n: n / 2))  # exact in binary


@st.composite
def courses_of(draw: st.DrawFn, tier: int) -> list[Course]:
    """A few courses of one tier with random audience restrictions."""
    return [
        course(f"c{tier}{i}", tier, draw(HOURS), dept_kind=draw(st.sampled_from(("general", "digital"))),
               group=draw(st.sampled_from((None, None, *GROUPS))),
               track=draw(st.sampled_from((None, None, "sys", "digi"))) if tier == 3 else None)
        for i in range(draw(st.integers(1, 5)))
    ]


@st.composite
def plans(draw: st.DrawFn) -> Plan:
    """A random plan: 1-5 courses and 1-3 requirement groups of 1-3 paths per tier."""
    courses: list[Course] = []
    groups = []
    for tier in TIERS:
        tier_courses = draw(courses_of(tier))
        courses += tier_courses
        ids = [c.id for c in tier_courses]
        for g in range(draw(st.integers(1, 3))):
            paths = [path(f"p{k}", *draw(st.lists(st.sampled_from(ids), min_size=1, max_size=4, unique=True)),
                          alternative=k > 0) for k in range(draw(st.integers(1, 3)))]
            groups.append(req(f"g{tier}{g}", tier, *paths,
                              dept_kind=draw(st.sampled_from(("general", "digital"))),
                              track=draw(st.sampled_from((None, None, "sys", "digi"))) if tier == 3 else None,
                              group=draw(st.sampled_from((None, None, *GROUPS)))))
    return make_plan(courses, groups)


@st.composite
def people(draw: st.DrawFn) -> Person:
    """Anyone: a tier, a department kind, a track (tier 3 always has one) and candidate groups."""
    tier = draw(st.sampled_from(TIERS))
    dept = draw(st.sampled_from(("general", "digital")))
    tracks = ("digi", "sys") if dept == "digital" else ("digi",)
    track = draw(st.sampled_from(tracks)) if tier == 3 else draw(st.sampled_from((None, None, *tracks)))
    return Person(tier, track, dept, frozenset(draw(st.sets(st.sampled_from(GROUPS)))))


@st.composite
def cases(draw: st.DrawFn) -> tuple[Plan, Person, History]:
    """A plan, a person and a history of some of its courses."""
    plan = draw(plans())
    ids = sorted(plan.courses)
    completed = draw(st.dictionaries(st.sampled_from(ids), st.integers(1, 40).map(float), max_size=len(ids)))
    enrolled = draw(st.sets(st.sampled_from(ids)))
    return plan, draw(people()), History(completed, frozenset(enrolled))


# ---- oracles: the rules restated from the brief, as plainly as possible ----------------------------

def open_to(p: Person, track: str | None, dept_kind: str, group: str | None) -> bool:
    """Whether something for this department kind, candidate group and track is for the person."""
    if track is None:
        track_ok = True
    elif p.track is not None:
        track_ok = p.track == track
    else:
        track_ok = track == "digi" or p.dept_kind == "digital"  # シス exists only in digital depts
    return (dept_kind == "general" or p.dept_kind == "digital") and (group is None or group in p.groups) \
        and track_ok


def audience_reason(p: Person, c: Course) -> str:
    """Why a course that is not for the person is refused: department, then group, then track."""
    if not open_to(p, None, c.dept_kind, None):
        return "digital_dept_only"
    if not open_to(p, None, "general", c.group):
        return "candidate_group_only"
    return "track_only" if p.track is not None else "digital_dept_only"  # シス outside digital depts


def oracle_complete(plan: Plan, p: Person, h: History, tier: int) -> bool:
    """Every applicable group has a path whose courses are all completed."""
    return all(
        any(all(c in h.completed for c in path.courses) for path in g.paths)
        for g in plan.requirements
        if g.tier == tier and open_to(p, g.track, g.dept_kind, g.group)
    )


def min_hours(plan: Plan, ids: set[str]) -> tuple[float, int]:
    """Known hours and the number of unknown-hours courses among the ids."""
    hours = [plan.courses[c].hours_min for c in ids]
    return sum(x for x in hours if x is not None), sum(1 for x in hours if x is None)


# ---- progress --------------------------------------------------------------------------------------

@given(cases(), st.sampled_from(TIERS))
def test_progress_agrees_with_the_oracle(case: tuple[Plan, Person, History], tier: int) -> None:
    plan, p, h = case
    pr = tier_progress(plan, p, h, tier)
    assert pr.complete == is_tier_complete(plan, p, h, tier) == oracle_complete(plan, p, h, tier)
    assert pr.complete == (pr.hours_remaining == 0 and pr.unknown_hours_courses == 0)
    assert 0 <= pr.courses_done <= pr.courses_total
    for g in pr.groups:
        assert g.path in g.group.paths and g.total == len(g.path.courses) == g.done + len(g.missing)
        assert all(c not in h.completed for c in g.missing) and g.satisfied == (not g.missing)
        assert g.satisfied == any(all(c in h.completed for c in q.courses) for q in g.group.paths)
        assert g.via_alternative == (g.satisfied and g.path.alternative)
    missing = {c for g in pr.groups for c in g.missing}
    assert (pr.hours_remaining, pr.unknown_hours_courses) == min_hours(plan, missing)
    open_groups = [g.group for g in pr.groups if not g.satisfied]
    mains = {c for g in open_groups for c in g.paths[0].courses if c not in h.completed}
    assert pr.hours_remaining <= min_hours(plan, mains)[0]  # never worse than the main lists


@given(cases(), st.sampled_from(TIERS), st.data())
def test_completing_a_course_never_sets_progress_back(
    case: tuple[Plan, Person, History], tier: int, data: st.DataObject
) -> None:
    plan, p, h = case
    cid = data.draw(st.sampled_from(sorted(plan.courses)))
    before = tier_progress(plan, p, h, tier)
    after = tier_progress(plan, p, h.with_completed(cid, h.completed.get(cid, 1.0)), tier)
    assert after.complete or not before.complete
    assert 0 <= after.hours_remaining <= before.hours_remaining
    assert after.hours_done >= before.hours_done
    satisfied_before = {g.group.key for g in before.groups if g.satisfied}
    assert satisfied_before <= {g.group.key for g in after.groups if g.satisfied}


@given(cases(), st.sampled_from(TIERS), st.data())
def test_enrolment_is_not_completion(case: tuple[Plan, Person, History], tier: int, data: st.DataObject) -> None:
    plan, p, h = case
    more = data.draw(st.sets(st.sampled_from(sorted(plan.courses))))
    before = tier_progress(plan, p, h, tier)
    after = tier_progress(plan, p, History(h.completed, h.enrolled | more), tier)
    assert after.complete == before.complete and after.hours_done == before.hours_done
    assert [g.satisfied for g in after.groups] == [g.satisfied for g in before.groups]
    assert after.hours_remaining <= before.hours_remaining  # a started `or` path may be the shorter way


# ---- the ladder ----------------------------------------------------------------------------------

@given(cases())
def test_eligibility_follows_the_ladder(case: tuple[Plan, Person, History]) -> None:
    plan, p, h = case
    own_complete = oracle_complete(plan, p, h, p.tier)
    for c in plan.courses.values():
        e = eligibility(plan, p, h, c)
        if c.id in h.completed:
            expected = (False, "already_completed")
        elif c.id in h.enrolled:
            expected = (False, "already_enrolled")
        elif not open_to(p, c.track, c.dept_kind, c.group):
            expected = (False, audience_reason(p, c))
        elif c.tier > p.tier + 1:
            expected = (False, "above_next_tier")
        elif c.tier == p.tier + 1 and not own_complete:
            expected = (False, "locked_previous_tier_incomplete")
        else:
            expected = (True, None)
        assert (e.allowed, e.reason) == expected, c


@given(plans(), people())
def test_a_complete_tier_unlocks_the_next_tier_and_nothing_higher(plan: Plan, p: Person) -> None:
    h = History({c.id: 1.0 for c in plan.courses.values() if c.tier <= p.tier})
    assert is_tier_complete(plan, p, h)
    for c in plan.courses.values():
        if c.tier > p.tier:
            allowed = eligibility(plan, p, h, c).allowed
            assert allowed == (c.tier == p.tier + 1 and open_to(p, c.track, c.dept_kind, c.group)), c


# ---- next courses --------------------------------------------------------------------------------

@given(cases(), st.integers(0, 6))
def test_next_courses_are_takeable_now_and_deterministic(
    case: tuple[Plan, Person, History], limit: int
) -> None:
    plan, p, h = case
    picks = next_courses(plan, p, h, limit)
    assert picks == next_courses(plan, p, h, limit)
    assert len(picks) <= limit and len({c.id for c in picks}) == len(picks)
    assert all(eligibility(plan, p, h, c).allowed for c in picks)  # never completed, enrolled or locked
    assert all(c.id not in h.completed and c.id not in h.enrolled for c in picks)
    assert next_courses(plan, p, h, limit + 3)[:limit] == picks
    pr = tier_progress(plan, p, h)
    if not pr.complete:
        missing = [c for g in pr.groups for c in g.missing]
        assert all(c.id in missing for c in picks)
        if limit and not picks:
            assert not any(eligibility(plan, p, h, plan.courses[c]).allowed for c in missing)
    else:
        assert all(c.tier == p.tier + 1 for c in picks)


# ---- self-assessment -----------------------------------------------------------------------------

@st.composite
def graded_plans(draw: st.DrawFn) -> Plan:
    """A plan whose skill areas mark, in each column, the levels 1..k of the area (k may be 0)."""
    areas, row = [], 1
    for i in range(draw(st.integers(1, 6))):
        n = draw(st.integers(1, 3))
        need = {col: draw(st.integers(0, n)) for col in COLUMNS}
        marks = [[col for col in COLUMNS if need[col] >= level] for level in range(1, n + 1)]
        areas.append(area(f"a{i}", row, marks))
        row += n
    return make_plan([], [], areas)


@given(graded_plans(), st.sampled_from([(1, None), (2, None), (3, "sys"), (3, "digi")]), st.data())
def test_gap_rows_are_exactly_the_marked_rows(
    plan: Plan, target: tuple[int, str | None], data: st.DataObject
) -> None:
    tier, track = target
    column = "t3" + track if track else f"t{tier}"
    rows = [r.row for r in plan.skill_rows]
    ratings = data.draw(st.dictionaries(st.sampled_from(rows), st.integers(1, 4)))
    gap = assessment_gap(plan, ratings, tier, track)
    assert [r.row.row for r in gap.rows] == [r.row for r in plan.skill_rows if column in r.columns]
    assert all(r.rating == ratings.get(r.row.row) and r.meets == (r.rating is not None and r.rating >= 3)
               for r in gap.rows)
    assert gap.met == sum(1 for r in gap.rows if r.rating is not None and r.rating >= 3)
    assert gap.total == len(gap.rows) == sum(a.total for a in gap.areas)
    assert gap.met == sum(a.met for a in gap.areas) and all(0 <= a.reached_level <= a.required_level
                                                            for a in gap.areas)


# ---- completion reports --------------------------------------------------------------------------

@settings(max_examples=300)
@given(HOURS, st.floats(-5, 300, allow_nan=False), st.integers(-400, 400), st.integers(-400, 400))
def test_completion_errors_match_their_definitions(
    low: float | None, hours: float, done_offset: int, enrolled_offset: int
) -> None:
    today = date(2025, 4, 1)
    c = course("x", 1, low)
    completed_on, enrolled_on = today + timedelta(done_offset), today + timedelta(enrolled_offset)
    errors = set(validate_completion(c, hours, completed_on, enrolled_on, today))
    ok_hours = 0 < hours <= 200 if low is None else low <= hours <= low
    assert (("hours", "not_positive") in errors) == (hours <= 0)
    assert any(f == "hours" for f, _ in errors) == (not ok_hours)
    assert (("completed_on", "in_future") in errors) == (completed_on > today)
    assert (("completed_on", "before_enrolment") in errors) == (completed_on < enrolled_on)
    assert (("enrolled_on", "in_future") in errors) == (enrolled_on > today)
