"""End to end: managers in Slack — the digest in a private channel, 詳細, 働きかけ, 推薦, step-up decisions,
/mytraining team and the App Home — through the real bot over HTTP, signed requests, a fake Slack."""

from __future__ import annotations

import json
from datetime import timedelta

import builders as b
import pytest
from harness import Clock, running_bot, wait_until
from manager_fixtures import MONDAY, deliveries, known_org, payload_text, tier_one_courses
from slackpayloads import app_home_opened
from sqlmodel import select

from bot import ids
from bot.plan import load_plan
from bot.services.assessment import SheetTarget, rows_for
from jobs.registry import JOBS, JobContext
from jobs.send_policy import sending_client
from storage import audit
from storage.manager_models import Nudge, Recommendation
from storage.models import Staff, StepUpRequest, TierChange

SENT_AT = MONDAY + timedelta(hours=1)  # 09:30 in Tokyo: inside the sending window


@pytest.fixture
def mbot(db_url, sessions):
    with running_bot(db_url, sessions, Clock(MONDAY), SEND_RATE_PER_SECOND="200") as running:
        running.extra["org"] = known_org(sessions)
        for number in running.extra["org"].people:
            running.slack.add_user(f"U{number}", email=f"{number.lower()}@example.jp")
        yield running
        assert running.slack.violations == []  # every view and message the bot sent was within limits


def run_job(bot, name, now=SENT_AT):
    """Run a registered job once, as `python -m bot jobs run NAME --now` does."""
    ctx = JobContext(settings=bot.settings, sessions=bot.sessions, plan=load_plan(), clock=lambda: now,
                     client_factory=lambda: sending_client(bot.slack.bot_token, bot.slack.url, timeout=5),
                     sleep=lambda _s: None)
    return JOBS[name].run(ctx, now)


def opened(bot, n):
    """The n-th views.open (1-based), once the bot made it."""
    wait_until(lambda: len(bot.slack.calls_to("views.open")) >= n)
    return bot.slack.calls_to("views.open")[n - 1].args["view"]


def menu(bot, user, verb, number, channel="D111"):
    """Choose a verb in a person's "…" menu of a message (a digest in a channel or a DM)."""
    return bot.req.block_action(user, ids.ACTION_MGR_MENU, channel_id=channel, message={"ts": "1700000000.000100"},
                                action={"type": "overflow", "selected_option": {"value": f"{verb}:{number}"}})


def reads(bot, action):
    with bot.sessions() as s:
        return [(e.actor, e.subject_staff_id) for e in audit.entries(s, actions=[action])]


def test_digest_in_a_private_channel_and_every_press_is_checked(mbot):
    org, fake = mbot.extra["org"], mbot.slack
    fake.add_channel("G210", "mgr-210", is_private=True, members=["UM210", "U0BOT"])
    fake.add_channel("C999", "general", members=["UM210", "U0BOT"])
    bot_home = {"type": "home", "id": "VHOME"}
    mbot.req.block_action("UM210", ids.ACTION_ADMIN_CHANNELS, view=bot_home)
    assert "管理者だけ" in json.dumps(opened(mbot, 1), ensure_ascii=False)
    mbot.req.block_action("UA1", ids.ACTION_ADMIN_CHANNELS, view=bot_home)
    assert opened(mbot, 2)["callback_id"] == ids.VIEW_CHANNEL_SETUP
    public = mbot.req.view_submission("UA1", ids.VIEW_CHANNEL_SETUP, _channel_state("210", "C999"))
    assert public.body["response_action"] == "errors" and "公開" in public.body["errors"][ids.BLOCK_CHANNEL]
    done = mbot.req.view_submission("UA1", ids.VIEW_CHANNEL_SETUP, _channel_state("210", "G210"))
    assert "G210" in json.dumps(done.body, ensure_ascii=False)
    assert run_job(mbot, "digest", MONDAY).startswith("2026-11-30 2026-W49: units=4 planned=4")
    assert "sent=4" in run_job(mbot, "send")  # one digest in the channel, three to other units' managers by DM
    posted = fake.messages("G210")
    assert len(posted) == 1 and "市民 三郎" in json.dumps(posted[0]["blocks"], ensure_ascii=False)
    s4 = org.id("S4")
    for outsider in ("US3", "UM120", "UNOBODY"):  # staff in the channel, a sibling unit's manager, not in roster
        menu(mbot, outsider, ids.MGR_DETAIL, s4, channel="G210")
    opened(mbot, 5)
    assert all("権限がありません" in json.dumps(c.args["view"], ensure_ascii=False)
               for c in fake.calls_to("views.open")[2:5])
    assert reads(mbot, audit.READ_RECORD) == []
    menu(mbot, "UM210", ids.MGR_DETAIL, s4, channel="G210")
    record = opened(mbot, 6)
    assert record["callback_id"] == ids.VIEW_RECORD and "市民 四郎" in json.dumps(record, ensure_ascii=False)
    assert reads(mbot, audit.READ_RECORD) == [(f"staff:{org.id('M210')}", s4)]


