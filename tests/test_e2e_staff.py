"""End to end: the real bot over HTTP, requests signed as Slack signs them, a fake Slack on loopback."""

from __future__ import annotations

import json
import time

import builders as b
import pytest
from harness import Clock, running_bot, wait_until
from slackpayloads import app_home_opened
from sqlmodel import select

from bot import ids
from bot.i18n import t
from bot.services import assessment
from bot.services.assessment import SheetTarget
from storage.models import AuditLog, Enrolment, ProcessedEvent, SelfAssessment, Staff, StepUpRequest


@pytest.fixture
def bot(db_url, sessions):
    with running_bot(db_url, sessions, Clock(b.NOW)) as running:
        units = b.org(sessions)
        running.extra["units"] = units
        running.extra["hanako"] = b.person(sessions, units["210"], "1001", "U1001", email="hanako@example.jp")
        running.extra["boss"] = b.person(sessions, units["210"], "1000", "U1000", name="市民 課長",
                                         position="所属長")
        running.slack.add_user("U1001", email="hanako@example.jp")
        running.slack.add_user("U1000", email="boss@example.jp")
        yield running
        assert running.slack.violations == []  # every view and message the bot sent was within limits


def _calls(bot, method, n=1):
    """The calls to `method` once there are at least n (the bot makes them after its ack)."""
    wait_until(lambda: len(bot.slack.calls_to(method)) >= n)
    return bot.slack.calls_to(method)


def _table(sessions, model):
    with sessions() as s:
        return [r.model_dump() for r in s.exec(select(model)).all()]


def test_mytraining_answers_privately_with_progress(bot):
    reply = bot.req.slash_command("U1001", "")
    assert reply.status == 200
    assert reply.body["response_type"] == "ephemeral"
    text = json.dumps(reply.body["blocks"], ensure_ascii=False)
    assert "豊中 花子さんの研修状況" in text and "全職員" in text and "次に受講する研修" in text
    assert bot.slack.calls_to("users.info") == []  # known by Slack ID: no lookup


@pytest.mark.parametrize("words", ["help", "ヘルプ", "何か別のこと"])
def test_help_and_unknown_text_get_help(bot, words):
    reply = bot.req.slash_command("U1001", words)
    assert reply.status == 200 and "/mytraining help" in reply.body["text"]


def test_first_contact_by_email_is_remembered(bot, sessions):
    b.person(sessions, bot.extra["units"]["210"], "1002", None, name="庄内 次郎", email="Jiro@Example.jp")
    bot.slack.add_user("U2002", email="jiro@example.jp", locale="en-US")
    reply = bot.req.slash_command("U2002", "")
    assert "Training status of 庄内 次郎" in reply.body["text"]  # English from the Slack locale
    assert len(bot.slack.calls_to("users.info")) == 1
    bot.req.slash_command("U2002", "")
    assert len(bot.slack.calls_to("users.info")) == 1  # remembered: looked up once
    with sessions() as s:
        staff = s.exec(select(Staff).where(Staff.number == "1002")).one()
    assert staff.slack_id == "U2002" and staff.slack_locale == "en-US"


def test_someone_not_in_the_roster_is_told_whom_to_ask(bot, sessions):
    bot.slack.add_user("U9999", email="stranger@example.jp")
    before = _table(sessions, Staff)
    reply = bot.req.slash_command("U9999", "")
    assert reply.status == 200 and "都市経営部デジタル戦略課" in reply.body["text"]
    assert _table(sessions, Staff) == before


@pytest.mark.parametrize("forge", ["bad_signature", "no_signature", "no_headers", "stale", "tampered_body"])
def test_forged_unsigned_and_stale_requests_are_refused(bot, sessions, forge):
    before = (_table(sessions, Enrolment), _table(sessions, AuditLog))
    course = "t1-ict-basics"
    reply = bot.req.view_submission("U1001", ids.VIEW_ENROL, _course_state(course), forge=forge)
    assert reply.status == 401
    assert bot.req.slash_command("U1001", "", forge=forge).status == 401
    assert (_table(sessions, Enrolment), _table(sessions, AuditLog)) == before
    assert bot.slack.calls == []


