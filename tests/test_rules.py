"""Table-driven tests of the plan's rules on a miniature plan (tests/plan_fixtures.py) and the real one."""

from __future__ import annotations

import math
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from plan_fixtures import ICT, SYS_OPS, course, done, make_plan, mini_plan, path, req

from bot.plan.model import Course, Delivery, Part
from bot.rules import (
    Eligibility,
    History,
    Person,
    assessment_gap,
    course_min_hours,
    courses_required,
    eligibility,
    is_tier_complete,
    may_step_up,
    next_courses,
    requirement_groups,
    tier_progress,
    validate_completion,
    validate_person,
)

PLAN = mini_plan()
T1_ALL = ("c1a", "c1b", "c1c")
T2_MAIN = ("c2a", "c2b", "c2c")


def person(tier: int = 1, dept: str = "general", track: str | None = None, *groups: str) -> Person:
    return Person(tier, track, dept, frozenset(groups))


def hist(*completed: str, enrolled: tuple[str, ...] = ()) -> History:
    return History(done(*completed), frozenset(enrolled))


# ---- inputs ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("args", [(0, None, "general"), (True, None, "general"), (1, "x", "general"),
                                  (1, None, "other"), ("1", None, "general")])
def test_person_rejects_bad_values(args: tuple) -> None:  # type: ignore[type-arg]
    with pytest.raises(ValueError):
        Person(*args)


def test_history_is_a_snapshot_and_completed_wins_over_enrolled() -> None:
    source = {"c1a": 2.0}
    h = History(source, frozenset({"c1a", "c1b"}))
    source["c1b"] = 3.0
    assert dict(h.completed) == {"c1a": 2.0} and h.enrolled == {"c1b"} and type(h.enrolled) is frozenset
    with pytest.raises(TypeError):
        h.completed["x"] = 1.0  # type: ignore[index]
    assert h.with_completed("c1b", 3.0) == History({"c1a": 2.0, "c1b": 3.0})
    assert hash(h) == hash(History({"c1a": 2.0}, frozenset({"c1b"}))) and h != History({"c1a": 2.0})


@pytest.mark.parametrize(("p", "expected"), [
    (person(1), []),
    (person(3, "general", "digi"), []),
    (person(3, "general"), [("track", "required")]),
    (person(3, "general", "sys"), [("track", "not_in_dept")]),
    (person(2, "digital", None, SYS_OPS, "nope"), [("groups", "unknown")]),
    (person(4), [("tier", "unknown")]),
])
def test_validate_person(p: Person, expected: list[tuple[str, str]]) -> None:
    assert validate_person(PLAN, p) == expected


# ---- requirement ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("p", "tier", "keys"), [
    (person(1), None, ["t1"]),
    (person(1, "digital"), None, ["t1", "t1_digital"]),
    (person(2), None, ["t2"]),
    (person(2, "general", None, SYS_OPS), None, ["t2"]),  # candidate extras are for digital depts
    (person(2, "digital"), None, ["t2", "t2_digital"]),
    (person(2, "digital", None, SYS_OPS), None, ["t2", "t2_digital", "t2_sys_ops"]),
    (person(2, "digital", None, ICT), None, ["t2", "t2_digital"]),
    (person(3, "digital", "sys"), None, ["t3", "t3_sys"]),
    (person(3, "digital", "digi"), None, ["t3", "t3_digi"]),
    (person(3, "general", "digi"), None, ["t3", "t3_digi"]),
    (person(2, "digital"), 3, ["t3", "t3_sys", "t3_digi"]),  # no track yet: every track of the dept
    (person(2, "general"), 3, ["t3", "t3_digi"]),  # シス exists only in デジタル関連部局
    (person(3, "digital", "sys"), 1, ["t1", "t1_digital"]),
])
def test_requirement_groups(p: Person, tier: int | None, keys: list[str]) -> None:
    assert [g.key for g in requirement_groups(PLAN, p, tier)] == keys