def _channel_state(code, channel):
    return {ids.BLOCK_UNIT_CODE: {ids.ELEM_UNIT_CODE: {"type": "plain_text_input", "value": code}},
            ids.BLOCK_CHANNEL: {ids.ELEM_CHANNEL: {"type": "conversations_select", "selected_conversation": channel}},
            ids.BLOCK_CHANNEL_CLEAR: {ids.ELEM_CHANNEL_CLEAR: {"type": "checkboxes", "selected_options": []}}}


def _note(block, elem, text):
    return {block: {elem: {"type": "plain_text_input", "value": text}}}


def test_nudge_names_the_manager_once_a_week(mbot):
    org = mbot.extra["org"]
    s3 = org.id("S3")
    menu(mbot, "UM210", ids.MGR_NUDGE, s3)
    assert opened(mbot, 1)["callback_id"] == ids.VIEW_NUDGE
    stranger = mbot.req.view_submission("UM120", ids.VIEW_NUDGE, _note(ids.BLOCK_NUDGE_NOTE, ids.ELEM_NUDGE_NOTE, "x"),
                                        str(s3))
    assert "権限がありません" in json.dumps(stranger.body, ensure_ascii=False)
    note = _note(ids.BLOCK_NUDGE_NOTE, ids.ELEM_NUDGE_NOTE, "来月の研修、一緒に見ましょう")
    sent = mbot.req.view_submission("UM210", ids.VIEW_NUDGE, note, str(s3))
    assert "受け付けました" in json.dumps(sent.body, ensure_ascii=False)
    again = mbot.req.view_submission("UM210", ids.VIEW_NUDGE, {}, str(s3))
    assert "今週すでに" in json.dumps(again.body, ensure_ascii=False)
    menu(mbot, "UM210", ids.MGR_NUDGE, s3)
    assert "今週すでに" in json.dumps(opened(mbot, 2), ensure_ascii=False)
    nudges = deliveries(mbot.sessions, "manager.nudge")
    assert [(d.recipient, d.period) for d in nudges] == [("US3", "2026-W49")]
    assert "市民 課長さんから" in payload_text(nudges[0]) and "来月の研修" in payload_text(nudges[0])
    with mbot.sessions() as s:
        assert [(n.staff_id, n.by_staff_id) for n in s.exec(select(Nudge)).all()] == [(s3, org.id("M210"))]
    run_job(mbot, "send")
    dm = mbot.slack.messages(mbot.slack.dm_channel("US3"))
    assert len(dm) == 1 and "来月の研修" in json.dumps(dm[0]["blocks"], ensure_ascii=False)


