"""The rules on the city's real plan (bot/plan/toyonaka.yaml): the cases the document spells out."""

from __future__ import annotations

import pytest

from bot.plan.loader import load_plan
from bot.plan.model import COLUMNS, Plan
from bot.rules import (
    Eligibility,
    History,
    Person,
    assessment_gap,
    courses_required,
    eligibility,
    is_tier_complete,
    next_courses,
    tier_progress,
    validate_person,
)

ICT = "ict-candidate"
SYS_OPS = "sys-ops-candidate"


@pytest.fixture(scope="module")
def plan() -> Plan:
    return load_plan()


def took(plan: Plan, p: Person, *extra: str, tier: int | None = None) -> History:
    """A history with every main-list course of the tier (default: the person's) plus extra ids."""
    ids = [c.id for c in courses_required(plan, p, tier)] + list(extra)
    for cid in ids:
        assert cid in plan.courses, cid
    return History(dict.fromkeys(ids, 1.0))


def test_tier1_general_employee_with_every_listed_course_is_complete(plan: Plan) -> None:
    p = Person(1, None, "general")
    assert not is_tier_complete(plan, p, History())
    assert is_tier_complete(plan, p, took(plan, p))
    assert not is_tier_complete(plan, p, History(dict.fromkeys(list(took(plan, p).completed)[1:], 1.0)))


def test_tier1_digital_department_takes_the_extras_too(plan: Plan) -> None:
    general, digital = Person(1, None, "general"), Person(1, None, "digital")
    assert not is_tier_complete(plan, digital, took(plan, general))
    assert is_tier_complete(plan, digital, took(plan, digital))
    assert {"t1-new-it-staff", "t1-network", "t1-system-ops-mgmt"} <= {
        c.id for c in courses_required(plan, digital)} - {c.id for c in courses_required(plan, general)}


def test_tier2_with_digital_literacy_is_complete_via_the_alternative(plan: Plan) -> None:
    p = Person(2, None, "general")
    pr = tier_progress(plan, p, History({"t2-digital-literacy": 50.0}))
    assert pr.complete and pr.via_alternative == ("t2-general",) and pr.hours_done == 50.0
    assert "t2-digital-literacy" not in {c.id for c in courses_required(plan, p)}


def test_tier2_digital_and_candidates_need_their_extra_groups(plan: Plan) -> None:
    lit = ("t2-digital-literacy",)
    digital, ict = Person(2, None, "digital"), Person(2, None, "digital", frozenset({ICT}))
    assert not is_tier_complete(plan, digital, History(dict.fromkeys(lit, 50.0)))
    assert is_tier_complete(plan, digital, History(dict.fromkeys((*lit, "t2-jichi-academy"), 1.0)))
    base = (*lit, "t2-jichi-academy")
    assert not is_tier_complete(plan, ict, History(dict.fromkeys(base, 1.0)))
    ict_courses = ("t2-procurement", "t2-ops-maintenance", "t2-system-audit")
    assert is_tier_complete(plan, ict, History(dict.fromkeys((*base, *ict_courses), 1.0)))


def test_tier3_systems_track_via_both_exam_courses(plan: Plan) -> None:
    sys_lead = Person(3, "sys", "digital")
    exams = History({"t3-ipa-management": 20.0, "t3-ipa-db-nw": 30.0})
    pr = tier_progress(plan, sys_lead, exams)
    assert pr.complete and pr.via_alternative == ("t3-general", "t3-sys")
    assert not is_tier_complete(plan, sys_lead, History({"t3-ipa-management": 20.0}))
    assert is_tier_complete(plan, Person(3, "digi", "digital"), History({"t3-ipa-management": 20.0}))


def test_a_fresh_leader_is_shown_the_main_list_not_the_exam(plan: Plan) -> None:
    p = Person(3, "digi", "general")
    assert [c.id for c in next_courses(plan, p, History(), 10)] == [c.id for c in courses_required(plan, p)]
    assert "t3-ipa-management" not in {c.id for c in next_courses(plan, p, History(), 10)}
    started = History(enrolled=frozenset({"t3-ipa-management"}))
    assert tier_progress(plan, p, started).groups[0].path.key == "ipa-management"


P1, P2, P2D = Person(1, None, "general"), Person(2, None, "general"), Person(2, None, "digital")
LIT = "t2-digital-literacy"


@pytest.mark.parametrize(("p", "main_of", "extra", "course_id", "reason"), [
    (P1, 1, (), "t2-dx-policy", None),
    (P1, None, ("t1-ict-basics",), "t2-dx-policy", "locked_previous_tier_incomplete"),
    (P1, 1, (), "t3-stakeholder", "above_next_tier"),
    (P1, 1, (), "t1-network", "digital_dept_only"),
    (P2, None, (), "t2-jichi-academy", "digital_dept_only"),
    (P2D, None, (), "t2-jichi-academy", None),
    (P2, None, (LIT,), "t3-pm-vendor", None),
    (P2, None, (LIT,), "t3-cloud", "digital_dept_only"),
    (P2D, None, (LIT, "t2-jichi-academy"), "t3-cloud", None),
    (P2D, None, (LIT,), "t3-cloud", "locked_previous_tier_incomplete"),  # 自治体大学校研修 missing
    (Person(3, "digi", "digital"), None, (), "t3-cloud", "track_only"),
    (Person(3, "sys", "digital"), None, (), "t3-cloud", None),
])
def test_eligibility_on_the_real_catalog(
    plan: Plan, p: Person, main_of: int | None, extra: tuple[str, ...], course_id: str, reason: str | None
) -> None:
    h = took(plan, p, *extra, tier=main_of) if main_of else History(dict.fromkeys(extra, 1.0))
    assert eligibility(plan, p, h, plan.courses[course_id]) == Eligibility(reason is None, reason)


def test_profiles_are_checked_against_the_real_tracks(plan: Plan) -> None:
    assert validate_person(plan, Person(3, "sys", "general")) == [("track", "not_in_dept")]
    assert validate_person(plan, Person(2, None, "digital", frozenset({ICT, SYS_OPS}))) == []


@pytest.mark.parametrize(("tier", "track"), [(1, None), (2, None), (3, "sys"), (3, "digi")])
def test_gap_rows_are_the_marked_rows_of_the_real_skill_map(plan: Plan, tier: int, track: str | None) -> None:
    gap = assessment_gap(plan, {r.row: 3 for r in plan.skill_rows}, tier, track)
    assert gap.column in COLUMNS and len(plan.skill_rows) == 30
    assert [r.row.row for r in gap.rows] == [r.row for r in plan.skill_rows if gap.column in r.columns]
    assert gap.complete and gap.met == gap.total > 0