def test_courses_required_are_main_paths_in_plan_order_without_repeats() -> None:
    assert [c.id for c in courses_required(PLAN, person(1, "digital"))] == [*T1_ALL, "c1d"]
    assert [c.id for c in courses_required(PLAN, person(2))] == list(T2_MAIN)  # not the `or` path
    shared = make_plan([course("x", 1), course("y", 1), course("z", 1)],
                       [req("a", 1, path("m", "x", "y")), req("b", 1, path("alt", "z", alternative=True),
                                                              path("m", "y", "x"))])
    assert [c.id for c in courses_required(shared, person(1))] == ["x", "y"]


# ---- progress ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("p", "completed", "complete"), [
    (person(1), (), False),
    (person(1), ("c1a", "c1b"), False),
    (person(1), T1_ALL, True),
    (person(1, "digital"), T1_ALL, False),  # 左記研修に加え: the digital extras too
    (person(1, "digital"), (*T1_ALL, "c1d"), True),
    (person(2), T2_MAIN, True),
    (person(2), ("c2lit",), True),  # the `or` line alone
    (person(2), ("c2a", "c2b", "c2lit"), True),
    (person(2, "digital"), ("c2lit",), False),
    (person(2, "digital"), ("c2lit", "c2jichi"), True),
    (person(2, "digital", None, SYS_OPS), ("c2lit", "c2jichi"), False),
    (person(2, "digital", None, SYS_OPS), ("c2lit", "c2jichi", "c2ops"), True),
    (person(3, "digital", "sys"), ("c3ipa", "c3cloud"), False),
    (person(3, "digital", "sys"), ("c3ipa", "c3ipadb"), True),
    (person(3, "digital", "digi"), ("c3pm", "c3sh", "c3ds"), True),
    (person(3, "digital", "digi"), ("c3pm", "c3sh", "c3cloud", "c3lan"), False),
])
def test_is_tier_complete(p: Person, completed: tuple[str, ...], complete: bool) -> None:
    assert is_tier_complete(PLAN, p, hist(*completed)) is complete
    assert tier_progress(PLAN, p, hist(*completed)).complete is complete


def test_progress_of_a_fresh_digital_tier1_person() -> None:
    pr = tier_progress(PLAN, person(1, "digital"), History())
    assert (pr.tier, pr.complete, pr.courses_done, pr.courses_total) == (1, False, 0, 4)
    assert (pr.hours_done, pr.hours_remaining, pr.unknown_hours_courses) == (0, 8.0, 1)  # c1c has no hours
    assert [(g.group.key, g.path.key, g.done, g.total, g.missing) for g in pr.groups] == [
        ("t1", "main", 0, 3, T1_ALL), ("t1_digital", "main", 0, 1, ("c1d",))]
    assert pr.via_alternative == ()


def test_progress_counts_credited_hours_and_remaining_hours_min() -> None:
    h = History({"c1a": 2.5, "c1c": 1.0, "c2a": 9.0})  # c2a is not a tier-1 course
    pr = tier_progress(PLAN, person(1), h)
    assert (pr.courses_done, pr.courses_total, pr.hours_done, pr.hours_remaining) == (2, 3, 3.5, 3.0)
    assert pr.unknown_hours_courses == 0 and pr.groups[0].missing == ("c1b",)


def test_alternative_path_satisfies_and_is_reported() -> None:
    pr = tier_progress(PLAN, person(2), History({"c2a": 2.0, "c2lit": 50.0}))
    g = pr.groups[0]
    assert (g.satisfied, g.path.key, g.via_alternative, g.done, g.total) == (True, "literacy", True, 1, 1)
    assert pr.via_alternative == ("t2",)
    assert (pr.hours_done, pr.hours_remaining, pr.courses_done, pr.courses_total) == (52.0, 0, 1, 1)


def test_main_path_is_reported_when_both_paths_are_complete() -> None:
    pr = tier_progress(PLAN, person(2), hist(*T2_MAIN, "c2lit"))
    assert pr.groups[0].path.key == "main" and pr.via_alternative == ()