def test_recommendation_tells_the_person_and_the_administrators(mbot):
    org = mbot.extra["org"]
    s4 = org.id("S4")
    menu(mbot, "UM210", ids.MGR_REC_COMMUNITY, s4)
    modal = opened(mbot, 1)
    assert modal["callback_id"] == ids.VIEW_RECOMMEND
    kind = next(b_ for b_ in modal["blocks"] if b_.get("block_id") == ids.BLOCK_REC_KIND)["element"]
    assert kind["initial_option"]["value"] == "community"
    state = {ids.BLOCK_REC_KIND: {ids.ELEM_REC_KIND: {"type": "radio_buttons",
                                                      "selected_option": {"value": "community"}}},
             **_note(ids.BLOCK_REC_NOTE, ids.ELEM_REC_NOTE, "データ活用に熱心です")}
    reply = mbot.req.view_submission("UM210", ids.VIEW_RECOMMEND, state, str(s4))
    assert "推薦しました" in json.dumps(reply.body, ensure_ascii=False)
    twice = mbot.req.view_submission("UM210", ids.VIEW_RECOMMEND, state, str(s4))
    assert "今週すでに" in json.dumps(twice.body, ensure_ascii=False)
    told = {d.recipient: payload_text(d) for d in deliveries(mbot.sessions, "manager.recommend")}
    assert set(told) == {"US4", "UA1"}
    assert "コミュニティに推薦しました" in told["US4"] and "市民 四郎" in told["UA1"] and "熱心" in told["UA1"]
    with mbot.sessions() as s:
        assert [(r.kind, r.by_staff_id) for r in s.exec(select(Recommendation)).all()] == [
            ("community", org.id("M210"))]


def _file_step_up(bot, number):
    """S4 completes tier 1, submits a sheet and asks to step up (the staff flow)."""
    plan = load_plan()
    staff_id = bot.extra["org"].id(number)
    required = tier_one_courses()
    b.complete(bot.sessions, staff_id, [c for c in required if c != required[0]],
               {c: b.min_hours(c) for c in required})
    b.sheet(bot.sessions, staff_id, 2, None, {r.row: 3 for r in rows_for(plan, SheetTarget(2, None))}, at=MONDAY)
    bot.req.block_action(f"U{number}", ids.ACTION_STEP_UP, view={"type": "home", "id": "VHOME"})
    wait_until(lambda: bot.slack.calls_to("views.open"))
    assert bot.req.view_submission(f"U{number}", ids.VIEW_STEP_UP, {}).status == 200
    with bot.sessions() as s:
        return s.exec(select(StepUpRequest).where(StepUpRequest.staff_id == staff_id)).one()


def _dm_to(bot, user):
    wait_until(lambda: any(c.args.get("channel") == user for c in bot.slack.calls_to("chat.postMessage")))
    return next(c.args for c in bot.slack.calls_to("chat.postMessage") if c.args.get("channel") == user)


def _press(bot, user, action_id, request_id, n_open):
    dm = bot.slack.dm_channel(user)
    posted = bot.slack.messages(dm)  # someone who never got the DM can still forge the press
    bot.req.block_action(user, action_id, str(request_id), channel_id=dm,
                         message={"ts": posted[-1]["ts"] if posted else "1700000000.000001"})
    return opened(bot, n_open)


def _decide(bot, user, view, comment):
    state = _note(ids.BLOCK_DECISION_COMMENT, ids.ELEM_DECISION_COMMENT, comment)
    return bot.req.view_submission(user, ids.VIEW_DECISION, state, view["private_metadata"])