def test_app_home_is_published_once_per_event_even_when_retried(bot, sessions):
    event = app_home_opened("U1001")
    assert bot.req.event(event, event_id="Ev0001").status == 200
    wait_until(lambda: bot.slack.calls_to("views.publish"))
    assert bot.req.event(event, event_id="Ev0001", retry_num=1).status == 200
    assert bot.req.event(app_home_opened("U1001", tab="messages"), event_id="Ev0002").status == 200
    wait_until(lambda: len(_table(sessions, ProcessedEvent)) == 2)
    time.sleep(0.2)  # give a wrongly handled retry the chance to publish again
    publishes = bot.slack.calls_to("views.publish")
    assert len(publishes) == 1
    assert "育成の段階" in json.dumps(publishes[0].args["view"], ensure_ascii=False)
    assert sorted(e["event_id"] for e in _table(sessions, ProcessedEvent)) == ["Ev0001", "Ev0002"]


def _course_state(course_id: str) -> dict:
    return {ids.BLOCK_COURSE: {ids.ELEM_COURSE: {"type": "static_select",
                                                 "selected_option": {"value": course_id}}}}


def test_enrol_from_the_modal_and_locked_courses_are_refused(bot):
    reply = bot.req.block_action("U1001", ids.ACTION_OPEN_ENROL, view={"type": "home", "id": "VHOME"})
    assert reply.status == 200
    opened = _calls(bot, "views.open")
    assert len(opened) == 1 and opened[0].args["view"]["callback_id"] == ids.VIEW_ENROL
    locked = bot.req.view_submission("U1001", ids.VIEW_ENROL, _course_state("t2-dx-policy"))
    assert locked.body["response_action"] == "errors"
    assert "修了者のみ" in locked.body["errors"][ids.BLOCK_COURSE]
    ok = bot.req.view_submission("U1001", ids.VIEW_ENROL, _course_state("t1-ict-basics"))
    assert ok.status == 200 and ok.body in ("", None, {})
    rows = _table(bot.sessions, Enrolment)
    assert [(r["course_id"], r["status"], str(r["enrolled_on"])) for r in rows] == [
        ("t1-ict-basics", "enrolled", "2026-11-27")]
    assert _calls(bot, "views.publish"), "the Home tab is refreshed after the action"
    again = bot.req.view_submission("U1001", ids.VIEW_ENROL, _course_state("t1-ict-basics"))
    assert again.body["response_action"] == "errors"  # already enrolled: nothing new
    assert len(_table(bot.sessions, Enrolment)) == 1


def _completion_state(course: str, day: str, hours: str, url: str = "") -> dict:
    state = _course_state(course)
    state[ids.BLOCK_COMPLETED_ON] = {ids.ELEM_COMPLETED_ON: {"type": "datepicker", "selected_date": day}}
    state[ids.BLOCK_HOURS] = {ids.ELEM_HOURS: {"type": "plain_text_input", "value": hours}}
    state[ids.BLOCK_EVIDENCE] = {ids.ELEM_EVIDENCE: {"type": "plain_text_input", "value": url or None}}
    return state


