"""End to end: the learning community through the real bot over HTTP, signed requests and a fake Slack —
join with the sheet, create an event, announce it, fill it past capacity, give a seat back and see the first
waiting person promoted and told, cancel and update notices, mark attendance, and the hours in the record."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import builders as b
import pytest
from harness import Clock, running_bot, wait_until
from openpyxl import load_workbook
from slackpayloads import app_home_opened
from sqlmodel import select

from bot import ids
from bot.plan import load_plan
from jobs.registry import JOBS, JobContext
from jobs.send_policy import sending_client
from storage import community, roles
from storage.community_models import CommunityEvent, EventRsvp
from storage.exporting import export
from storage.manager_models import CommunityMember
from storage.models import AuditLog

CHANNEL = "C0COMMUNITY"
HOME = {"type": "home", "id": "VHOME"}
NOW = datetime(2026, 11, 30, 0, 30, tzinfo=UTC)  # Monday 09:30 in Tokyo: inside the sending window
MEMBERS = ("2001", "2002", "2003", "2004")


@pytest.fixture
def cbot(db_url, sessions):
    with running_bot(db_url, sessions, Clock(NOW), COMMUNITY_CHANNEL_ID=CHANNEL, SEND_RATE_PER_SECOND="200") as bot:
        units = b.org(sessions)
        people = {"lead": b.person(sessions, units["111"], "1001", "U1001", name="運営 一郎")}
        for number in MEMBERS:
            people[number] = b.person(sessions, units["210"], number, f"U{number}", name=f"職員 {number}")
        people["outsider"] = b.person(sessions, units["210"], "3001", "U3001", name="外部 三郎")
        for staff in people.values():
            bot.slack.add_user(str(staff.slack_id), email=f"{staff.number}@example.jp")
        # Members who joined the channel get ephemeral answers there; others (the outsider) get a DM.
        bot.slack.add_channel(CHANNEL, "learning-community", is_private=False,
                              members=["UBOT", *(f"U{n}" for n in MEMBERS)])
        with sessions() as s:
            roles.grant(s, people["lead"].id, "community_lead", NOW, "cli")
            for number in MEMBERS:
                community.join(s, people[number].id, NOW - timedelta(days=30), None)
            s.commit()
        bot.extra.update(people)
        yield bot
        assert bot.slack.violations == []  # every view and message the bot sent was within Slack's limits


def run_job(bot, name, now):
    ctx = JobContext(settings=bot.settings, sessions=bot.sessions, plan=load_plan(), clock=lambda: now,
                     client_factory=lambda: sending_client(bot.slack.bot_token, bot.slack.url, timeout=5),
                     sleep=lambda _s: None)
    return JOBS[name].run(ctx, now)


def event_form(title="生成AI勉強会", day="2026-12-03", start="18:00", end="19:30", capacity="2", hours="1.5",
               place="第二庁舎 3階会議室", url=None, kind="study_group", tier="all"):
    def field(block, elem, kind_, key, value):
        return {block: {elem: {"type": kind_, key: value}}}
    return {**field(ids.BLOCK_EVENT_TITLE, ids.ELEM_EVENT_TITLE, "plain_text_input", "value", title),
            **field(ids.BLOCK_EVENT_KIND, ids.ELEM_EVENT_KIND, "static_select", "selected_option",
                    {"value": kind} if kind else None),
            **field(ids.BLOCK_EVENT_DATE, ids.ELEM_EVENT_DATE, "datepicker", "selected_date", day),
            **field(ids.BLOCK_EVENT_START, ids.ELEM_EVENT_START, "timepicker", "selected_time", start),
            **field(ids.BLOCK_EVENT_END, ids.ELEM_EVENT_END, "timepicker", "selected_time", end),
            **field(ids.BLOCK_EVENT_PLACE, ids.ELEM_EVENT_PLACE, "plain_text_input", "value", place),
            **field(ids.BLOCK_EVENT_URL, ids.ELEM_EVENT_URL, "url_text_input", "value", url),
            **field(ids.BLOCK_EVENT_CAPACITY, ids.ELEM_EVENT_CAPACITY, "number_input", "value", capacity),
            **field(ids.BLOCK_EVENT_TIER, ids.ELEM_EVENT_TIER, "static_select", "selected_option", {"value": tier}),
            **field(ids.BLOCK_EVENT_HOURS, ids.ELEM_EVENT_HOURS, "number_input", "value", hours),
            **field(ids.BLOCK_EVENT_DESCRIPTION, ids.ELEM_EVENT_DESCRIPTION, "plain_text_input", "value",
                    "ChatGPT を業務でどう使うか、事例を持ち寄って話し合います。")}


def rows(sessions, model):
    with sessions() as s:
        return [r.model_dump() for r in s.exec(select(model).order_by(model.id)).all()]


def answers(sessions):
    with sessions() as s:
        return {(r.staff_id, r.status) for r in s.exec(select(EventRsvp)).all()}


def dms(bot, user):
    """Messages posted to the person's DM (the sender and the listeners post to the user ID)."""
    return [c.args.get("text") or "" for c in bot.slack.calls_to("chat.postMessage") if c.args.get("channel") == user]


