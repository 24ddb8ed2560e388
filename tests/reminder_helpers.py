"""Helpers for the reminder tests: a frozen moment in Tokyo, a planning run, what was planned and sent."""

from __future__ import annotations

import json
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from delivery_helpers import make_sender, rows
from fakeslack import FakeSlack

from bot.calendar import BusinessCalendar
from bot.plan import load_plan
from bot.rules import courses_required
from bot.rules_base import Person
from bot.settings import load_settings
from jobs.reminders import PlanReport, plan_reminders, reminder_renderer, still_wanted_guard
from jobs.sender import Sender
from storage.db import SessionFactory
from storage.outbox import Claimed

TOKYO = ZoneInfo("Asia/Tokyo")
PLAN = load_plan()
T1 = [c.id for c in courses_required(PLAN, Person(1, None, "general"))]  # tier 1, 各部局: the required courses
RENDER = reminder_renderer(PLAN, load_settings(environ={}))


def at(day: str, hhmm: str = "08:30") -> datetime:
    """A moment in Tokyo."""
    return datetime.combine(date.fromisoformat(day), time.fromisoformat(hhmm), tzinfo=TOKYO)


def run(sessions: SessionFactory, day: str, hhmm: str = "08:30", **env: str) -> PlanReport:
    """One planning run as of `day` `hhmm` (Tokyo), with these settings."""
    settings = load_settings(environ={"SLACK_BOT_TOKEN": "xoxb-test", **env})
    return plan_reminders(sessions, PLAN, settings, at(day, hhmm))


def planned(sessions: SessionFactory) -> list[tuple[str, str, dict]]:  # type: ignore[type-arg]
    """(kind, period, payload with the text and blocks it has when sent) of every planned delivery, in order."""
    result = []
    for row in rows(sessions):
        payload = json.loads(row.payload)
        claimed = Claimed(row.id or 0, row.kind, row.recipient, row.payload, False, 0)
        result.append((row.kind, row.period, {**payload, **(RENDER(claimed, payload, row.due_at) or {})}))
    return result


def sender(sessions: SessionFactory, fake: FakeSlack, moment: datetime) -> Sender:
    """A reminder sender (guard and renderer) whose clock reads `moment`."""
    send = make_sender(sessions, fake, None, guard=still_wanted_guard(BusinessCalendar(TOKYO)), render=RENDER)
    send.clock = lambda: moment
    return send
