"""Qualifications in the rules: a qualification satisfies exactly what the plan allows, and nothing else."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from itertools import combinations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from plan_fixtures import mini_plan
from test_rules_properties import TIERS, cases, oracle_complete

from bot.plan.loader import load_plan
from bot.plan.model import Plan, Qualification
from bot.rules import (
    ALREADY_COMPLETED,
    ALREADY_QUALIFIED,
    TIER_INCOMPLETE,
    History,
    Person,
    TierProgress,
    eligibility,
    evidence_rows,
    is_tier_complete,
    may_step_up,
    next_courses,
    qualified_by,
    qualified_courses,
    tier_progress,
)

TODAY = date(2026, 11, 27)
MANAGEMENT = ("ipa-pm", "ipa-st", "ipa-sm", "ipa-au")
DB_NW = ("ipa-db", "ipa-nw")


@pytest.fixture(scope="module")
def plan() -> Plan:
    return load_plan()


def main_list(plan: Plan, group: str) -> dict[str, float]:
    """The main-list courses of a requirement group, completed with their minimum hours."""
    found = next(r for r in plan.requirements if r.key == group)
    return {cid: plan.courses[cid].hours_min or 1.0 for cid in found.paths[0].courses}


# ---- what each qualification of the city's plan stands for ---------------------------------------------

def test_the_plan_lets_exactly_the_exam_groups_stand_for_their_or_courses(plan: Plan) -> None:
    allowed = {q.id: set(q.satisfies) for q in plan.qualifications}
    assert {qid for qid, s in allowed.items() if s == {"t3-ipa-management"}} == set(MANAGEMENT)
    assert {qid for qid, s in allowed.items() if s == {"t3-ipa-db-nw"}} == set(DB_NW)
    assert {qid for qid, s in allowed.items() if not s} == {"ipa-ip", "ipa-sg", "ipa-fe", "ipa-ap"}
    for cid in ("t3-ipa-management", "t3-ipa-db-nw"):  # both are `or` lines of the tier-3 page
        paths = [p for r in plan.requirements for p in r.paths if cid in p.courses]
        assert [(p.alternative, p.courses) for p in paths] == [(True, (cid,))]


def test_every_combination_of_held_qualifications_gives_the_union_of_their_satisfies(plan: Plan) -> None:
    ids = [q.id for q in plan.qualifications]
    for n in range(len(ids) + 1):
        for held in combinations(ids, n):
            expected = {cid for q in plan.qualifications if q.id in held for cid in q.satisfies}
            assert qualified_courses(plan, held) == expected, held


def test_unknown_qualifications_stand_for_nothing(plan: Plan) -> None:
    assert qualified_courses(plan, ["no-such-exam", "t3-ipa-management", ""]) == frozenset()
    gone = replace(plan, qualifications=(Qualification("x", "X", "c", satisfies=("removed-course",)),))
    assert qualified_courses(gone, ["x"]) == frozenset()
    assert qualified_by(plan, ["ipa-pm", "ipa-au", "ipa-ip"]) == {"t3-ipa-management": ("ipa-pm", "ipa-au")}


def test_it_passport_is_evidence_for_ict_applied_and_satisfies_no_course(plan: Plan) -> None:
    assert qualified_courses(plan, ["ipa-ip"]) == frozenset()
    row7 = next(r for r in plan.skill_rows if r.row == 7)
    assert row7.name == "ICT応用" and "ITパスポート" in row7.descriptor
    assert evidence_rows(plan, ["ipa-ip"]) == {7: ("ITパスポート",)}
    p = Person(2, None, "general")
    assert not is_tier_complete(plan, p, History(qualified=qualified_courses(plan, ["ipa-ip"])))


def test_evidence_joins_qualifications_and_onjt_opportunities(plan: Plan) -> None:
    found = evidence_rows(plan, ["ipa-pm", "ipa-ip"], ["project", "project", "intensive-training"])
    assert found == {4: ("プロジェクトマネージャ", "プロジェクト(PJ)等参画"), 7: ("ITパスポート",),
                     19: ("プロジェクト(PJ)等参画",)}
    assert evidence_rows(plan, [], []) == {}


# ---- the rules on the city's plan ------------------------------------------------------------------

@pytest.mark.parametrize("qid", MANAGEMENT)
def test_a_management_exam_completes_the_leaders_tier_through_the_or_line(plan: Plan, qid: str) -> None:
    p = Person(3, "digi", "general")
    h = History(qualified=qualified_courses(plan, [qid]))
    pr = tier_progress(plan, p, h)
    assert pr.complete and pr.via_alternative == ("t3-general",)
    general = pr.groups[0]
    assert general.path.key == "ipa-management" and general.qualified == ("t3-ipa-management",)
    assert pr.qualified == ("t3-ipa-management",)
    assert (pr.hours_done, pr.hours_remaining, pr.courses_done) == (0.0, 0.0, 1)  # done, never hours


@pytest.mark.parametrize("qid", DB_NW)
def test_a_db_nw_exam_stands_for_the_systems_or_line_only(plan: Plan, qid: str) -> None:
    sys = Person(3, "sys", "digital")
    held = qualified_courses(plan, [qid])
    pr = tier_progress(plan, sys, History(main_list(plan, "t3-general"), qualified=held))
    assert pr.complete and pr.via_alternative == ("t3-sys",)  # t3-general's list, and t3-sys through the exam
    assert pr.qualified == ("t3-ipa-db-nw",)
    assert not is_tier_complete(plan, sys, History(main_list(plan, "t3-general")))
    pr = tier_progress(plan, sys, History(qualified=held))
    assert not pr.complete
    assert [g.group.key for g in pr.groups if g.satisfied] == ["t3-sys"]
    digi = Person(3, "digi", "general")  # the systems track's group does not apply: nothing to stand for
    assert tier_progress(plan, digi, History(qualified=held)) == tier_progress(plan, digi, History())


def test_every_qualification_together_completes_no_group_the_plan_does_not_allow(plan: Plan) -> None:
    everything = qualified_courses(plan, [q.id for q in plan.qualifications])
    h = History(qualified=everything)
    for p in (Person(1, None, "general"), Person(1, None, "digital"), Person(2, None, "digital",
              frozenset({"ict-candidate", "sys-ops-candidate"})), Person(3, "sys", "digital"),
              Person(3, "digi", "digital")):
        for tier in TIERS:
            satisfied = {g.group.key for g in tier_progress(plan, p, h, tier).groups if g.satisfied}
            assert satisfied <= {"t3-general", "t3-sys"}, (p, tier)
            assert (tier == 3) == bool(satisfied), (p, tier)


def test_a_qualified_course_is_not_offered_but_one_already_started_may_be_finished(plan: Plan) -> None:
    p = Person(3, "digi", "general")
    course = plan.courses["t3-ipa-management"]
    held = qualified_courses(plan, ["ipa-st"])
    h = History(enrolled=frozenset({"t3-ipa-management", "t3-pm-vendor"}), qualified=held)
    assert h.enrolled == {"t3-ipa-management", "t3-pm-vendor"}  # started before the exam: still in progress
    assert eligibility(plan, p, h, course).reason == ALREADY_QUALIFIED
    assert tier_progress(plan, p, h).complete
    both = History({"t3-ipa-management": 20.0}, qualified=held)
    assert eligibility(plan, p, both, course).reason == ALREADY_COMPLETED
    assert tier_progress(plan, p, both).qualified == ()  # completed: not "through a qualification"
    assert tier_progress(plan, p, both).hours_done == 20.0
    assert "t3-ipa-management" not in {c.id for c in next_courses(plan, p, History(qualified=held), limit=50)}


def test_qualifications_cannot_step_anyone_up_the_lower_tiers(plan: Plan) -> None:
    everything = qualified_courses(plan, [q.id for q in plan.qualifications])
    for p in (Person(1, None, "general"), Person(2, None, "digital")):
        assert may_step_up(plan, p, History(qualified=everything), TODAY, TODAY).reason == TIER_INCOMPLETE


# ---- properties on random plans, people, histories and qualifications ------------------------------

@st.composite
def qualified_cases(draw: st.DrawFn) -> tuple[Plan, Person, History, frozenset[str]]:
    """A random case whose plan lists random qualifications, and the courses held ones stand for."""
    plan, person, history = draw(cases())
    ids = sorted(plan.courses)
    quals = tuple(Qualification(f"q{i}", f"資格{i}", "c", satisfies=tuple(draw(st.lists(
        st.sampled_from(ids), max_size=3, unique=True)))) for i in range(draw(st.integers(0, 4))))
    plan = replace(plan, qualifications=quals)
    held = draw(st.sets(st.sampled_from([*(q.id for q in quals), "unknown"])))
    qualified = qualified_courses(plan, held)
    assert qualified == {c for q in quals if q.id in held for c in q.satisfies}
    return plan, person, History(history.completed, history.enrolled, qualified), qualified


def as_completed(h: History) -> History:
    """The same history with each qualified course completed with 0 hours credited."""
    return History({**dict.fromkeys(h.qualified, 0.0), **h.completed}, h.enrolled)


def without_qualified(pr: TierProgress) -> TierProgress:
    """A progress with the record of which courses a qualification stood for removed."""
    return replace(pr, qualified=(), groups=tuple(replace(g, qualified=()) for g in pr.groups))


@settings(max_examples=200)
@given(qualified_cases(), st.sampled_from(TIERS))
def test_a_qualified_course_counts_exactly_as_a_completed_one_with_no_hours(case, tier: int) -> None:
    plan, p, h, qualified = case
    pr = tier_progress(plan, p, h, tier)
    assert without_qualified(pr) == tier_progress(plan, p, as_completed(h), tier)
    assert pr.hours_done == tier_progress(plan, p, History(h.completed, h.enrolled), tier).hours_done
    shown = {c for g in pr.groups for c in g.path.courses}
    assert set(pr.qualified) == (shown & qualified) - set(h.completed)
    for g in pr.groups:
        assert set(g.qualified) == (set(g.path.courses) & qualified) - set(h.completed)
    done = History({**dict.fromkeys(qualified, 1.0), **h.completed})
    assert pr.complete == oracle_complete(plan, p, done, tier)


@settings(max_examples=200)
@given(qualified_cases())
def test_eligibility_and_next_courses_treat_a_qualified_course_as_done(case) -> None:
    plan, p, h, qualified = case
    plain = as_completed(h)
    for course in plan.courses.values():
        got, expected = eligibility(plan, p, h, course), eligibility(plan, p, plain, course)
        if course.id in qualified and course.id not in h.completed:
            assert (got.allowed, got.reason, expected.reason) == (False, ALREADY_QUALIFIED, ALREADY_COMPLETED)
        else:
            assert got == expected
    assert next_courses(plan, p, h, limit=50) == next_courses(plan, p, plain, limit=50)
    assert not {c.id for c in next_courses(plan, p, h, limit=50)} & qualified


@settings(max_examples=200)
@given(qualified_cases(), st.sampled_from(TIERS))
def test_holding_more_qualifications_never_sets_progress_back(case, tier: int) -> None:
    plan, p, h, _ = case
    fewer = History(h.completed, h.enrolled)
    before, after = tier_progress(plan, p, fewer, tier), tier_progress(plan, p, h, tier)
    assert 0 <= after.hours_remaining <= before.hours_remaining
    assert after.complete or not before.complete
    assert after.hours_done == before.hours_done  # a qualification never credits hours
    satisfied_before = {g.group.key for g in before.groups if g.satisfied}
    assert satisfied_before <= {g.group.key for g in after.groups if g.satisfied}


def test_the_mini_plan_without_qualifications_is_unchanged() -> None:
    plan = mini_plan()
    assert plan.qualifications == () and qualified_courses(plan, ["anything"]) == frozenset()