@pytest.mark.parametrize(("completed", "path_key", "remaining"), [
    ((), "main", 7.0),  # main 2+4+1 h beats the 50 h course
    (("c2a",), "main", 5.0),
])
def test_closest_path_is_the_cheapest_to_finish(completed: tuple, path_key: str, remaining: float) -> None:  # type: ignore[type-arg]
    pr = tier_progress(PLAN, person(2), hist(*completed))
    assert (pr.groups[0].path.key, pr.hours_remaining) == (path_key, remaining)


CHEAP_OR = make_plan([course("a", 1, 10), course("b", 1, 10), course("alt", 1, 15)],
                     [req("g", 1, path("main", "a", "b"), path("alt", "alt", alternative=True))])


@pytest.mark.parametrize(("h", "path_key", "remaining"), [
    (hist(), "main", 20.0),  # an `or` line nobody chose is not offered, even when cheaper
    (hist(enrolled=("alt",)), "alt", 15.0),  # started: now it is the closest
    (hist("a", enrolled=("alt",)), "main", 10.0),
])
def test_an_or_path_is_closest_only_once_started(h: History, path_key: str, remaining: float) -> None:
    pr = tier_progress(CHEAP_OR, person(1), h)
    assert (pr.groups[0].path.key, pr.hours_remaining) == (path_key, remaining)


@pytest.mark.parametrize(("alternative", "paths", "hours", "total"), [
    (False, ["m", "o"], 5.0, 1),
    (True, ["m", "m"], 9.0, 2),  # unless that way is an `or` line not started
])
def test_a_course_shared_by_two_groups_is_counted_once(
    alternative: bool, paths: list[str], hours: float, total: int
) -> None:
    # g2 alone would pick y (4 h), but x is needed by g1 anyway: finishing via x costs 5 h, not 9 h.
    plan = make_plan([course("x", 1, 5), course("y", 1, 4)],
                     [req("g1", 1, path("m", "x")),
                      req("g2", 1, path("m", "y"), path("o", "x", alternative=alternative))])
    pr = tier_progress(plan, person(1), History())
    assert [g.path.key for g in pr.groups] == paths
    assert (pr.hours_remaining, pr.courses_total) == (hours, total)


def test_tier_without_groups_is_complete_and_group_without_paths_is_an_error() -> None:
    assert is_tier_complete(PLAN, person(1), History(), tier=4)
    broken = make_plan([course("a", 1)], [req("g", 1)])
    with pytest.raises(ValueError, match="without paths"):
        tier_progress(broken, person(1), History())


def test_course_min_hours_falls_back_to_deliveries() -> None:
    def c(*deliveries: tuple[Part, ...]) -> Course:
        return Course("x", "x", 1, "general", tuple(Delivery(d) for d in deliveries), ())
    assert course_min_hours(PLAN, c((Part("リモート", 4), Part("ワークショップ", days=2)))) == 4 + 2 * 7.75
    assert course_min_hours(PLAN, c((Part("ライブ", days=2),), (Part("リモート", 5),))) == 5
    assert course_min_hours(PLAN, c((Part("動画"),), (Part("リモート", 5),))) == 5
    assert course_min_hours(PLAN, c((Part("動画"),))) is None
    assert course_min_hours(PLAN, c()) is None
    assert course_min_hours(PLAN, PLAN.courses["c2c"]) == 1


# ---- eligibility ---------------------------------------------------------------------------------

T1_DONE = hist(*T1_ALL)
T2_DONE = hist(*T1_ALL, *T2_MAIN)
T2_DIGITAL_DONE = hist(*T1_ALL, "c1d", "c2lit", "c2jichi")


