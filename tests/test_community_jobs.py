"""The community's scheduled deliveries with a frozen clock: event reminders, the weekly note, invitations.

Messages go through the real send job (jobs.registry.run_send: every guard and renderer combined) to the
fake Slack, which checks every message against Block Kit's limits.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import builders as b
import pytest
from delivery_helpers import rows
from fakeslack import FakeSlack
from sqlmodel import select
from test_statement_counts import counting

from bot import ids
from bot.blockkit import message_problems
from bot.blocks.community_notes import MAX_LISTED, EventInfo, weekly_note_message
from bot.locales import en_community_jobs, ja_community_jobs
from bot.plan import load_plan
from bot.rules import Person, assessment_gap, courses_required
from bot.settings import load_settings
from jobs.community import plan_event_reminders, plan_weekly_note
from jobs.community_invites import near_next_tier, plan_invitations, required_rows
from jobs.registry import JobContext, run_send
from jobs.send_policy import sending_client
from storage import community
from storage.community_jobs import LatestSheet, invitations_of
from storage.community_models import CANCELLED, DECLINED, GOING, WAITING, CommunityEvent, EventRsvp
from storage.db import transaction
from storage.delivery_models import CANCELLED as DELIVERY_CANCELLED
from storage.delivery_models import SENT
from storage.manager_models import Recommendation
from storage.models import Staff

TOKYO = ZoneInfo("Asia/Tokyo")
PLAN = load_plan()
T1 = [c.id for c in courses_required(PLAN, Person(1, None, "general"))]
LONG_AGO = datetime(2026, 10, 1, tzinfo=UTC)


def at(day: str, hhmm: str = "08:40") -> datetime:
    return datetime.combine(date.fromisoformat(day), time.fromisoformat(hhmm), tzinfo=TOKYO)


def settings(**env: str):
    return load_settings(environ={"SLACK_BOT_TOKEN": "xoxb-test", "SEND_RATE_PER_SECOND": "500", **env})


def remind(sessions, day, hhmm="08:00"):
    return plan_event_reminders(sessions, settings(), at(day, hhmm))


def weekly(sessions, day, hhmm="08:40"):
    return plan_weekly_note(sessions, settings(), at(day, hhmm))


def invite(sessions, day, hhmm="08:40", **env):
    return plan_invitations(sessions, PLAN, settings(**env), at(day, hhmm))


def send(sessions, fake: FakeSlack, moment: datetime) -> str:
    """The real send job as of `moment` (all guards and renderers, as the scheduler runs it)."""
    ctx = JobContext(settings=settings(), sessions=sessions, plan=PLAN, clock=lambda: moment,
                     client_factory=lambda: sending_client(fake.bot_token, fake.url, timeout=5), sleep=lambda _s: None)
    return run_send(ctx, moment)


def received(fake: FakeSlack) -> list[tuple[str, str, list]]:  # type: ignore[type-arg]
    """(user, text, blocks) of every message, oldest first; and no Block Kit violation."""
    assert fake.violations == []
    return [(fake.dm_users.get(m["channel"], m["channel"]), m["text"], m.get("blocks") or []) for m in fake.messages()]


def planned(sessions) -> list[tuple[str, str, datetime]]:
    """(kind, recipient, due at in Tokyo) of every delivery."""
    return [(r.kind, r.recipient, r.due_at.astimezone(TOKYO)) for r in rows(sessions)]


def buttons(blocks) -> list[tuple[str, str | None]]:
    return [(e["action_id"], e.get("value")) for blk in blocks if blk["type"] == "actions" for e in blk["elements"]]


def add_event(sessions, organiser: int, starts: datetime, *, title="生成AI勉強会", capacity=10, hours=2,
              place="第一庁舎 会議室A", online_url=None) -> int:
    with transaction(sessions) as s:
        ev = community.add_event(s, CommunityEvent(
            title=title, kind="study_group", starts_at=starts, ends_at=starts + timedelta(hours=hours), place=place,
            online_url=online_url, capacity=capacity, organiser_id=organiser, created_at=LONG_AGO,
            updated_at=LONG_AGO))
        assert ev.id is not None
        return ev.id


def answer(sessions, event_id: int, staff_id: int, status=GOING, queued_at: datetime = LONG_AGO) -> None:
    with transaction(sessions) as s:
        row = community.answer(s, event_id, staff_id) or EventRsvp(event_id=event_id, staff_id=staff_id,
                                                                   status=status, queued_at=queued_at,
                                                                   updated_at=queued_at)
        row.status = status
        s.add(row)


def change_event(sessions, event_id: int, **values) -> None:
    with transaction(sessions) as s:
        ev = s.get(CommunityEvent, event_id)
        for key, value in values.items():
            setattr(ev, key, value)
        s.add(ev)


def join(sessions, *staff_ids: int) -> None:
    with transaction(sessions) as s:
        for sid in staff_ids:
            community.join(s, sid, LONG_AGO, None)


@pytest.fixture
def city(sessions):
    units = b.org(sessions)
    people = {name: b.person(sessions, units["210"], number, f"U{number}", name=name)
              for name, number in (("organiser", "0001"), ("hanako", "1001"), ("taro", "1002"))}
    return units, {k: v.id for k, v in people.items()}


# ---- event reminders ---------------------------------------------------------------------------------------
def test_day_before_and_hour_before_at_the_right_moments_once(sessions, city):
    _units, p = city
    ev = add_event(sessions, p["organiser"], at("2026-12-03", "14:00"))  # a Thursday
    answer(sessions, ev, p["hanako"])
    answer(sessions, ev, p["taro"], status=WAITING)  # only those going are reminded
    remind(sessions, "2026-12-02", "08:00")
    assert planned(sessions) == [("event.remind_day", "U1001", at("2026-12-02", "09:00"))]
    remind(sessions, "2026-12-02", "08:05")  # the next firing adds nothing
    assert len(rows(sessions)) == 1
    remind(sessions, "2026-12-03", "08:00")
    assert planned(sessions)[1:] == [("event.remind_hour", "U1001", at("2026-12-03", "13:00"))]
    assert {r.period for r in rows(sessions)} == {f"{ev}:{at('2026-12-03', '14:00').astimezone(UTC).isoformat()}"}
    with FakeSlack() as fake:
        send(sessions, fake, at("2026-12-02", "09:00"))
        send(sessions, fake, at("2026-12-03", "13:00"))
        (_u1, text1, blocks1), (_u2, text2, blocks2) = received(fake)
    assert "12月3日（木）" in text1 and "生成AI勉強会" in text1
    assert "14:00" in text2 and "14:00〜16:00" in json.dumps(blocks2, ensure_ascii=False)
    assert buttons(blocks1) == [(ids.ACTION_EVENT_NOT_GOING, str(ev))]


def test_day_before_is_the_last_working_day_before_a_holiday_monday(sessions, city):
    _units, p = city
    ev = add_event(sessions, p["organiser"], at("2026-11-24", "10:00"))  # Tuesday; Monday 23rd is a holiday
    answer(sessions, ev, p["hanako"])
    remind(sessions, "2026-11-19", "06:00")  # Friday 9:00 is more than 26 hours away
    assert rows(sessions) == []
    remind(sessions, "2026-11-19", "08:00")
    assert planned(sessions) == [("event.remind_day", "U1001", at("2026-11-20", "09:00"))]


def test_day_before_skips_the_year_end_closure(sessions, city):
    _units, p = city
    ev = add_event(sessions, p["organiser"], at("2027-01-04", "10:00"))  # the first working day of 2027
    answer(sessions, ev, p["hanako"])
    remind(sessions, "2026-12-27", "08:00")  # Sunday
    assert planned(sessions) == [("event.remind_day", "U1001", at("2026-12-28", "09:00"))]  # 29 Dec–3 Jan closed


def test_a_missed_moment_is_due_now_but_never_after_the_start(sessions, city):
    _units, p = city
    ev = add_event(sessions, p["organiser"], at("2026-12-03", "14:00"))
    answer(sessions, ev, p["hanako"])
    remind(sessions, "2026-12-02", "11:00")  # the bot was down at 9:00: due now (the hour-before: 26 h on)
    assert planned(sessions) == [("event.remind_day", "U1001", at("2026-12-02", "11:00")),
                                 ("event.remind_hour", "U1001", at("2026-12-03", "13:00"))]
    late = add_event(sessions, p["organiser"], at("2026-12-03", "14:00"), title="もう一つ")
    answer(sessions, late, p["hanako"])
    remind(sessions, "2026-12-03", "13:30")  # the bot was down at 13:00: due now
    assert planned(sessions)[2:] == [("event.remind_hour", "U1001", at("2026-12-03", "13:30"))]
    remind(sessions, "2026-12-03", "14:00")  # started: nothing more
    assert len(rows(sessions)) == 3


def test_no_day_before_once_the_window_has_closed(sessions, city):
    _units, p = city
    ev = add_event(sessions, p["organiser"], at("2026-12-03", "14:00"))
    answer(sessions, ev, p["hanako"])
    remind(sessions, "2026-12-02", "18:00")  # the day before, but after the window: only the hour-before
    assert planned(sessions) == [("event.remind_hour", "U1001", at("2026-12-03", "13:00"))]


def test_event_today_no_day_before_and_nothing_once_started(sessions, city):
    _units, p = city
    ev = add_event(sessions, p["organiser"], at("2026-12-03", "14:00"))
    answer(sessions, ev, p["hanako"])
    remind(sessions, "2026-12-03", "14:00")
    assert rows(sessions) == []
    remind(sessions, "2026-12-03", "10:00")
    assert [k for k, _r, _d in planned(sessions)] == ["event.remind_hour"]


def test_no_reminder_of_a_moment_before_the_person_answered(sessions, city):
    _units, p = city
    ev = add_event(sessions, p["organiser"], at("2026-12-03", "14:00"))
    answer(sessions, ev, p["hanako"], queued_at=at("2026-12-02", "10:00"))  # after the day-before moment
    remind(sessions, "2026-12-02", "10:05")
    remind(sessions, "2026-12-03", "13:10")
    assert [k for k, _r, _d in planned(sessions)] == ["event.remind_hour"]


@pytest.mark.parametrize("change", ["cancelled", "moved", "declined"])
def test_a_planned_reminder_is_cancelled_at_send_time(sessions, city, change):
    _units, p = city
    ev = add_event(sessions, p["organiser"], at("2026-12-03", "14:00"))
    answer(sessions, ev, p["hanako"])
    remind(sessions, "2026-12-02", "08:00")
    if change == "cancelled":
        change_event(sessions, ev, status=CANCELLED)
    elif change == "moved":
        change_event(sessions, ev, starts_at=at("2026-12-04", "14:00"), ends_at=at("2026-12-04", "16:00"))
    else:
        answer(sessions, ev, p["hanako"], status=DECLINED)
    with FakeSlack() as fake:
        summary = send(sessions, fake, at("2026-12-02", "09:00"))
        assert received(fake) == []
    assert "cancelled=1" in summary and [r.status for r in rows(sessions)] == [DELIVERY_CANCELLED]
    remind(sessions, "2026-12-03", "08:00")  # a moved event gets reminders of its own
    expected = [("event.remind_day", "U1001", at("2026-12-03", "09:00"))] if change == "moved" else []
    assert planned(sessions)[1:] == expected


def test_reminder_says_the_event_as_it_is_when_sent(sessions, city):
    _units, p = city
    ev = add_event(sessions, p["organiser"], at("2026-12-03", "14:00"), online_url="https://meet.example/abc")
    english = b.person(sessions, city[0]["210"], "1003", "U1003", language="en")
    answer(sessions, ev, p["hanako"])
    answer(sessions, ev, english.id)
    remind(sessions, "2026-12-02", "08:00")
    change_event(sessions, ev, title="生成AI勉強会（会場変更）", place="第二庁舎 研修室")
    with FakeSlack() as fake:
        send(sessions, fake, at("2026-12-02", "09:00"))
        got = {user: (text, json.dumps(blocks, ensure_ascii=False)) for user, text, blocks in received(fake)}
    assert "会場変更" in got["U1001"][0] and "第二庁舎 研修室" in got["U1001"][1]
    assert "https://meet.example/abc" in got["U1001"][1]  # people going get the link
    assert "Thu 3 Dec" in got["U1003"][0] and "Cancel my seat" in got["U1003"][1]


# ---- the weekly note ---------------------------------------------------------------------------------------
def test_weekly_note_lists_coming_events_to_members_only_once(sessions, city):
    units, p = city
    gone = b.person(sessions, units["210"], "1004", "U1004").id
    idle = b.person(sessions, units["210"], "1005", "U1005").id
    no_slack = b.person(sessions, units["210"], "1006", None).id
    join(sessions, p["hanako"], p["taro"], gone, idle, no_slack)
    with transaction(sessions) as s:
        community.leave(s, gone, LONG_AGO)
        s.get(Staff, idle).active = False
    small = add_event(sessions, p["organiser"], at("2026-12-02", "18:30"), title="Python入門", capacity=1)
    add_event(sessions, p["organiser"], at("2026-12-10", "14:00"), title="データ活用ワークショップ",
              online_url="https://meet.example/x", place="")
    add_event(sessions, p["organiser"], at("2026-12-20", "10:00"), title="15日より先の予定")  # beyond 14 days
    answer(sessions, small, p["taro"])  # the one seat is taken
    assert "members=2 added=2" in weekly(sessions, "2026-11-30")  # Monday
    assert "already planned" in weekly(sessions, "2026-11-30", "10:00")
    assert "already planned" in weekly(sessions, "2026-12-01")
    nine = at("2026-11-30", "09:00")
    assert planned(sessions) == [("community.weekly", "U1001", nine), ("community.weekly", "U1002", nine)]
    assert {r.period for r in rows(sessions)} == {"2026-W49"}
    with FakeSlack() as fake:
        send(sessions, fake, at("2026-11-30", "09:00"))
        got = {user: (text, blocks) for user, text, blocks in received(fake)}
    text, blocks = got["U1001"]
    shown = json.dumps(blocks, ensure_ascii=False)
    assert "Python入門" in shown and "データ活用ワークショップ" in shown and "15日より先" not in shown
    assert "満席（キャンセル待ち可）" in shown and "12月2日（水） 18:30〜20:30" in shown
    assert "オンライン" in shown and "meet.example" not in shown  # the link is for people going
    assert [v for a, v in buttons(blocks) if a == ids.ACTION_EVENT_GOING] == [str(small), str(small + 1)]
    assert [v for a, v in buttons(blocks) if a == ids.ACTION_EVENT_NOT_GOING] == [str(small), str(small + 1)]
    assert "✅ 参加予定" in json.dumps(got["U1002"][1], ensure_ascii=False)  # taro's own answer
    assert "2件" in text


def test_weekly_note_none_when_nothing_is_coming(sessions, city):
    _units, p = city
    join(sessions, p["hanako"])
    add_event(sessions, p["organiser"], at("2026-11-30", "08:00"))  # already started at planning
    assert "no coming events" in weekly(sessions, "2026-11-30")
    assert rows(sessions) == []


def test_weekly_note_cancelled_when_the_events_are_gone_or_the_member_left(sessions, city):
    _units, p = city
    join(sessions, p["hanako"], p["taro"])
    ev = add_event(sessions, p["organiser"], at("2026-12-02", "18:30"))
    weekly(sessions, "2026-11-30")
    with transaction(sessions) as s:
        community.leave(s, p["taro"], at("2026-11-30", "08:50"))
    with FakeSlack() as fake:
        send(sessions, fake, at("2026-11-30", "09:00"))
        assert [u for u, _t, _b in received(fake)] == ["U1001"]
    join(sessions, p["taro"])
    weekly(sessions, "2026-12-07")
    change_event(sessions, ev, status=CANCELLED)
    with FakeSlack() as fake:
        send(sessions, fake, at("2026-12-07", "09:00"))
        assert received(fake) == []  # nothing left to announce


def test_weekly_note_on_the_first_working_day_and_caught_up_once(sessions, city):
    _units, p = city
    join(sessions, p["hanako"])
    add_event(sessions, p["organiser"], at("2026-12-04", "18:30"))
    assert "skipped" in weekly(sessions, "2026-11-23")  # 勤労感謝の日: the week starts on Tuesday
    assert "added=1" in weekly(sessions, "2026-11-24")
    assert "skipped" in weekly(sessions, "2025-12-29")  # the year-end closure: no working day this week
    assert "skipped" in weekly(sessions, "2026-11-28")  # Saturday
    assert "added=1" in weekly(sessions, "2026-12-02")  # the bot was down on Monday 30 Nov: Wednesday catches up
    assert "already planned" in weekly(sessions, "2026-12-03")
    assert [r.period for r in rows(sessions)] == ["2026-W48", "2026-W49"]


def test_weekly_note_stays_within_block_kit_limits():
    tz = TOKYO
    base = at("2026-12-01", "10:00")
    events = [EventInfo(i, "長い題名" * 40, "workshop", base + timedelta(hours=i), base + timedelta(hours=i + 1),
                        "場所<&>" * 60, "https://x.example/" + "a" * 400, 5, i % 7, "実行する職員", GOING)
              for i in range(1, 31)]
    for lang in ("ja", "en"):
        message = weekly_note_message(events, lang, tz)
        assert message_problems(message["blocks"], message["text"]) == []
        assert len(message["blocks"]) <= 50
        assert sum(1 for blk in message["blocks"] if blk["type"] == "actions") == MAX_LISTED
        assert str(30 - MAX_LISTED) in json.dumps(message["blocks"][-2], ensure_ascii=False)
        assert "<&>" not in json.dumps(message["blocks"], ensure_ascii=False)  # people's text is escaped


# ---- invitations -------------------------------------------------------------------------------------------
def _t2_ratings(met: int) -> dict[int, int]:
    """Ratings meeting exactly `met` of the tier-2 column's required rows (the others rated 1)."""
    rows_ = [r.row.row for r in assessment_gap(PLAN, {}, 2, None).rows]
    return {row: (3 if i < met else 1) for i, row in enumerate(rows_)}


