"""Managers' services without Slack: decisions' edge cases, refusals, and the views' Block Kit limits."""

from __future__ import annotations

import dataclasses
import string
from datetime import timedelta

import builders as b
import pytest
from manager_fixtures import MONDAY, deliveries, known_org
from sqlmodel import select

from bot.blockkit import message_problems, view_problems
from bot.blocks.manager_modals import record_modal
from bot.blocks.team import home_section, team_message, team_modal
from bot.locales import en, ja
from bot.services import manager_actions, manager_stepup, manager_team, managers
from bot.services.deps import UserError
from storage.models import Staff, StepUpRequest, TierChange


@pytest.fixture
def world(sessions):
    org = known_org(sessions)
    deps = dataclasses.replace(b.deps_for(sessions), clock=lambda: MONDAY)
    return org, deps


def _staff(sessions, org, number):
    with sessions() as s:
        return s.get(Staff, org.id(number))


def _request(sessions, org, number):
    with sessions() as s:
        return s.exec(select(StepUpRequest).where(StepUpRequest.staff_id == org.id(number))).one()


def test_nobody_decides_their_own_request_and_a_stale_one_is_refused(sessions, world):
    org, deps = world
    request = _request(sessions, org, "S2")
    with sessions() as s:
        for who in ("S2", "M120", "S1"):  # the person themselves, a sibling unit's manager, a colleague
            with pytest.raises(UserError, match="mgr_not_allowed"):
                manager_stepup.decide(deps, s, _staff(sessions, org, who), request.id, True, "")
        staff = s.get(Staff, org.id("S2"))
        staff.tier = 2  # promoted meanwhile by an import
        s.add(staff)
        s.commit()
        with pytest.raises(UserError, match="decision_stale"):
            manager_stepup.decide(deps, s, _staff(sessions, org, "M111"), request.id, True, "")
    assert _request(sessions, org, "S2").status == "pending"


def test_the_parent_units_manager_may_decide_and_a_decline_needs_a_reason(sessions, world):
    org, deps = world
    request = _request(sessions, org, "S2")
    with sessions() as s:
        with pytest.raises(UserError, match="decision_comment_required"):
            manager_stepup.decide(deps, s, _staff(sessions, org, "M110"), request.id, False, "  ")
        outcome, _ = manager_stepup.decide(deps, s, _staff(sessions, org, "M110"), request.id, False, "来年度に")
    assert outcome == "declined" and _request(sessions, org, "S2").comment == "来年度に"
    with sessions() as s:
        assert s.exec(select(TierChange)).all() == []
        assert s.get(Staff, org.id("S2")).tier == 1
    (told,) = deliveries(sessions, "stepup.decision")
    assert told.recipient == "US2" and "見送り" in told.payload and "来年度に" in told.payload


def test_a_managers_own_request_goes_to_the_administrators(sessions, world):
    org, deps = world
    with sessions() as s:
        m210 = s.get(Staff, org.id("M210"))
        request = StepUpRequest(staff_id=m210.id, from_tier=1, to_tier=2, requested_at=MONDAY)
        s.add(request)
        s.commit()
        notices = manager_stepup.request_notices(deps, s, m210, request, (m210,))
    assert [channel for channel, _ in notices] == ["UA1"]
    assert message_problems(notices[0][1]["blocks"], notices[0][1]["text"]) == []


def test_nudge_and_recommend_refuse_what_they_must(sessions, world):
    org, deps = world
    b.person(sessions, org.units["210"], "S9", None, name="未登録 九郎")
    with sessions() as s:
        s9 = s.exec(select(Staff.id).where(Staff.number == "S9")).one()
        boss = _staff(sessions, org, "M210")
        with pytest.raises(UserError, match="mgr_no_slack"):
            manager_actions.nudge(deps, s, boss, s9, "")
        with pytest.raises(UserError, match="mgr_not_allowed"):
            manager_actions.nudge(deps, s, boss, org.id("M210"), "")  # not oneself
        with pytest.raises(UserError, match="error_bad_input"):
            manager_actions.recommend(deps, s, boss, org.id("S3"), "promotion", "")
        with pytest.raises(UserError, match="mgr_not_allowed"):
            manager_actions.recommend(deps, s, None, org.id("S3"), "step_up", "")
        manager_actions.nudge(deps, s, boss, org.id("S3"), "")
        next_week = dataclasses.replace(deps, clock=lambda: MONDAY + timedelta(days=7))
        manager_actions.nudge(next_week, s, boss, org.id("S3"), "")  # a new week, a new 働きかけ
    assert [d.period for d in deliveries(sessions, "manager.nudge")] == ["2026-W49", "2026-W50"]