@pytest.mark.parametrize(("p", "h", "cid", "reason"), [
    # record
    (person(1), hist("c1a"), "c1a", "already_completed"),
    (person(1), hist(enrolled=("c1a",)), "c1a", "already_enrolled"),
    (person(1), hist("c3pm"), "c3pm", "already_completed"),  # a record beats every other reason
    # who the course is for
    (person(1), T1_DONE, "c1d", "digital_dept_only"),
    (person(3, "general", "digi"), hist(), "c1d", "digital_dept_only"),  # lower tiers too
    (person(2, "digital"), T2_DIGITAL_DONE, "c2ops", "candidate_group_only"),
    (person(2, "digital", None, ICT), hist(), "c2ops", "candidate_group_only"),
    (person(3, "digital", "digi"), hist(), "c3cloud", "track_only"),
    (person(3, "general", "sys"), hist(), "c3ds", "track_only"),
    (person(1), hist(), "c3cloud", "digital_dept_only"),  # department before the ladder
    # the ladder
    (person(1), hist(), "c3pm", "above_next_tier"),
    (person(1, "digital"), T1_DONE, "c3pm", "above_next_tier"),
    (person(1), hist("c1a", "c1b"), "c2a", "locked_previous_tier_incomplete"),
    (person(1, "digital"), T1_DONE, "c2a", "locked_previous_tier_incomplete"),  # c1d missing
    (person(2), hist(*T1_ALL, "c2a"), "c3pm", "locked_previous_tier_incomplete"),
    (person(2, "digital"), hist("c2lit"), "c3cloud", "locked_previous_tier_incomplete"),  # c2jichi missing
])
def test_eligibility_refusals(p: Person, h: History, cid: str, reason: str) -> None:
    assert eligibility(PLAN, p, h, PLAN.courses[cid]) == Eligibility(False, reason)


@pytest.mark.parametrize(("p", "h", "cid"), [
    (person(1), hist(), "c1a"),  # own tier
    (person(1, "digital"), hist(), "c1d"),
    (person(1), T1_DONE, "c2a"),  # 修了者のみ: next tier once this one is complete
    (person(1), T1_DONE, "c2lit"),
    (person(1, "digital"), hist(*T1_ALL, "c1d"), "c2jichi"),
    (person(2), hist(), "c1a"),  # lower tier, whatever its own state
    (person(2), hist(), "c2b"),
    (person(2), hist("c2lit"), "c3pm"),  # the alternative path unlocks the next tier too
    (person(2), hist("c2lit"), "c3ds"),  # digi exists in every department
    (person(2, "digital"), hist("c2lit", "c2jichi"), "c3cloud"),  # シス for a digital dept without track
    (person(2, "digital", None, SYS_OPS), hist(), "c2ops"),
    (person(3, "digital", "sys"), hist(), "c3cloud"),
    (person(3, "general", "digi"), hist(), "c3ds"),
])
def test_eligibility_allowed(p: Person, h: History, cid: str) -> None:
    assert eligibility(PLAN, p, h, PLAN.courses[cid]) == Eligibility(True, None)


def test_a_track_outside_the_department_is_closed_to_someone_without_a_track() -> None:
    plan = make_plan([course("a", 1), course("s", 2, track="sys"), course("d", 2, track="digi"),
                      course("u", 2, track="unknown")], [req("g", 1, path("m", "a"))])
    def reason(p: Person, cid: str) -> str | None:
        return eligibility(plan, p, hist("a"), plan.courses[cid]).reason
    assert [reason(person(1), c) for c in "sdu"] == ["digital_dept_only", None, "track_only"]
    assert [reason(person(1, "digital"), c) for c in "sdu"] == [None, None, "track_only"]


@pytest.mark.parametrize(("rule", "reason"), [("completed_only", "locked_previous_tier_incomplete"),
                                              ("open", None)])
def test_the_lock_follows_the_plan_rule(rule: str, reason: str | None) -> None:
    plan = mini_plan(rule)
    assert eligibility(plan, person(1), hist(), plan.courses["c2a"]).reason == reason
    assert eligibility(plan, person(1), hist(), plan.courses["c3pm"]).reason == "above_next_tier"


# ---- next courses --------------------------------------------------------------------------------