def ephemerals(bot, user):
    """What only this person was shown: ephemeral answers, or the DM sent instead (not in the channel)."""
    shown = [c for c in bot.slack.calls if c.method in ("chat.postEphemeral", "chat.postMessage")
             and (c.args.get("user") == user or c.args.get("channel") == user)]
    return [c.args["text"] for c in shown]


def create_event(bot, **form):
    reply = bot.req.view_submission("U1001", ids.VIEW_EVENT, event_form(**form), private_metadata="")
    assert reply.status == 200, reply.body
    with bot.sessions() as s:
        return s.exec(select(CommunityEvent).order_by(CommunityEvent.id.desc())).first()  # type: ignore[union-attr]


def press(bot, user, action_id, event_id, channel=CHANNEL):
    return bot.req.block_action(user, action_id, str(event_id), channel_id=channel,
                                message={"ts": "1700000000.000100"})


def test_the_whole_life_of_an_event(cbot, sessions, tmp_path):
    bot, people = cbot, cbot.extra
    # An organiser opens the modal from the App Home, mistypes, then creates the event.
    assert bot.req.block_action("U1001", ids.ACTION_EVENT_NEW, view=HOME).status == 200
    wait_until(lambda: bot.slack.calls_to("views.open"))
    assert bot.slack.calls_to("views.open")[0].args["view"]["callback_id"] == ids.VIEW_EVENT
    bad = bot.req.view_submission("U1001", ids.VIEW_EVENT, event_form(title="", end="17:00", capacity="0",
                                                                      place="", day="2026-11-01"))
    assert bad.body["response_action"] == "errors"
    assert set(bad.body["errors"]) == {ids.BLOCK_EVENT_TITLE, ids.BLOCK_EVENT_END, ids.BLOCK_EVENT_CAPACITY,
                                       ids.BLOCK_EVENT_PLACE}
    assert rows(sessions, CommunityEvent) == []
    past = bot.req.view_submission("U1001", ids.VIEW_EVENT, event_form(day="2026-11-01"))
    assert past.body["errors"] == {ids.BLOCK_EVENT_DATE: "開始日時が過ぎています。これからの日時を選んでください。"}
    event = create_event(bot)
    assert (event.title, event.capacity, event.hours, event.status) == ("生成AI勉強会", 2, 1.5, "scheduled")
    assert event.starts_at == datetime(2026, 12, 3, 9, 0, tzinfo=UTC)  # 18:00 in Tokyo

    # The announcement goes to the community channel through the outbox, with RSVP buttons.
    assert "sent=1" in run_job(bot, "send", NOW)
    posted = bot.slack.messages(CHANNEL)
    assert len(posted) == 1 and "生成AI勉強会" in posted[0]["text"]
    buttons = json.dumps(posted[0]["blocks"], ensure_ascii=False)
    assert ids.ACTION_EVENT_GOING in buttons and "2026年12月03日(木) 18:00〜19:30" in buttons

    # Three members press "参加する" for two seats: two go, the third waits; a non-member is refused.
    for n, number in enumerate(("2001", "2002", "2003"), 1):
        assert press(bot, f"U{number}", ids.ACTION_EVENT_GOING, event.id).status == 200
        wait_until(lambda n=n: len(bot.slack.calls_to("chat.postEphemeral")) >= n)  # one after the other
    assert "キャンセル待ち（1 番目）" in ephemerals(bot, "U2003")[0]
    s1, s2, s3 = (people[n].id for n in ("2001", "2002", "2003"))
    assert answers(sessions) == {(s1, "going"), (s2, "going"), (s3, "waiting")}
    press(bot, "U3001", ids.ACTION_EVENT_GOING, event.id)
    wait_until(lambda: ephemerals(bot, "U3001"))
    assert "まず学びのコミュニティに参加" in ephemerals(bot, "U3001")[0]
    assert len(answers(sessions)) == 3

    # Pressing again changes nothing.
    press(bot, "U2001", ids.ACTION_EVENT_GOING, event.id)
    wait_until(lambda: len(ephemerals(bot, "U2001")) == 2)
    assert "すでに申し込み済み" in ephemerals(bot, "U2001")[1]

    # A seat is given back: the first waiting person is promoted and told by DM.
    press(bot, "U2001", ids.ACTION_EVENT_NOT_GOING, event.id)
    wait_until(lambda: len(ephemerals(bot, "U2001")) == 3)
    assert answers(sessions) == {(s1, "declined"), (s2, "going"), (s3, "going")}
    run_job(bot, "send", NOW)
    assert any("空きが出たので、参加が決まりました" in text for text in dms(bot, "U2003"))

    # The organiser moves the start: everyone answering is told once.
    edited = bot.req.view_submission("U1001", ids.VIEW_EVENT, event_form(start="18:30", end="20:00"),
                                     private_metadata=str(event.id))
    assert edited.status == 200 and edited.body["response_action"] == "update"
    run_job(bot, "send", NOW)
    run_job(bot, "send", NOW)
    for user in ("U2002", "U2003"):
        assert sum("内容が変わりました" in text for text in dms(bot, user)) == 1
    assert not any("内容が変わりました" in text for text in dms(bot, "U2001"))  # declined: not told

    # Reminders: on the working day before, and an hour before the (new) start, to those going only.
    day_before = datetime(2026, 12, 2, 0, 5, tzinfo=UTC)  # Wednesday 09:05 in Tokyo
    run_job(bot, "event_reminders", day_before)
    run_job(bot, "send", day_before)
    hour_before = datetime(2026, 12, 3, 8, 31, tzinfo=UTC)  # 17:31 in Tokyo, the start being 18:30
    run_job(bot, "event_reminders", hour_before)
    run_job(bot, "send", hour_before)
    for user in ("U2002", "U2003"):
        texts = dms(bot, user)
        assert texts.count("12月3日（木）は「生成AI勉強会」です") == 1, texts  # the day before
        assert texts.count("「生成AI勉強会」は18:30から始まります") == 1, texts  # the hour before
    assert not any("から始まります" in text or "」です" in text for text in dms(bot, "U2001"))  # gave the seat back

    # After the event the organiser marks attendance; the hours reach the attendee's record.
    bot.clock.now = datetime(2026, 12, 3, 11, 30, tzinfo=UTC)
    bot.req.block_action("U1001", ids.ACTION_EVENT_MENU, view=HOME, action={
        "type": "overflow", "selected_option": {"value": f"{ids.EVENT_ATTENDANCE}:{event.id}"}})
    wait_until(lambda: len(bot.slack.calls_to("views.open")) >= 2)
    modal = bot.slack.calls_to("views.open")[-1].args["view"]
    assert modal["callback_id"] == ids.VIEW_ATTENDANCE
    assert "職員 2002" in json.dumps(modal, ensure_ascii=False) and "職員 2001" not in json.dumps(modal,
                                                                                               ensure_ascii=False)
    ticked = {f"{ids.BLOCK_ATTENDED_PREFIX}0": {ids.ELEM_ATTENDED: {
        "type": "multi_static_select", "selected_options": [{"value": str(s2)}, {"value": str(s1)}]}}}
    done = bot.req.view_submission("U1001", ids.VIEW_ATTENDANCE, ticked, private_metadata=str(event.id))
    assert done.body["response_action"] == "update" and "出席 1 人" in json.dumps(done.body, ensure_ascii=False)
    with sessions() as s:
        marked = {r.staff_id: (r.attended, r.hours) for r in s.exec(select(EventRsvp)).all()}
    assert marked == {s1: (None, None), s2: (True, 1.5), s3: (False, None)}  # s1 had given the seat back
    assert [(a.title, a.hours) for a in community.attended(sessions(), s2)] == [("生成AI勉強会", 1.5)]
    bot.clock.now = datetime(2026, 12, 4, 0, 30, tzinfo=UTC)
    run_job(bot, "send", bot.clock.now)
    assert any("研修記録に 1.5 時間が加わりました" in text for text in dms(bot, "U2002"))
    def published():
        return [c for c in bot.slack.calls_to("views.publish") if c.args["user_id"] == "U2002"]
    before = len(published())
    bot.req.event(app_home_opened("U2002"))
    wait_until(lambda: len(published()) > before)
    home = published()[-1].args["view"]
    assert "コミュニティでの活動: 1 回・1.5 時間" in json.dumps(home, ensure_ascii=False)
    # …and in the training-record export the division hands on.
    export("records", tmp_path / "records.xlsx", sessions, load_plan(), today=date(2026, 12, 4),
           tz=ZoneInfo("Asia/Tokyo"))
    sheet = load_workbook(tmp_path / "records.xlsx")["コミュニティ活動"]
    exported = [list(r) for r in sheet.iter_rows(min_row=2, values_only=True)]
    assert len(exported) == 1 and exported[0][8].date() == date(2026, 12, 3)
    assert exported[0][:8] + exported[0][9:] == ["2002", "職員 2002", "210", "市民課", 1, event.id, "生成AI勉強会",
                                                 "勉強会", 1.5]
    actions = [a["action"] for a in rows(sessions, AuditLog)]
    assert actions.count("event_rsvp") == 4 and "event_attendance" in actions and "event_update" in actions