def test_report_a_completion_with_inline_errors_first(bot, sessions):
    staff = bot.extra["hanako"]
    b.enrol(sessions, staff.id, ["t1-ict-basics"])  # enrolled 2026-10-01; the course is 2 h
    bad = bot.req.view_submission("U1001", ids.VIEW_COMPLETE,
                                  _completion_state("t1-ict-basics", "2026-12-01", "９", "ftp://x"))
    assert bad.body["response_action"] == "errors"
    assert set(bad.body["errors"]) == {ids.BLOCK_EVIDENCE}
    bad = bot.req.view_submission("U1001", ids.VIEW_COMPLETE, _completion_state("t1-ict-basics", "2026-12-01", "９"))
    assert set(bad.body["errors"]) == {ids.BLOCK_COMPLETED_ON, ids.BLOCK_HOURS}
    assert "未来" in bad.body["errors"][ids.BLOCK_COMPLETED_ON]
    early = bot.req.view_submission("U1001", ids.VIEW_COMPLETE, _completion_state("t1-ict-basics", "2026-09-30", "2"))
    assert "受講開始日より前" in early.body["errors"][ids.BLOCK_COMPLETED_ON]
    assert _table(sessions, Enrolment)[0]["status"] == "enrolled"
    ok = bot.req.view_submission("U1001", ids.VIEW_COMPLETE,
                                 _completion_state("t1-ict-basics", "2026-11-20", "２時間", "https://lms.example/1"))
    assert ok.status == 200 and not ok.body
    row = _table(sessions, Enrolment)[0]
    assert (row["status"], str(row["completed_on"]), row["hours"], row["evidence_url"]) == (
        "completed", "2026-11-20", 2.0, "https://lms.example/1")
    dms = [c.args for c in _calls(bot, "chat.postMessage") if c.args.get("channel") == "U1001"]
    assert any("ICTの基礎" in m["text"] for m in dms)


def test_self_assessment_sheet_step_by_step_then_gap(bot, sessions):
    plan = b.load_plan()
    bot.req.block_action("U1001", ids.ACTION_OPEN_ASSESSMENT, "step_up", view={"type": "home", "id": "VHOME"})
    view = _calls(bot, "views.open")[-1].args["view"]
    steps = assessment.steps_for(plan, SheetTarget(2, None))
    for i, step in enumerate(steps):
        assert view["callback_id"] == ids.VIEW_ASSESSMENT
        state = {ids.rating_block(r.row): {ids.ELEM_RATING: {"type": "radio_buttons",
                                                              "selected_option": {"value": "3"}}} for r in step}
        if i == 0:
            state[ids.BLOCK_PURPOSE] = {ids.ELEM_PURPOSE: {"type": "radio_buttons",
                                                          "selected_option": {"value": "community"}}}
            missing = dict(state)
            missing.pop(ids.rating_block(step[0].row))
            err = bot.req.view_submission("U1001", ids.VIEW_ASSESSMENT, missing, view["private_metadata"])
            assert list(err.body["errors"]) == [ids.rating_block(step[0].row)]
        reply = bot.req.view_submission("U1001", ids.VIEW_ASSESSMENT, state, view["private_metadata"])
        assert reply.body["response_action"] == "update"
        view = reply.body["view"]
    assert "満たしています" in json.dumps(view, ensure_ascii=False)
    sheets = _table(sessions, SelfAssessment)
    assert [(s["purpose"], s["target_tier"]) for s in sheets] == [("community", 2)]


def test_step_up_after_completing_the_tier_tells_the_manager(bot, sessions):
    plan = b.load_plan()
    staff = bot.extra["hanako"]
    refused = bot.req.block_action("U1001", ids.ACTION_STEP_UP, view={"type": "home", "id": "VHOME"})
    assert refused.status == 200
    assert "修了すると" in json.dumps(_calls(bot, "views.open")[-1].args["view"], ensure_ascii=False)
    required = [c for g in plan.requirements if g.tier == 1 and g.dept_kind == "general" for c in g.paths[0].courses]
    b.complete(sessions, staff.id, required, {c: b.min_hours(c) for c in required})
    b.sheet(sessions, staff.id, 2, None, {r.row: 3 for r in assessment.rows_for(plan, SheetTarget(2, None))})
    bot.req.block_action("U1001", ids.ACTION_STEP_UP, view={"type": "home", "id": "VHOME"})
    assert _calls(bot, "views.open", 2)[-1].args["view"]["callback_id"] == ids.VIEW_STEP_UP
    reply = bot.req.view_submission("U1001", ids.VIEW_STEP_UP, {})
    assert reply.body["response_action"] == "update"
    assert [(r["from_tier"], r["to_tier"], r["status"]) for r in _table(sessions, StepUpRequest)] == [(1, 2, "pending")]
    wait_until(lambda: any(c.args.get("channel") == "U1000" for c in bot.slack.calls_to("chat.postMessage")))
    to_boss = [c.args for c in bot.slack.calls_to("chat.postMessage") if c.args.get("channel") == "U1000"]
    assert len(to_boss) == 1 and "豊中 花子" in to_boss[0]["text"]
    twice = bot.req.view_submission("U1001", ids.VIEW_STEP_UP, {})
    assert "すでに" in json.dumps(twice.body, ensure_ascii=False)
    assert len(_table(sessions, StepUpRequest)) == 1


