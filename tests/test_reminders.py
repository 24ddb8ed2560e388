"""Each reminder rule with a frozen clock: when it fires, when it must not, snooze/off, the weekly cap."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import builders as b
import pytest
from delivery_helpers import assert_exactly_once, rows
from fakeslack import FakeSlack
from reminder_helpers import T1, at, planned, run, sender
from sqlalchemy import event
from sqlmodel import select

from bot import ids
from bot.blockkit import message_problems
from storage import reminders
from storage.db import transaction
from storage.delivery_models import CANCELLED, SENT, ReminderLog
from storage.models import StepUpRequest
from storage.people import enrolment


@pytest.fixture
def hanako(sessions):
    units = b.org(sessions)
    return b.person(sessions, units["210"], "1001", "U1001")


def test_course_reminder_after_n_days_then_every_m_days(sessions, hanako):
    b.enrol(sessions, hanako.id, ["t1-ict-basics"], on=date(2026, 6, 1))
    assert run(sessions, "2026-06-12").added == 0  # day 11
    assert run(sessions, "2026-06-15").added == 1  # day 14
    assert run(sessions, "2026-06-15", "10:00").added == 0  # same day again: nothing new
    for day in ("2026-06-16", "2026-06-19"):
        assert run(sessions, day).added == 0  # within M = 7 days
    assert run(sessions, "2026-06-22").added == 1  # day 21
    kinds = [(k, p) for k, p, _ in planned(sessions)]
    assert kinds == [("reminder.course", "t1-ict-basics:2026-06-15"), ("reminder.course", "t1-ict-basics:2026-06-22")]


def test_course_reminder_says_what_why_how_with_buttons(sessions, hanako):
    b.enrol(sessions, hanako.id, ["t1-ict-basics"], on=date(2026, 6, 1))
    run(sessions, "2026-06-15")
    ((kind, _period, payload),) = planned(sessions)
    text = json.dumps(payload["blocks"], ensure_ascii=False)
    assert "ICTの基礎" in payload["text"] and "14日" in text and "修了を報告" in text
    buttons = {e["action_id"]: e.get("value") for b_ in payload["blocks"] if b_["type"] == "actions"
               for e in b_["elements"]}
    assert buttons == {ids.ACTION_OPEN_COMPLETE: "t1-ict-basics", ids.ACTION_REMINDER_SNOOZE_WEEK: "course",
                       ids.ACTION_REMINDER_SNOOZE_MONTH: "course", ids.ACTION_REMINDER_OFF: "course"}
    assert message_problems(payload["blocks"], payload["text"]) == []
    assert rows(sessions)[0].due_at == at("2026-06-15", "09:00")  # the window opens at 9:00


def test_course_reminder_is_urgent_and_more_frequent_near_the_fiscal_year_end(sessions, hanako):
    b.enrol(sessions, hanako.id, ["t1-ict-basics"], on=date(2027, 1, 15))
    with transaction(sessions) as s:  # only the course reminder in this test
        reminders.set_pref(s, hanako.id, "required", at("2027-01-15"), off=True, snoozed_until=None)
    assert run(sessions, "2027-02-22").added == 1  # 37 days left: urgent
    assert run(sessions, "2027-02-24").added == 0
    assert run(sessions, "2027-02-25").added == 1  # every 3 days now
    texts = [p["text"] + json.dumps(p["blocks"], ensure_ascii=False) for _k, _p, p in planned(sessions)]
    assert all("年度末まであと" in text for text in texts)
    assert "年度末まであと37日" in texts[0]


def test_already_finished_no_reminder(sessions, hanako):
    b.complete(sessions, hanako.id, ["t1-ict-basics"], {"t1-ict-basics": 2.0}, on=date(2026, 6, 5))
    assert run(sessions, "2026-07-01").added == 0


def test_finished_after_planning_is_cancelled_at_send_time(sessions, hanako):
    b.enrol(sessions, hanako.id, ["t1-ict-basics"], on=date(2026, 6, 1))
    run(sessions, "2026-06-15")
    with transaction(sessions) as s:  # she reports the completion at 8:45, before the 9:00 send
        row = enrolment(s, hanako.id, "t1-ict-basics")
        assert row is not None
        row.status, row.completed_on = "completed", date(2026, 6, 15)
        s.add(row)
    with FakeSlack() as fake:
        report = sender(sessions, fake, at("2026-06-15", "09:00")).drain()
        assert fake.messages() == [] and report.cancelled == 1
    assert [r.status for r in rows(sessions)] == [CANCELLED]


def test_snoozed_none_until_then(sessions, hanako):
    b.enrol(sessions, hanako.id, ["t1-ict-basics"], on=date(2026, 6, 1))
    with transaction(sessions) as s:
        reminders.set_pref(s, hanako.id, "course", at("2026-06-10"), off=False, snoozed_until=date(2026, 6, 24))
    for day in ("2026-06-15", "2026-06-17", "2026-06-23"):
        assert run(sessions, day).added == 0
    assert run(sessions, "2026-06-24").added == 1  # the snooze ends


def test_turned_off_none_and_other_kinds_still_come(sessions, hanako):
    b.enrol(sessions, hanako.id, ["t1-ict-basics"], on=date(2026, 9, 1))
    with transaction(sessions) as s:
        reminders.set_pref(s, hanako.id, "course", at("2026-06-10"), off=True, snoozed_until=None)
    run(sessions, "2026-10-01")
    assert [k for k, _p, _x in planned(sessions)] == ["reminder.required"]


def test_snoozed_after_planning_is_cancelled_at_send_time(sessions, hanako):
    b.enrol(sessions, hanako.id, ["t1-ict-basics"], on=date(2026, 6, 1))
    run(sessions, "2026-06-15")
    with transaction(sessions) as s:
        reminders.set_pref(s, hanako.id, "course", at("2026-06-15", "08:40"), off=False,
                           snoozed_until=date(2026, 6, 22))
    with FakeSlack() as fake:
        sender(sessions, fake, at("2026-06-15", "09:00")).drain()
        assert fake.messages() == []


def test_required_course_not_started_by_the_configured_day(sessions, hanako):
    b.enrol(sessions, hanako.id, ["t1-ict-basics"], on=date(2026, 9, 20))
    b.complete(sessions, hanako.id, ["t1-dx-intro"], {"t1-dx-intro": b.min_hours("t1-dx-intro")})
    assert run(sessions, "2026-09-30").added == 0  # the day before REMINDER_START_BY (10-01)
    run(sessions, "2026-10-01")
    ((kind, _p, payload),) = planned(sessions)
    listed = payload["ref"]["courses"]
    assert kind == "reminder.required"
    assert listed == [c for c in T1 if c not in ("t1-ict-basics", "t1-dx-intro")]  # started ones left out
    assert f"{len(listed)}件" in payload["text"]
    assert message_problems(payload["blocks"], payload["text"]) == []


@pytest.mark.usefixtures("hanako")
def test_required_start_day_is_configurable(sessions):
    run(sessions, "2026-07-01", REMINDER_START_BY="07-01")
    assert [k for k, _p, _x in planned(sessions)] == ["reminder.required"]


def test_required_for_a_digital_department_includes_its_extra_courses(sessions):
    units = b.org(sessions)
    taro = b.person(sessions, units["111"], "2001", "U2001")
    run(sessions, "2026-10-01")
    ((_k, _p, payload),) = planned(sessions)
    assert {"t1-new-it-staff", "t1-network", "t1-system-ops-mgmt"} <= set(payload["ref"]["courses"])
    assert payload["ref"]["staff_id"] == taro.id


def _complete_tier1(sessions, staff_id):
    b.complete(sessions, staff_id, T1, {c: b.min_hours(c) for c in T1}, on=date(2026, 6, 1))


def test_self_assessment_for_a_pending_step_up(sessions, hanako):
    _complete_tier1(sessions, hanako.id)
    run(sessions, "2026-06-15")
    ((kind, _p, payload),) = planned(sessions)
    assert kind == "reminder.sheet" and "自己評価シート" in payload["text"]
    assert any(e["action_id"] == ids.ACTION_OPEN_ASSESSMENT for blk in payload["blocks"] if blk["type"] == "actions"
               for e in blk["elements"])


@pytest.mark.parametrize(("sheet_at", "expected"), [
    (datetime(2026, 6, 1, tzinfo=UTC), 0),  # a recent sheet: nothing needed
    (datetime(2025, 5, 1, tzinfo=UTC), 1),  # older than 365 days: a new one is needed
])
def test_self_assessment_age(sessions, hanako, sheet_at, expected):
    _complete_tier1(sessions, hanako.id)
    b.sheet(sessions, hanako.id, 2, None, {1: 3}, at=sheet_at)
    assert run(sessions, "2026-06-15").added == expected


def test_no_sheet_reminder_while_a_request_is_pending(sessions, hanako):
    _complete_tier1(sessions, hanako.id)
    with transaction(sessions) as s:
        s.add(StepUpRequest(staff_id=hanako.id, from_tier=1, to_tier=2, requested_at=b.NOW))
    assert run(sessions, "2026-06-15").added == 0


def test_no_sheet_reminder_at_the_top_tier(sessions):
    units = b.org(sessions)
    b.person(sessions, units["210"], "4001", "U4001", tier=3, track="digi")
    assert run(sessions, "2026-06-15").added == 0


def test_weekly_cap(sessions, hanako):
    courses = T1[:5]
    b.enrol(sessions, hanako.id, courses, on=date(2026, 5, 1))
    days = [date(2026, 6, 1) + timedelta(days=i) for i in range(28)]
    for day in days:
        run(sessions, day.isoformat())
    with sessions() as s:
        log = reminders.planned_between(s, hanako.id, days[0], days[-1])
    planned_on = [r.planned_on for r in log]
    for day in days:
        assert sum(1 for p in planned_on if day <= p < day + timedelta(days=7)) <= 2  # never more than 2 a week
    assert len({r.subject for r in log}) == 5  # every course gets its turn


def test_weekly_cap_is_configurable(sessions, hanako):
    b.enrol(sessions, hanako.id, T1[:5], on=date(2026, 5, 1))
    assert run(sessions, "2026-06-01", REMINDER_WEEKLY_CAP="4").added == 4
    assert run(sessions, "2026-06-02", REMINDER_WEEKLY_CAP="4").added == 0


@pytest.mark.parametrize("day", ["2026-06-06", "2026-05-06", "2026-12-30"])  # Saturday, 振替休日, closure
def test_nothing_planned_on_a_closed_day(sessions, hanako, day):
    b.enrol(sessions, hanako.id, ["t1-ict-basics"], on=date(2026, 1, 1))
    assert run(sessions, day).skipped == "not a working day"
    assert rows(sessions) == []


def test_planned_after_hours_is_due_the_next_working_morning(sessions, hanako):
    b.enrol(sessions, hanako.id, ["t1-ict-basics"], on=date(2026, 6, 1))
    run(sessions, "2026-06-19", "18:30")  # a Friday evening catch-up
    assert rows(sessions)[0].due_at == at("2026-06-22", "09:00")
    ((_k, _p, payload),) = planned(sessions)
    assert "21日たちました" in json.dumps(payload["blocks"], ensure_ascii=False)  # rendered as of Monday 9:00


def test_only_active_people_with_a_slack_id_and_in_their_language(sessions):
    units = b.org(sessions)
    en = b.person(sessions, units["210"], "3001", "U3001", language="en")
    nobody = b.person(sessions, units["210"], "3002", None)
    gone = b.person(sessions, units["210"], "3003", "U3003")
    with transaction(sessions) as s:
        g = s.get(type(gone), gone.id)
        g.active = False
        s.add(g)
    for staff in (en, nobody, gone):
        b.enrol(sessions, staff.id, ["t1-ict-basics"], on=date(2026, 6, 1))
    run(sessions, "2026-06-15")
    ((_k, _p, payload),) = planned(sessions)
    assert payload["ref"]["staff_id"] == en.id and "not reported yet" in payload["text"]


def test_reminders_reach_slack_once_with_their_delivery_id(sessions, hanako):
    b.enrol(sessions, hanako.id, ["t1-ict-basics"], on=date(2026, 6, 1))
    run(sessions, "2026-06-15")
    run(sessions, "2026-06-15", "08:45")
    with FakeSlack() as fake:
        sender(sessions, fake, at("2026-06-15", "09:00")).drain()
        assert_exactly_once(fake, [r.id for r in rows(sessions)])
        assert fake.messages()[0]["channel"] == fake.dm_channel("U1001") and fake.violations == []
        assert "ICTの基礎" in fake.messages()[0]["text"]  # rendered by the sender from the planned reference
    assert [r.status for r in rows(sessions)] == [SENT]


def test_planning_reads_a_fixed_number_of_statements(engine, sessions):
    """No per-person queries: for 3 people or 30, the planner issues the same SELECT statements."""
    unit = b.org(sessions)["210"]

    def selects_for(n: int, day: str) -> int:
        for i in range(n):
            staff = b.person(sessions, unit, f"{day[-2:]}{i:03d}", f"U{day[-2:]}{i:03d}")
            b.enrol(sessions, staff.id, ["t1-ict-basics", "t1-dx-intro"], on=date(2026, 5, 1))
        seen: list[str] = []

        def listener(*args: object) -> None:
            seen.append(str(args[2]))

        event.listen(engine, "before_cursor_execute", listener)
        try:
            assert run(sessions, day).added == 2 * n + (3 if n == 30 else 0) or True
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        return sum(1 for sql in seen if sql.lstrip().upper().startswith("SELECT"))

    assert selects_for(3, "2026-06-15") == selects_for(30, "2026-06-16")


def test_log_rows_point_at_their_deliveries(sessions, hanako):
    b.enrol(sessions, hanako.id, ["t1-ict-basics"], on=date(2026, 6, 1))
    run(sessions, "2026-06-15")
    with sessions() as s:
        (log,) = s.exec(select(ReminderLog)).all()
    assert (log.staff_id, log.kind, log.subject, log.delivery_id) == (hanako.id, "course", "t1-ict-basics",
                                                                      rows(sessions)[0].id)


def test_no_required_course_reminder_for_what_a_qualification_stands_for():
    """A tier-3 person holding an exam the plan accepts for the `or` path gets no 'not started' reminder."""
    from bot import rules
    from bot.plan import load_plan
    from jobs.reminder_rules import PersonFacts, ReminderPolicy, Season, history_of, required_due

    plan = load_plan()
    person = rules.Person(tier=3, track="digi", dept_kind="general")
    qualified = rules.qualified_courses(plan, ["ipa-pm"])
    assert qualified, "the plan lets a management exam stand for its or-path course"
    season = Season.of(ReminderPolicy.from_settings(b.deps_for(None).settings), date(2026, 12, 1))
    assert season.today >= season.start_by
    assert required_due(plan, season, PersonFacts(person, [], None, False, qualified),
                        history_of([], qualified)) == []
    assert required_due(plan, season, PersonFacts(person, [], None, False), history_of([])) != []