def test_step_up_approved_from_the_managers_dm(mbot):
    org = mbot.extra["org"]
    request = _file_step_up(mbot, "S4")
    dm = _dm_to(mbot, "UM210")
    actions = next(bl for bl in dm["blocks"] if bl.get("block_id") == ids.BLOCK_STEP_UP_DECISION)
    assert [e["action_id"] for e in actions["elements"]][:2] == [ids.ACTION_STEP_UP_APPROVE, ids.ACTION_STEP_UP_DECLINE]
    refused = _press(mbot, "UM120", ids.ACTION_STEP_UP_APPROVE, request.id, 2)
    assert "権限がありません" in json.dumps(refused, ensure_ascii=False)
    decline = _press(mbot, "UM210", ids.ACTION_STEP_UP_DECLINE, request.id, 3)
    empty = _decide(mbot, "UM210", decline, "")
    assert empty.body["response_action"] == "errors"  # a decline needs a reason
    view = _press(mbot, "UM210", ids.ACTION_STEP_UP_APPROVE, request.id, 4)
    done = _decide(mbot, "UM210", view, "おめでとうございます")
    assert "承認しました" in json.dumps(done.body, ensure_ascii=False)
    with mbot.sessions() as s:
        staff, req = s.get(Staff, org.id("S4")), s.get(StepUpRequest, request.id)
        changes = s.exec(select(TierChange).where(TierChange.staff_id == org.id("S4"))).all()
    assert (staff.tier, req.status, req.decided_by) == (2, "approved", org.id("M210"))
    assert [(c.from_tier, c.to_tier, c.approved_by, c.source) for c in changes] == [(1, 2, org.id("M210"), "approval")]
    told = deliveries(mbot.sessions, "stepup.decision")
    assert [d.recipient for d in told] == ["US4"] and "承認されました" in payload_text(told[0])
    wait_until(lambda: mbot.slack.calls_to("chat.update"))
    assert "承認しました" in mbot.slack.calls_to("chat.update")[0].args["text"]
    again = _decide(mbot, "UM210", view, "")
    assert "判断済み" in json.dumps(again.body, ensure_ascii=False)


def test_step_up_with_administrator_confirmation(db_url, sessions):
    with running_bot(db_url, sessions, Clock(MONDAY), STEP_UP_ADMIN_CONFIRM="true") as bot:
        org = known_org(sessions)
        bot.extra["org"] = org
        request = _file_step_up(bot, "S4")
        _dm_to(bot, "UM210")
        view = _press(bot, "UM210", ids.ACTION_STEP_UP_APPROVE, request.id, 2)
        assert "確認後に確定" in json.dumps(view, ensure_ascii=False)
        assert "確認後に確定" in json.dumps(_decide(bot, "UM210", view, "推薦します").body, ensure_ascii=False)
        with sessions() as s:
            assert (s.get(Staff, org.id("S4")).tier, s.get(StepUpRequest, request.id).status) == (1, "pending")
        confirm = deliveries(sessions, "stepup.confirm")
        assert [d.recipient for d in confirm] == ["UA1"] and "推薦します" in payload_text(confirm[0])
        assert "確認を待って" in json.dumps(_decide(bot, "UM210", view, "").body, ensure_ascii=False)
        run_job(bot, "send")  # the administrator's DM with the buttons, and the person's "approved, waiting"
        assert "確認後に確定" in json.dumps(bot.slack.messages(bot.slack.dm_channel("US4")), ensure_ascii=False)
        admin_view = _press(bot, "UA1", ids.ACTION_STEP_UP_APPROVE, request.id, 3)
        assert "戦略 課長" not in json.dumps(admin_view, ensure_ascii=False)  # the approver shown is 市民 課長
        assert "市民 課長さんが承認済み" in json.dumps(admin_view, ensure_ascii=False)
        _decide(bot, "UA1", admin_view, "")
        with sessions() as s:
            change = s.exec(select(TierChange).where(TierChange.staff_id == org.id("S4"))).one()
            assert (s.get(Staff, org.id("S4")).tier, change.approved_by) == (2, org.id("A1"))
        assert sorted(d.recipient for d in deliveries(sessions, "stepup.decision")) == ["UM210", "US4", "US4"]
        wait_until(lambda: len(bot.slack.calls_to("chat.update")) == 2)  # both DMs lost their buttons
        updates = bot.slack.calls_to("chat.update")
        assert [(c.error, c.args["text"][:1]) for c in updates] == [(None, "⏳"), (None, "✅")]
        assert bot.slack.violations == []