def test_healthz(bot):
    import urllib.request

    with urllib.request.urlopen(bot.url + "/healthz", timeout=5) as resp:
        assert resp.status == 200 and resp.read() == b"ok"


def test_a_failing_slack_call_is_logged_and_the_person_is_told(bot, sessions):
    bot.slack.fail_next("views.open", error="internal_error", status=500)
    before = _table(sessions, Enrolment)
    reply = bot.req.block_action("U1001", ids.ACTION_OPEN_ENROL, view={"type": "home", "id": "VHOME"})
    assert reply.status == 200  # acked before the failing call
    wait_until(lambda: any(c.args.get("channel") == "U1001" for c in bot.slack.calls_to("chat.postMessage")))
    told = [c.args["text"] for c in bot.slack.calls_to("chat.postMessage") if c.args.get("channel") == "U1001"]
    assert told == [t("ja", "error_internal")] and "App Home で記録を確かめて" in told[0]  # never "nothing changed":
    # a failure after a commit (a Slack call after the save) would make that untrue
    assert _table(sessions, Enrolment) == before


def _overflow(verb: str, course_id: str) -> dict:
    return {"type": "overflow", "selected_option": {"text": {"type": "plain_text", "text": verb},
                                                    "value": f"{verb}:{course_id}"}}


def test_withdraw_from_the_home_menu_then_enrol_again(bot, sessions):
    staff = bot.extra["hanako"]
    b.enrol(sessions, staff.id, ["t1-ict-basics"])
    home = {"type": "home", "id": "VHOME"}
    bot.req.block_action("U1001", ids.ACTION_COURSE_MENU, view=home, action=_overflow("withdraw", "t1-ict-basics"))
    wait_until(lambda: _table(sessions, Enrolment)[0]["status"] == "withdrawn")
    wait_until(lambda: any("取り消しました" in c.args.get("text", "") for c in bot.slack.calls_to("chat.postMessage")))
    bot.req.block_action("U1001", ids.ACTION_COURSE_MENU, view=home, action=_overflow("withdraw", "t1-ict-basics"))
    wait_until(lambda: any("受講中ではありません" in c.args.get("text", "")
                           for c in bot.slack.calls_to("chat.postMessage")))
    bot.req.block_action("U1001", ids.ACTION_ENROL_COURSE, "t1-ict-basics")  # the button on a suggestion
    wait_until(lambda: _table(sessions, Enrolment)[0]["status"] == "enrolled")
    assert len(_table(sessions, Enrolment)) == 1  # one row per person and course, history in the audit log
    actions = [a["action"] for a in _table(sessions, AuditLog)]
    assert actions == ["withdraw", "enrol"]


def test_the_language_chosen_on_the_home_tab_sticks(bot, sessions):
    home = {"type": "home", "id": "VHOME"}
    bot.req.block_action("U1001", f"{ids.ACTION_SET_LANGUAGE}_en", "en", view=home)
    wait_until(lambda: bot.slack.calls_to("views.publish"))
    assert "The ladder" in json.dumps(bot.slack.calls_to("views.publish")[-1].args["view"])
    reply = bot.req.slash_command("U1001", "")
    assert reply.body["text"].startswith("Training status of")
    with sessions() as s:
        assert s.get(Staff, bot.extra["hanako"].id).language == "en"