@pytest.mark.parametrize(("p", "h", "limit", "expected"), [
    (person(1), hist(), 5, T1_ALL),
    (person(1, "digital"), hist(), 5, (*T1_ALL, "c1d")),
    (person(1, "digital"), hist(), 2, ("c1a", "c1b")),
    (person(1, "digital"), hist(), 0, ()),
    (person(1, "digital"), hist("c1a", enrolled=("c1b",)), 5, ("c1c", "c1d")),
    (person(1), hist(enrolled=T1_ALL), 5, ()),  # all in progress: nothing new to start
    (person(1), T1_DONE, 5, T2_MAIN),  # complete: the next tier's main list, now unlocked
    (person(1), hist(*T1_ALL, "c2a", enrolled=("c2b",)), 5, ("c2c",)),
    (person(2), hist(), 5, T2_MAIN),
    (person(2), hist("c2a", "c2lit"), 5, ("c3pm", "c3sh", "c3ds")),
    (person(2, "digital", None, SYS_OPS), hist(), 9, (*T2_MAIN, "c2jichi", "c2ops")),
    (person(2, "digital"), hist("c2lit", "c2jichi"), 9, ("c3pm", "c3sh", "c3cloud", "c3lan", "c3ds")),
    (person(3, "digital", "sys"), hist("c3pm"), 5, ("c3sh", "c3cloud", "c3lan")),
    (person(3, "general", "digi"), hist("c3ipa", "c3ds"), 5, ()),  # top tier complete
])
def test_next_courses(p: Person, h: History, limit: int, expected: tuple[str, ...]) -> None:
    assert tuple(c.id for c in next_courses(PLAN, p, h, limit)) == expected


@pytest.mark.parametrize(("h", "expected"), [
    (hist(), ["a", "b"]), (hist("a"), ["b"]), (hist(enrolled=("alt",)), []), (hist("alt"), []),
])
def test_next_courses_follow_the_closest_path(h: History, expected: list[str]) -> None:
    assert [c.id for c in next_courses(CHEAP_OR, person(1), h)] == expected


def test_next_courses_reject_a_negative_limit() -> None:
    with pytest.raises(ValueError):
        next_courses(PLAN, person(1), History(), -1)


# ---- stepping up ---------------------------------------------------------------------------------

TODAY = date(2025, 4, 1)
JST = ZoneInfo("Asia/Tokyo")


@pytest.mark.parametrize(("p", "h", "assessed", "reason"), [
    (person(3, "general", "digi"), hist("c3ipa", "c3ds"), TODAY, "top_tier"),
    (person(1), hist("c1a"), TODAY, "tier_incomplete"),
    (person(1), T1_DONE, None, "assessment_missing"),
    (person(1), T1_DONE, date(2024, 3, 31), "assessment_stale"),  # 366 days
    (person(1), T1_DONE, date(2024, 4, 1), None),  # 365 days
    (person(1), T1_DONE, TODAY, None),
    (person(1), T1_DONE, datetime(2024, 4, 1, 23, 59, tzinfo=JST), None),  # a datetime counts by its date
    (person(2), hist("c2lit"), date(2025, 1, 1), None),
])
def test_may_step_up(p: Person, h: History, assessed: date | None, reason: str | None) -> None:
    assert may_step_up(PLAN, p, h, assessed, TODAY) == Eligibility(reason is None, reason)


def test_may_step_up_max_age_is_a_parameter() -> None:
    assert may_step_up(PLAN, person(1), T1_DONE, date(2025, 3, 1), TODAY, max_age_days=30).reason == (
        "assessment_stale")
    assert may_step_up(PLAN, person(1), T1_DONE, date(2025, 3, 2), TODAY, max_age_days=30).allowed


# ---- completion reports --------------------------------------------------------------------------

FIXED = course("fixed", 1, 2)  # exactly 2 h
RANGE = course("range", 1, 1, hours_max=2)  # 1-2 h
OPEN = course("open", 1, None)  # no hours in the plan
ENROLLED = date(2025, 3, 1)