def test_cancelling_tells_everyone_answering_and_stops_seats(cbot, sessions):
    bot = cbot
    event = create_event(bot, capacity="1")
    press(bot, "U2001", ids.ACTION_EVENT_GOING, event.id)
    wait_until(lambda: ephemerals(bot, "U2001"))
    press(bot, "U2002", ids.ACTION_EVENT_GOING, event.id)
    wait_until(lambda: ephemerals(bot, "U2002"))
    bot.req.block_action("U1001", ids.ACTION_EVENT_MENU, view=HOME, action={
        "type": "overflow", "selected_option": {"value": f"{ids.EVENT_CANCEL}:{event.id}"}})
    wait_until(lambda: bot.slack.calls_to("views.open"))
    assert bot.slack.calls_to("views.open")[-1].args["view"]["callback_id"] == ids.VIEW_EVENT_CANCEL
    reason = {ids.BLOCK_CANCEL_REASON: {ids.ELEM_CANCEL_REASON: {"type": "plain_text_input", "value": "講師の急病"}}}
    # Only the organiser (or an administrator) may cancel: a member's forged submission changes nothing.
    refused = bot.req.view_submission("U2001", ids.VIEW_EVENT_CANCEL, reason, private_metadata=str(event.id))
    assert "管理者とコミュニティの運営担当者" in json.dumps(refused.body, ensure_ascii=False)
    assert rows(sessions, CommunityEvent)[0]["status"] == "scheduled"
    done = bot.req.view_submission("U1001", ids.VIEW_EVENT_CANCEL, reason, private_metadata=str(event.id))
    assert "2 人にお知らせします" in json.dumps(done.body, ensure_ascii=False)
    assert rows(sessions, CommunityEvent)[0]["status"] == "cancelled"
    run_job(bot, "send", NOW)
    for user in ("U2001", "U2002"):
        told = [text for text in dms(bot, user) if "中止になりました" in text]
        assert len(told) == 1
    press(bot, "U2003", ids.ACTION_EVENT_GOING, event.id)
    wait_until(lambda: ephemerals(bot, "U2003"))
    assert "中止になりました" in ephemerals(bot, "U2003")[0]
    assert (people_answering := len(answers(sessions))) == 2, people_answering