def test_views_stay_within_block_kit_limits_for_a_big_team(sessions, world):
    org, deps = world
    for i in range(150):
        b.person(sessions, org.units["210"], f"L{i:03d}", f"UL{i:03d}", name=f"大勢 {i:03d}" + "長" * 80)
    with sessions() as s:
        boss = _staff(sessions, org, "M210")
        view = manager_team.team_view(deps, s, boss, None, 90)
        summary, admin = manager_team.home_part(deps, s, boss)
        record = managers.record(deps, s, boss, org.id("S3"), "ja")
    text, blocks = team_message(view, deps.plan, "ja", deps.settings.tz)
    assert len(blocks) <= 50 and message_problems(blocks, text) == []
    assert view.people[0].member.number == "S3"  # stalled first
    assert view_problems(team_modal(view, deps.plan, "en", deps.settings.tz), "modal") == []
    assert view_problems(record_modal(record, deps.plan, deps.settings.tz), "modal") == []
    section = home_section(summary, "ja", admin)
    assert 0 < len(section) <= 6 and not admin
    assert home_section(None, "ja", False) == []


def test_every_message_exists_in_both_languages_with_the_same_placeholders():
    formatter = string.Formatter()
    assert set(ja.MESSAGES) == set(en.MESSAGES)
    for key in ja.MESSAGES:
        fields = [{f for _, f, _, _ in formatter.parse(cat.MESSAGES[key]) if f} for cat in (ja, en)]
        assert fields[0] == fields[1], key


def test_a_qualification_counts_in_the_team_view_as_it_does_for_the_person(sessions, world):
    from bot.services import progress
    from storage.record_models import QualificationHeld

    org, deps = world
    leader = b.person(sessions, org.units["210"], "T3", "UT3", name="主導 三子", tier=3, track="digi")
    with sessions() as s:
        boss = s.get(Staff, org.id("M210"))
        before = next(p for p in manager_team.team_view(deps, s, boss, None, 90).people if p.member.number == "T3")
        s.add(QualificationHeld(staff_id=leader.id, qualification_id="ipa-pm", obtained_on=MONDAY.date(),
                                source="import", recorded_at=MONDAY))
        s.commit()
        after = next(p for p in manager_team.team_view(deps, s, boss, None, 90).people if p.member.number == "T3")
        own = progress.standing(deps, s, s.get(Staff, leader.id), "ja")
    assert (before.done, after.done) == (0, 1)  # 応用情報 … stands for the IPA management course
    assert (after.done, after.total) == (own.progress.courses_done, own.progress.courses_total)


def test_bulk_statuses_agree_with_each_persons_own_standing(sessions):
    """The digest's memoised, bulk evaluation gives everyone the answer their own page gives."""
    from bot.services import progress
    from bot.services.manager_facts import Policy, statuses
    from storage import team
    from storage.demo_seed import seed
    from storage.org import OrgTree

    deps = dataclasses.replace(b.deps_for(sessions), clock=lambda: MONDAY)
    with sessions() as s:
        seed(s, deps.plan, 150, 12, deps.today(), MONDAY, seed_value=7)
        data = team.load(s, deps.today(), "2026-W49", MONDAY, MONDAY)
        found = statuses(deps.plan, data, OrgTree.load(s), Policy.of(deps.settings, deps.today()), deps.settings.tz)
        people = s.exec(select(Staff)).all()
        mismatches = []
        for person in people:
            own = progress.standing(deps, s, person, "ja")
            bulk = found[person.id]
            mine = (own.progress.courses_done, own.progress.courses_total, own.progress.complete,
                    None if own.step_up.allowed else own.step_up.reason)
            if (bulk.done, bulk.total, bulk.complete, bulk.step_up_reason) != mine:
                mismatches.append((person.number, mine))
    assert len(found) == 150 and mismatches == []
    assert len({s.step_up_reason for s in found.values()}) >= 3  # a city of varied people, not one case