@pytest.mark.parametrize(("c", "hours", "completed_on", "enrolled_on", "errors"), [
    (FIXED, 2, TODAY, ENROLLED, []),
    (FIXED, 2, TODAY, None, []),
    (FIXED, 2, ENROLLED, ENROLLED, []),  # same day
    (FIXED, 0, TODAY, ENROLLED, [("hours", "not_positive")]),
    (OPEN, -1, TODAY, ENROLLED, [("hours", "not_positive")]),
    (FIXED, 1.5, TODAY, ENROLLED, [("hours", "out_of_range")]),
    (FIXED, 2.5, TODAY, ENROLLED, [("hours", "out_of_range")]),
    (RANGE, 1, TODAY, ENROLLED, []),
    (RANGE, 2, TODAY, ENROLLED, []),
    (RANGE, 0.99, TODAY, ENROLLED, [("hours", "out_of_range")]),
    (RANGE, 2.01, TODAY, ENROLLED, [("hours", "out_of_range")]),
    (OPEN, 0.25, TODAY, ENROLLED, []),
    (OPEN, 200, TODAY, ENROLLED, []),
    (OPEN, 200.5, TODAY, ENROLLED, [("hours", "out_of_range")]),
    (OPEN, math.inf, TODAY, ENROLLED, [("hours", "out_of_range")]),
    (OPEN, math.nan, TODAY, ENROLLED, [("hours", "out_of_range")]),
    (FIXED, 2, date(2025, 4, 2), ENROLLED, [("completed_on", "in_future")]),
    (FIXED, 2, date(2025, 2, 28), ENROLLED, [("completed_on", "before_enrolment")]),
    (FIXED, 3, date(2025, 4, 3), date(2025, 4, 5),
     [("hours", "out_of_range"), ("completed_on", "in_future"), ("completed_on", "before_enrolment"),
      ("enrolled_on", "in_future")]),
])
def test_validate_completion(c: Course, hours: float, completed_on: date, enrolled_on: date | None,
                             errors: list[tuple[str, str]]) -> None:
    assert validate_completion(c, hours, completed_on, enrolled_on, TODAY) == errors


# ---- self-assessment -----------------------------------------------------------------------------

@pytest.mark.parametrize(("tier", "track", "rows"), [
    (1, None, [1, 4]), (2, None, [1, 2, 4, 5]), (3, "sys", [1, 2, 3, 4, 5]), (3, "digi", [1, 2, 4, 5, 6]),
])
def test_gap_rows_are_the_marked_rows_of_the_column(tier: int, track: str | None, rows: list[int]) -> None:
    gap = assessment_gap(PLAN, {}, tier, track)
    assert [r.row.row for r in gap.rows] == rows
    assert (gap.met, gap.total, gap.unrated, gap.complete) == (0, len(rows), len(rows), False)


def test_gap_rates_rows_and_sums_up_areas() -> None:
    gap = assessment_gap(PLAN, {1: 4, 2: 2, 4: 3, 6: 1, 3: 1}, 3, "digi")
    assert [(r.row.row, r.rating, r.meets) for r in gap.rows] == [
        (1, 4, True), (2, 2, False), (4, 3, True), (5, None, False), (6, 1, False)]
    assert (gap.column, gap.met, gap.total, gap.unrated) == ("t3digi", 2, 5, 1)
    assert [(a.area.key, a.required_level, a.met, a.total, a.reached_level, a.meets) for a in gap.areas] == [
        ("dx", 2, 1, 2, 1, False), ("ai", 3, 1, 3, 1, False)]  # pm is not required for デジ


def test_gap_complete_when_every_required_row_meets() -> None:
    gap = assessment_gap(PLAN, {1: 3, 2: 4, 3: 3, 4: 3, 5: 4}, 3, "sys")
    assert gap.complete and all(a.meets and a.reached_level == a.required_level for a in gap.areas)


@pytest.mark.parametrize(("ratings", "tier", "track"), [({1: 5}, 1, None), ({1: 0}, 1, None),
                                                         ({99: 3}, 1, None), ({}, 3, None)])
def test_gap_rejects_bad_input(ratings: dict[int, int], tier: int, track: str | None) -> None:
    with pytest.raises(ValueError):
        assessment_gap(PLAN, ratings, tier, track)