def test_join_with_the_sheet_then_leave_giving_seats_back(cbot, sessions):
    bot, outsider = cbot, cbot.extra["outsider"]
    event = create_event(bot, capacity="1")
    press(bot, "U2001", ids.ACTION_EVENT_GOING, event.id)
    wait_until(lambda: ephemerals(bot, "U2001"))
    # The outsider joins: the button opens the self-assessment sheet with its purpose set to the community.
    assert bot.req.block_action("U3001", ids.ACTION_COMMUNITY_JOIN, "join", view=HOME).status == 200
    wait_until(lambda: bot.slack.calls_to("views.open"))
    view = bot.slack.calls_to("views.open")[-1].args["view"]
    assert json.loads(view["private_metadata"])["p"] == "community"
    reply = None
    for _ in range(10):
        values = {blk["block_id"]: {blk["element"]["action_id"]: {
            "type": blk["element"]["type"], "selected_option": {"value": "3"}}}
            for blk in view["blocks"] if blk.get("type") == "input" and blk["block_id"].startswith("rating_")}
        reply = bot.req.view_submission("U3001", ids.VIEW_ASSESSMENT, values, private_metadata=view["private_metadata"])
        view = reply.body["view"]
        if view["callback_id"] != ids.VIEW_ASSESSMENT:
            break
    assert reply is not None and "学びのコミュニティに参加しました" in json.dumps(reply.body, ensure_ascii=False)
    members = [r for r in rows(sessions, CommunityMember) if r["staff_id"] == outsider.id]
    assert len(members) == 1 and members[0]["left_at"] is None and members[0]["sheet_id"] is not None
    # A member leaves: their seat goes to the outsider waiting for it.
    press(bot, "U3001", ids.ACTION_EVENT_GOING, event.id)
    wait_until(lambda: any("キャンセル待ち" in text for text in ephemerals(bot, "U3001")))
    bot.req.block_action("U2001", ids.ACTION_COMMUNITY_LEAVE, "leave", view=HOME)
    wait_until(lambda: any("退会しました" in text for text in dms(bot, "U2001")))
    assert answers(sessions) == {(cbot.extra["2001"].id, "declined"), (outsider.id, "going")}
    with sessions() as s:
        assert not community.is_member(s, cbot.extra["2001"].id)
    run_job(bot, "send", NOW)
    assert any("参加が決まりました" in text for text in dms(bot, "U3001"))


