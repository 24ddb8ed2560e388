"""Reminder buttons end to end: signed requests to the bot's real HTTP endpoint, a fake Slack on loopback."""

from __future__ import annotations

import json
from datetime import date

import builders as b
import pytest
from harness import Clock, running_bot, wait_until
from reminder_helpers import TOKYO, at
from slackpayloads import app_home_opened

from bot import ids
from bot.calendar import BusinessCalendar
from bot.plan import load_plan
from bot.services.reminder_prefs import views
from jobs.reminders import plan_reminders, reminder_renderer, still_wanted_guard
from jobs.send_policy import SendPolicy, sending_client
from jobs.sender import Sender

NOW = at("2026-06-15", "10:00")


@pytest.fixture
def bot(db_url, sessions):
    with running_bot(db_url, sessions, Clock(NOW)) as running:
        units = b.org(sessions)
        hanako = b.person(sessions, units["210"], "1001", "U1001", email="hanako@example.jp")
        running.slack.add_user("U1001", email="hanako@example.jp")
        b.enrol(sessions, hanako.id, ["t1-ict-basics"], on=date(2026, 6, 1))
        running.extra["hanako"] = hanako
        yield running
        assert running.slack.violations == []  # every message, update and view within Block Kit limits


def _plan_and_send(bot, day: str) -> list[dict]:
    """Run the planner on `day` at 8:30 and the sender at 9:00; the messages Slack received."""
    before = len(bot.slack.messages())
    plan_reminders(bot.sessions, load_plan(), bot.settings, at(day))
    sender = Sender(bot.sessions, sending_client(bot.slack.bot_token, bot.slack.url), lambda: at(day, "09:00"),
                    SendPolicy(rate_per_second=100), guard=still_wanted_guard(BusinessCalendar(TOKYO)),
                    render=reminder_renderer(load_plan(), bot.settings))
    sender.drain()
    return bot.slack.messages()[before:]


def _click(bot, message: dict, action_id: str, value: str):
    stored = {k: v for k, v in message.items() if k != "channel"}
    return bot.req.block_action("U1001", action_id, value, channel_id=message["channel"], message=stored)


def test_snooze_a_week_from_the_reminder(bot, sessions):
    (message,) = _plan_and_send(bot, "2026-06-15")
    reply = _click(bot, message, ids.ACTION_REMINDER_SNOOZE_WEEK, "course")
    assert reply.status == 200
    wait_until(lambda: bot.slack.calls_to("chat.update"))
    (update,) = bot.slack.calls_to("chat.update")
    assert (update.args["channel"], update.args["ts"]) == (message["channel"], message["ts"])
    blocks = update.args["blocks"]
    assert not any(blk.get("block_id") == ids.BLOCK_REMINDER_ACTIONS for blk in blocks)  # buttons used up
    assert "2026年06月22日まで" in json.dumps(blocks, ensure_ascii=False)
    with sessions() as s:
        assert views(s, bot.extra["hanako"].id, date(2026, 6, 15))["course"].snoozed_until == date(2026, 6, 22)
    assert _plan_and_send(bot, "2026-06-19") == []  # snoozed: nothing until then
    assert len(_plan_and_send(bot, "2026-06-22")) == 1  # then reminders resume


def test_snooze_a_month_from_the_reminder(bot, sessions):
    (message,) = _plan_and_send(bot, "2026-06-15")
    _click(bot, message, ids.ACTION_REMINDER_SNOOZE_MONTH, "course")
    wait_until(lambda: bot.slack.calls_to("chat.update"))
    with sessions() as s:
        assert views(s, bot.extra["hanako"].id, date(2026, 6, 15))["course"].snoozed_until == date(2026, 7, 15)


def test_turn_a_kind_off_from_the_reminder(bot, sessions):
    (message,) = _plan_and_send(bot, "2026-06-15")
    off = next(e for blk in message["blocks"] if blk["type"] == "actions" for e in blk["elements"]
               if e["action_id"] == ids.ACTION_REMINDER_OFF)
    assert "confirm" in off  # Slack asks before turning reminders off
    _click(bot, message, ids.ACTION_REMINDER_OFF, "course")
    wait_until(lambda: bot.slack.calls_to("chat.update"))
    with sessions() as s:
        assert views(s, bot.extra["hanako"].id, date(2026, 6, 15))["course"].off is True
    assert _plan_and_send(bot, "2026-07-01") == []


def test_home_shows_the_reminder_menu_and_changes_it(bot, sessions):
    bot.req.event(app_home_opened("U1001"))
    wait_until(lambda: "U1001" in bot.slack.home_views)
    home = bot.slack.home_views["U1001"]
    assert len(home["blocks"]) <= 100
    menus = [blk for blk in home["blocks"] if str(blk.get("block_id", "")).startswith(ids.BLOCK_REMINDER_PREF_PREFIX)
             and blk.get("accessory", {}).get("action_id") == ids.ACTION_REMINDER_MENU]
    assert len(menus) == 3
    bot.slack.clear()
    option = {"text": {"type": "plain_text", "text": "オフにする"}, "value": "off:sheet"}
    reply = bot.req.block_action("U1001", ids.ACTION_REMINDER_MENU, view={"type": "home", "id": "VHOME"},
                                 action={"type": "overflow", "selected_option": option})
    assert reply.status == 200
    wait_until(lambda: bot.slack.calls_to("views.publish"))
    with sessions() as s:
        assert views(s, bot.extra["hanako"].id, date(2026, 6, 15))["sheet"].off is True
    published = bot.slack.calls_to("views.publish")[-1].args["view"]
    sheet = next(blk for blk in published["blocks"] if blk.get("block_id") == f"{ids.BLOCK_REMINDER_PREF_PREFIX}sheet")
    assert sheet["text"]["text"].endswith("オフ")  # the Home shows the new state
    bot.slack.clear()
    bot.req.event(app_home_opened("U1001"))  # and keeps showing it whenever the Home is opened
    wait_until(lambda: bot.slack.calls_to("views.publish"))
    reopened = bot.slack.calls_to("views.publish")[-1].args["view"]
    states = {blk["block_id"]: blk["text"]["text"] for blk in reopened["blocks"]
              if str(blk.get("block_id", "")).startswith(ids.BLOCK_REMINDER_PREF_PREFIX) and "text" in blk}
    assert states[f"{ids.BLOCK_REMINDER_PREF_PREFIX}sheet"].endswith("オフ")
    assert states[f"{ids.BLOCK_REMINDER_PREF_PREFIX}course"].endswith("オン")


def test_a_stranger_or_a_bad_value_changes_nothing(bot, sessions):
    (message,) = _plan_and_send(bot, "2026-06-15")
    bot.slack.add_user("U9999", email="stranger@example.jp")
    stored = {k: v for k, v in message.items() if k != "channel"}
    bot.req.block_action("U9999", ids.ACTION_REMINDER_OFF, "course", channel_id=message["channel"], message=stored)
    _click(bot, message, ids.ACTION_REMINDER_OFF, "no-such-kind")
    wait_until(lambda: any(c.args.get("user") == "U9999" for c in bot.slack.calls_to("users.info")))
    _click(bot, message, ids.ACTION_REMINDER_SNOOZE_WEEK, "course")  # then a real choice
    wait_until(lambda: bot.slack.calls_to("chat.update"))
    with sessions() as s:
        course = views(s, bot.extra["hanako"].id, date(2026, 6, 15))["course"]
    assert (course.off, course.snoozed_until) == (False, date(2026, 6, 22))
    assert len(bot.slack.calls_to("chat.update")) == 1  # only the real choice answered
