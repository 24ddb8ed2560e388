"""Every staff view the bot builds stays within Slack's limits, in Japanese and English, for the longest
possible history; and the views say what the rules say."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import builders as b
import pytest

from bot.blockkit import assert_message_ok, assert_view_ok
from bot.blocks.assessment import SheetState, gap_view, sheet_step_view, target_label, track_step_view
from bot.blocks.community import community_blocks
from bot.blocks.home import home_view
from bot.blocks.kit import section
from bot.blocks.modals import completion_modal, enrol_modal, step_up_modal
from bot.blocks.staff import help_message, mytraining_message, not_in_roster_home, not_in_roster_message
from bot.rules import assessment_gap
from bot.services import assessment, progress, training
from bot.services.assessment import SheetTarget
from bot.services.community import CommunityView, EventLine, OrganisedLine
from storage.community_models import CommunityEvent
from storage.models import Staff

LANGS = ["ja", "en"]


def _everything(sessions, status: str) -> Staff:
    """A tier-3 systems-track leader in a digital department with every course of the catalog recorded."""
    units = b.org(sessions)
    staff = b.person(sessions, units["111"], "9001", "U9001", tier=3, track="sys",
                     name="長い名前の職員" * 8)
    plan = b.load_plan()
    ids = list(plan.courses)
    if status == "completed":
        b.complete(sessions, staff.id, ids, {c: b.min_hours(c) for c in ids})
    else:
        b.enrol(sessions, staff.id, ids)
    b.sheet(sessions, staff.id, 3, "sys", {r.row: 1 for r in plan.skill_rows})
    b.qualifications(sessions, staff.id, [q.id for q in plan.qualifications])  # every qualification
    b.onjt(sessions, staff.id, [(o.id, role, date(2015 + i % 10, 4, 1 + i), None if i % 2 else date(2026, 3, 31),
                                 "長いメモ" * 50) for i, (o, role) in
                                enumerate((o, r) for o in plan.onjt.opportunities for r in o.roles)])
    return staff


MANAGERS = [section("managers")] * 6  # the managers' section is at most 6 blocks (bot.blocks.team.home_section)


def busiest_community(lang, tz):
    """The largest community part: a member and organiser, three coming events, four of their own."""
    now = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)

    def event(n):
        return CommunityEvent(id=n, title="長い名前の勉強会" * 12, kind="workshop", starts_at=now, ends_at=now,
                              place="会議室" * 60, online_url="https://example.jp/" + "x" * 400, capacity=500,
                              hours=2, description="", organiser_id=1, created_at=now, updated_at=now)
    cv = CommunityView(lang, True, True, 4000, tuple(EventLine(event(n), 500, 20, "waiting", 3) for n in range(3)),
                       True, tuple(OrganisedLine(event(n), 10, 2, n % 2 == 0) for n in range(4)), 12, 30.5)
    return community_blocks(cv, tz)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("status", ["completed", "enrolled"])
def test_longest_history_fits_slack(sessions, lang, status):
    staff = _everything(sessions, status)
    deps = b.deps_for(sessions)
    with sessions() as s:
        st = progress.standing(deps, s, staff, lang)
        allowed, locked = training.enrol_options(deps, s, staff)
        courses = training.completion_options(deps, s, staff)
    text, blocks = mytraining_message(st, deps.plan)
    assert_message_ok(blocks, text)
    view = home_view(st, deps.plan, deps.settings.tz, MANAGERS, None, busiest_community(lang, deps.settings.tz))
    assert_view_ok(view)
    assert_view_ok(enrol_modal(deps.plan, lang, list(deps.plan.courses.values()), locked))
    assert_view_ok(completion_modal(deps.plan, lang, list(deps.plan.courses.values()), b.TODAY, None))
    assert_view_ok(step_up_modal(lang, deps.plan.tier(2), deps.plan.tier(3), "2026年11月27日 10:00"))
    n = len(st.completed) if status == "completed" else len(st.in_progress)
    assert n == len(deps.plan.courses)  # every course shows up in the record
    if status == "completed":
        assert allowed == [] and courses == []
    else:  # everything in progress: a completion may be reported for every course, in the plan's order
        assert [c.id for c in courses] == sorted(deps.plan.courses)
    assert len(view["blocks"]) <= 100 and len(blocks) <= 50
    block_ids = [x.get("block_id") for x in view["blocks"]]
    assert "records_extra_actions" in block_ids and "language" in block_ids  # nothing cut off at 100
    home = json.dumps(view, ensure_ascii=False)
    assert deps.plan.qualifications[0].name in home or deps.plan.qualifications[0].name_en in home
    assert "📎" in home  # the gap shows qualifications and On-JT as evidence next to the rows


@pytest.mark.parametrize("lang", LANGS)
def test_every_sheet_step_and_gap_fits_slack(lang):
    plan = b.load_plan()
    for tier, track in [(1, None), (2, None), (3, "sys"), (3, "digi")]:
        target = SheetTarget(tier, track)
        steps = assessment.steps_for(plan, target)
        rows = [r.row for step in steps for r in step]
        assert rows == [r.row for r in assessment.rows_for(plan, target)]
        ratings = dict.fromkeys(rows, 4)
        for i in range(len(steps)):
            state = SheetState("community", tier, track, i, dict(ratings))
            assert_view_ok(sheet_step_view(plan, lang, state, steps, target_label(plan, tier, track, lang)))
        gap = assessment_gap(plan, dict.fromkeys(rows, 1), tier, track)
        assert_view_ok(gap_view(lang, gap, target_label(plan, tier, track, lang)))
    assert_view_ok(track_step_view(plan, lang, SheetState("step_up", 3, None, -1)))


@pytest.mark.parametrize("lang", LANGS)
def test_help_and_roster_answers_fit(lang):
    text, blocks = help_message(lang)
    assert_message_ok(blocks, text)
    assert "/mytraining help" in text
    text, blocks = not_in_roster_message(lang, "都市経営部デジタル戦略課")
    assert "都市経営部デジタル戦略課" in text
    assert_view_ok(not_in_roster_home(lang, "都市経営部デジタル戦略課"))


def test_progress_counts_and_locks_follow_the_rules(sessions):
    units = b.org(sessions)
    staff = b.person(sessions, units["210"], "1001", "U1001")  # general department, tier 1
    deps = b.deps_for(sessions)
    plan = deps.plan
    required = [c for g in plan.requirements if g.tier == 1 and g.dept_kind == "general"
                for c in g.paths[0].courses]
    b.complete(sessions, staff.id, required[:3], {c: b.min_hours(c) for c in required})
    with sessions() as s:
        st = progress.standing(deps, s, staff, "ja")
    assert (st.progress.courses_done, st.progress.courses_total) == (3, len(required))
    assert not st.progress.complete
    assert st.next_tier_lines and all(not line.access.allowed for line in st.next_tier_lines)
    home = str(home_view(st, plan, deps.settings.tz))
    assert "🔒" in home and "修了者のみ" in home
    b.complete(sessions, staff.id, required[3:], {c: b.min_hours(c) for c in required})
    with sessions() as s:
        st = progress.standing(deps, s, staff, "ja")
    assert st.progress.complete
    assert all(line.access.allowed for line in st.next_tier_lines)
    assert st.step_up.reason == "assessment_missing"
    b.sheet(sessions, staff.id, 2, None, {r.row: 3 for r in assessment.rows_for(plan, SheetTarget(2, None))})
    with sessions() as s:
        st = progress.standing(deps, s, staff, "ja")
    assert st.step_up.allowed and st.gap is not None and st.gap.met == st.gap.total
    text, blocks = mytraining_message(st, plan)
    assert "ステップアップを申請" in str(blocks)


def test_alternative_path_is_shown_as_such(sessions):
    units = b.org(sessions)
    staff = b.person(sessions, units["210"], "1002", "U1002", tier=2)
    deps = b.deps_for(sessions)
    b.complete(sessions, staff.id, ["t2-digital-literacy"], {"t2-digital-literacy": 50})
    with sessions() as s:
        st = progress.standing(deps, s, staff, "ja")
    general = [g for g in st.progress.groups if g.group.dept_kind == "general"][0]
    assert general.satisfied and general.path.alternative
    text, blocks = mytraining_message(st, deps.plan)
    assert "代わりの方法で修了" in str(blocks)
    assert st.progress.complete
    assert date(2026, 11, 27) == deps.today()