def _t2_total() -> int:
    return assessment_gap(PLAN, {}, 2, None).total


@pytest.fixture
def staff(sessions):
    """Everyone the invitation rules distinguish, by what makes them (un)likely to benefit."""
    units = b.org(sessions)
    manager = b.person(sessions, units["210"], "0001", "U0001", position="所属長").id
    done = {c: b.min_hours(c) for c in T1}
    people = {}
    for name, number, kwargs in (
        ("tier_done", "2001", {}), ("recommended", "2002", {}), ("recommended_long_ago", "2003", {}),
        ("sheet_near", "2004", {}), ("sheet_far", "2005", {}), ("member", "2006", {}), ("opted_out", "2007", {}),
        ("inactive", "2008", {}), ("no_slack", "2009", {"slack_id": None}), ("tier2", "2010", {"tier": 2}),
        ("old_sheet", "2011", {}), ("english", "2012", {"language": "en"}),
    ):
        slack = kwargs.pop("slack_id", f"U{number}")
        people[name] = b.person(sessions, units["210"], number, slack, **kwargs).id
    for name in ("tier_done", "member", "opted_out", "inactive", "no_slack", "english"):
        b.complete(sessions, people[name], T1, done)
    total = _t2_total()
    near = -(-4 * total // 5)  # ceil(80%)
    b.sheet(sessions, people["sheet_near"], 2, None, _t2_ratings(near), at=at("2026-10-01", "10:00"))
    b.sheet(sessions, people["sheet_far"], 2, None, _t2_ratings(near - 1), at=at("2026-10-01", "10:00"))
    b.sheet(sessions, people["old_sheet"], 2, None, _t2_ratings(total), at=at("2025-10-01", "10:00"))
    with transaction(sessions) as s:
        for name, when in (("recommended", at("2026-10-15")), ("recommended_long_ago", at("2026-07-01"))):
            s.add(Recommendation(staff_id=people[name], kind="community", by_staff_id=manager,
                                 week="2026-W42", at=when))
        community.set_pref(s, people["opted_out"], LONG_AGO, no_invites=True)
        s.get(Staff, people["inactive"]).active = False
    join(sessions, people["member"])
    return people


def _invited(sessions) -> dict[str, str]:
    with sessions() as s:
        numbers = dict(s.exec(select(Staff.slack_id, Staff.number)).all())
    return {numbers[r.recipient]: r.period for r in rows(sessions) if r.kind == "community.invite"}


def test_invitations_go_to_those_likely_to_benefit_once(sessions, staff):
    summary = invite(sessions, "2026-12-01")
    assert "invited=5" in summary and "recommended=1 sheet_near=1 tier_done=3" in summary
    assert set(_invited(sessions)) == {"2001", "2002", "2004", "2010", "2012"}
    assert "already planned" in invite(sessions, "2026-12-01", "10:00")
    assert "already planned" in invite(sessions, "2026-12-02")
    assert len(rows(sessions)) == 5 and all(r.due_at == at("2026-12-01", "09:00") for r in rows(sessions))
    with sessions() as s:
        (row,) = invitations_of(s, staff["sheet_near"])
        assert (row.month, row.invited_on, row.reason) == ("2026-12", date(2026, 12, 1), "sheet_near")
        assert row.delivery_id in {r.id for r in rows(sessions)}
    with FakeSlack() as fake:
        send(sessions, fake, at("2026-12-01", "09:00"))
        got = {user: (text, blocks) for user, text, blocks in received(fake)}
    assert len(got) == 5
    text, blocks = got["U2004"]
    assert "自己評価シート" in json.dumps(blocks, ensure_ascii=False)
    assert [a for a, _v in buttons(blocks)] == [ids.ACTION_COMMUNITY_JOIN, ids.ACTION_COMMUNITY_NO_INVITES]
    assert "推薦" in json.dumps(got["U2002"][1], ensure_ascii=False)
    assert "No more invitations" in json.dumps(got["U2012"][1], ensure_ascii=False)


@pytest.mark.usefixtures("staff")
def test_no_second_invitation_within_the_quiet_months(sessions):
    invite(sessions, "2026-12-01")
    assert "skipped" in invite(sessions, "2027-01-01")  # closed (元日, the year-end closure)
    assert "invited=0" in invite(sessions, "2027-01-04")  # January's first working day: all invited in December
    assert "invited=0" in invite(sessions, "2027-05-06")  # May's first working day (after Golden Week): 5 months
    assert "invited=4" in invite(sessions, "2027-06-01")  # six months on: again (the recommendation is too old now)
    june = {r.recipient for r in rows(sessions) if r.period == "2027-06"}
    assert june == {"U2001", "U2004", "U2010", "U2012"}


@pytest.mark.usefixtures("staff")
def test_too_many_likely_people_are_invited_over_several_months(sessions):
    assert "likely=5 invited=2" in invite(sessions, "2026-12-01", COMMUNITY_INVITES_PER_MONTH="2")
    assert set(_invited(sessions)) == {"2002", "2004"}  # recommended and near the next tier first
    assert "invited=2" in invite(sessions, "2027-01-04", COMMUNITY_INVITES_PER_MONTH="2")
    assert "invited=1" in invite(sessions, "2027-02-01", COMMUNITY_INVITES_PER_MONTH="2")
    assert sorted(_invited(sessions).items()) == [("2001", "2027-01"), ("2002", "2026-12"), ("2004", "2026-12"),
                                                  ("2010", "2027-01"), ("2012", "2027-02")]


@pytest.mark.usefixtures("staff")
def test_quiet_months_setting(sessions):
    invite(sessions, "2026-12-01", COMMUNITY_INVITE_QUIET_MONTHS="1")
    invite(sessions, "2027-01-04", COMMUNITY_INVITE_QUIET_MONTHS="1")  # one month: again the next month
    assert sum(1 for r in rows(sessions) if r.recipient == "U2001") == 2


@pytest.mark.usefixtures("staff")
def test_invitations_caught_up_later_in_the_month_once(sessions):
    assert "invited=5" in invite(sessions, "2026-12-03")  # the bot was down on 1 and 2 December
    assert "already planned" in invite(sessions, "2026-12-04")
    assert {r.period for r in rows(sessions)} == {"2026-12"}


def test_joined_or_opted_out_after_planning_cancels_the_invitation(sessions, staff):
    invite(sessions, "2026-12-01")
    join(sessions, staff["tier_done"])
    with transaction(sessions) as s:
        community.set_pref(s, staff["tier2"], at("2026-12-01", "08:50"), no_invites=True)
    with FakeSlack() as fake:
        send(sessions, fake, at("2026-12-01", "09:00"))
        users = {u for u, _t, _b in received(fake)}
    assert users == {"U2002", "U2004", "U2012"}
    status = {r.recipient: r.status for r in rows(sessions)}
    assert status["U2001"] == status["U2010"] == DELIVERY_CANCELLED and status["U2002"] == SENT


def test_reading_everyone_takes_a_fixed_number_of_statements(engine, sessions):
    units = b.org(sessions)

    def statements(n: int, first: int) -> int:
        for i in range(first, first + n):
            sid = b.person(sessions, units["210"], f"{i:04d}", f"U{i:04d}").id
            b.complete(sessions, sid, T1, {c: b.min_hours(c) for c in T1})
            b.sheet(sessions, sid, 2, None, _t2_ratings(1))
        with counting(engine) as seen:
            invite(sessions, "2026-12-01" if first == 1 else "2027-06-01")
        return len([s for s in seen if not s.lstrip().upper().startswith(("SAVEPOINT", "RELEASE"))])

    few = statements(2, 1)
    many = statements(20, 100)
    assert few == many <= 16, (few, many)


def test_catalogs_have_the_same_keys_and_placeholders():
    ja, en = ja_community_jobs.MESSAGES, en_community_jobs.MESSAGES
    assert set(ja) == set(en) and ja
    fields = re.compile(r"{(\w+)}")
    assert {k: sorted(fields.findall(v)) for k, v in ja.items()} == {
        k: sorted(fields.findall(v)) for k, v in en.items()}


def test_near_the_next_tier_counts_the_next_columns_rows():
    def sheet(tier, track, ratings):
        return LatestSheet(tier, track, ratings)

    required = required_rows(PLAN)
    digi = {r.row.row: 4 for r in assessment_gap(PLAN, {}, 3, "digi").rows}
    assert near_next_tier(PLAN, required, 2, None, sheet(3, "digi", digi))
    sys_gap = assessment_gap(PLAN, digi, 3, "sys")
    assert near_next_tier(PLAN, required, 2, None, sheet(3, "sys", digi)) == (sys_gap.met >= 0.8 * sys_gap.total)
    assert not near_next_tier(PLAN, required, 3, "digi", sheet(3, "digi", digi))  # the top tier: nothing next
    assert not near_next_tier(PLAN, required, 1, None, None)