def test_team_command_search_help_and_home_for_managers_only(mbot):
    org = mbot.extra["org"]
    team = mbot.req.slash_command("UM210", "team")
    text = json.dumps(team.body["blocks"], ensure_ascii=False)
    assert "市民課 の職員" in text and "市民 三郎" in text and "推進 二郎" not in text
    assert sorted(s for _, s in reads(mbot, audit.READ_TEAM)) == sorted([org.id("S3"), org.id("S4")])
    assert "表示できません" in mbot.req.slash_command("UM210", "team 110").body["text"]
    assert "所属長・課長補佐・係長" in mbot.req.slash_command("US3", "team").body["text"]
    found = json.dumps(mbot.req.slash_command("UM110", "find 推進").body, ensure_ascii=False)
    assert "推進 二郎" in found and "市民" not in found
    assert "/mytraining team" in json.dumps(mbot.req.slash_command("UM210", "help").body, ensure_ascii=False)
    assert "/mytraining team" not in json.dumps(mbot.req.slash_command("US3", "help").body, ensure_ascii=False)
    for user, event_id in (("UM210", "Ev01"), ("US3", "Ev02"), ("UA1", "Ev03")):
        mbot.req.event(app_home_opened(user), event_id=event_id)
    wait_until(lambda: len(mbot.slack.home_views) == 3)
    homes = {u: json.dumps(v["blocks"], ensure_ascii=False) for u, v in mbot.slack.home_views.items()}
    assert "所属職員" in homes["UM210"] and ids.ACTION_TEAM_OPEN in homes["UM210"]
    assert ids.ACTION_TEAM_OPEN not in homes["US3"] and ids.ACTION_ADMIN_CHANNELS not in homes["US3"]
    assert ids.ACTION_ADMIN_CHANNELS in homes["UA1"]
    assert all(len(v["blocks"]) <= 100 for v in mbot.slack.home_views.values())


def test_team_export_arrives_in_the_dm_with_japanese_headers(mbot):
    import io

    from openpyxl import load_workbook

    mbot.req.block_action("UM110", ids.ACTION_TEAM_EXPORT, "", view={"type": "home", "id": "VHOME"})
    wait_until(lambda: mbot.slack.calls_to("files.completeUploadExternal"))
    (file,) = mbot.slack.files.values()
    book = load_workbook(io.BytesIO(file.data))
    assert book.sheetnames == ["職員一覧", "研修記録"]
    people = list(book["職員一覧"].iter_rows(values_only=True))
    assert people[0][:2] == ("職員番号", "氏名") and {r[0] for r in people[1:]} == {"M110", "M111", "S1", "S2", "A1"}
    assert file.channels == [mbot.slack.dm_channel("UM110")]
    assert len(reads(mbot, audit.READ_EXPORT)) == 4  # everyone but the manager


def test_team_modal_from_the_home_the_admin_command_and_a_forged_export(mbot):
    home = {"type": "home", "id": "VHOME"}
    mbot.req.block_action("UM110", ids.ACTION_TEAM_OPEN, view=home)
    team = opened(mbot, 1)
    assert team["callback_id"] == ids.VIEW_TEAM and "推進 二郎" in json.dumps(team, ensure_ascii=False)
    mbot.req.block_action("US1", ids.ACTION_TEAM_OPEN, view=home)
    assert "所属長・課長補佐・係長" in json.dumps(opened(mbot, 2), ensure_ascii=False)
    assert "開きました" in mbot.req.slash_command("UA1", "admin").body["text"]
    assert opened(mbot, 3)["callback_id"] == ids.VIEW_CHANNEL_SETUP
    mbot.req.slash_command("US1", "admin")
    assert "管理者だけ" in json.dumps(opened(mbot, 4), ensure_ascii=False)
    mbot.req.block_action("US1", ids.ACTION_TEAM_EXPORT, "110", view=home)  # a forged press: no file, a reason
    wait_until(lambda: any("所属長・課長補佐・係長" in (c.args.get("text") or "")
                           for c in mbot.slack.calls_to("chat.postMessage")))
    assert mbot.slack.files == {}