def test_members_see_each_other_and_the_mentors_outsiders_do_not(cbot, sessions):
    bot = cbot
    with sessions() as s:
        roles.grant(s, cbot.extra["lead"].id, "mentor", NOW, "cli")
        s.commit()
    bot.req.block_action("U2001", ids.ACTION_COMMUNITY_MEMBERS, view=HOME)
    bot.req.block_action("U3001", ids.ACTION_COMMUNITY_MEMBERS, view=HOME)
    wait_until(lambda: len(bot.slack.calls_to("views.open")) == 2)
    by_user = {c.args["view"]["blocks"][0]["text"]["text"]: c for c in bot.slack.calls_to("views.open")}
    texts = [json.dumps(c.args["view"], ensure_ascii=False) for c in bot.slack.calls_to("views.open")]
    member_view = next(t for t in texts if "メンバー（4 人）" in t)
    assert "運営 一郎" in member_view and "職員 2004（市民課）" in member_view
    assert any("メンバー一覧は、コミュニティのメンバーが見られます" in t for t in texts)
    assert by_user


def test_dm_announcements_only_for_members_who_asked(cbot):
    bot = cbot
    bot.req.block_action("U2001", ids.ACTION_COMMUNITY_DM, "on", view=HOME)
    bot.req.block_action("U3001", ids.ACTION_COMMUNITY_DM, "on", view=HOME)  # not a member: asks, but not in
    wait_until(lambda: len(bot.slack.calls_to("views.publish")) >= 2)
    create_event(bot)
    run_job(bot, "send", NOW)
    run_job(bot, "send", NOW)
    posts = bot.slack.calls_to("chat.postMessage")
    announced = {c.args["channel"] for c in posts if "新しいイベント" in c.args["text"]}
    assert announced == {CHANNEL, "U2001"}


def test_mytraining_community_shows_membership_and_the_coming_events(cbot):
    bot = cbot
    event = create_event(bot, capacity="1")
    press(bot, "U2001", ids.ACTION_EVENT_GOING, event.id)
    wait_until(lambda: ephemerals(bot, "U2001"))
    member = bot.req.slash_command("U2002", "community")
    shown = json.dumps(member.body["blocks"], ensure_ascii=False)
    assert member.body["response_type"] == "ephemeral"
    assert "コミュニティに参加しています（メンバー 4 人）" in shown and "満席（キャンセル待ちできます）" in shown
    assert ids.ACTION_EVENT_GOING in shown and ids.ACTION_COMMUNITY_LEAVE in shown
    outsider = json.dumps(bot.req.slash_command("U3001", "community").body["blocks"], ensure_ascii=False)
    assert ids.ACTION_COMMUNITY_JOIN in outsider and ids.ACTION_EVENT_GOING not in outsider  # join first
    help_text = json.dumps(bot.req.slash_command("U3001", "help").body["blocks"], ensure_ascii=False)
    assert "/mytraining community" in help_text
