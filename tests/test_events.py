"""Events and RSVP as services: the event form, seats under concurrency, the waiting list, who may do what."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import builders as b
import pytest
from sqlmodel import select

from bot import ids
from bot.blockkit import assert_message_ok, assert_view_ok
from bot.blocks import events as blocks
from bot.blocks.community import members_modal
from bot.event_form import EventForm, parse_event_form
from bot.plan import load_plan
from bot.services import community as community_svc
from bot.services import events
from bot.services.deps import UserError
from storage import community, roles
from storage.community_models import CommunityEvent, EventRsvp
from storage.delivery_models import Delivery
from storage.models import Staff

NOW = datetime(2026, 11, 30, 0, 30, tzinfo=UTC)  # Monday 09:30 in Tokyo
TIERS = {1, 2, 3}


def values(**fields):
    """Modal state values; a field given as None is left out (as Slack leaves out an empty optional input)."""
    base = {"title": ("plain_text_input", "value", "勉強会"), "kind": ("static_select", "selected_option",
                                                                    {"value": "workshop"}),
            "day": ("datepicker", "selected_date", "2026-12-10"), "start": ("timepicker", "selected_time", "13:00"),
            "end": ("timepicker", "selected_time", "15:00"), "place": ("plain_text_input", "value", "会議室"),
            "url": ("url_text_input", "value", None), "capacity": ("number_input", "value", "20"),
            "tier": ("static_select", "selected_option", {"value": "all"}), "hours": ("number_input", "value", "2"),
            "description": ("plain_text_input", "value", "")}
    out = {}
    for name, (kind, key, value) in base.items():
        value = fields.get(name, value)
        block, elem = {"title": (ids.BLOCK_EVENT_TITLE, ids.ELEM_EVENT_TITLE),
                       "kind": (ids.BLOCK_EVENT_KIND, ids.ELEM_EVENT_KIND),
                       "day": (ids.BLOCK_EVENT_DATE, ids.ELEM_EVENT_DATE),
                       "start": (ids.BLOCK_EVENT_START, ids.ELEM_EVENT_START),
                       "end": (ids.BLOCK_EVENT_END, ids.ELEM_EVENT_END),
                       "place": (ids.BLOCK_EVENT_PLACE, ids.ELEM_EVENT_PLACE),
                       "url": (ids.BLOCK_EVENT_URL, ids.ELEM_EVENT_URL),
                       "capacity": (ids.BLOCK_EVENT_CAPACITY, ids.ELEM_EVENT_CAPACITY),
                       "tier": (ids.BLOCK_EVENT_TIER, ids.ELEM_EVENT_TIER),
                       "hours": (ids.BLOCK_EVENT_HOURS, ids.ELEM_EVENT_HOURS),
                       "description": (ids.BLOCK_EVENT_DESCRIPTION, ids.ELEM_EVENT_DESCRIPTION)}[name]
        out[block] = {elem: {"type": kind, key: value}}
    return out


def test_a_well_filled_form_parses():
    form, errors = parse_event_form(values(url="https://meet.example.jp/x", tier={"value": "2"}, hours="１.５"),
                                    TIERS)
    assert errors == {}
    assert form == EventForm("勉強会", "workshop", date(2026, 12, 10), time(13), time(15), "会議室",
                             "https://meet.example.jp/x", 20, 2, 1.5, "")


@pytest.mark.parametrize(("fields", "expected"), [
    ({"title": ""}, {"title": "error_required"}),
    ({"title": "あ" * 101}, {"title": "event_error_too_long"}),
    ({"kind": {"value": "party"}}, {"kind": "error_required"}),
    ({"kind": None}, {"kind": "error_required"}),
    ({"day": "2026-02-30"}, {"day": "error_bad_date"}),
    ({"start": "25:00"}, {"start": "event_error_bad_time"}),
    ({"end": "12:59"}, {"end": "event_error_end_before_start"}),
    ({"end": "13:00"}, {"end": "event_error_end_before_start"}),
    ({"place": "", "url": None}, {"place": "event_error_where"}),
    ({"url": "javascript:alert(1)"}, {"url": "error_bad_url"}),
    ({"capacity": "0"}, {"capacity": "event_error_capacity"}),
    ({"capacity": "501"}, {"capacity": "event_error_capacity"}),
    ({"capacity": "2.5"}, {"capacity": "event_error_capacity"}),
    ({"capacity": None}, {"capacity": "event_error_capacity"}),
    ({"tier": {"value": "9"}}, {"tier": "error_required"}),
    ({"hours": "-1"}, {"hours": "event_error_hours"}),
    ({"hours": "25"}, {"hours": "event_error_hours"}),
    ({"hours": "nan"}, {"hours": "event_error_hours"}),
    ({"description": "x" * 2001}, {"description": "event_error_too_long"}),
])
def test_bad_fields_are_named(fields, expected):
    form, errors = parse_event_form(values(**fields), TIERS)
    assert form is None and errors == expected


def test_titles_and_places_are_kept_as_typed():
    form, _ = parse_event_form(values(title=" 生成AI勉強会（第1回） ", place="第一庁舎　５階"), TIERS)
    assert (form.title, form.place) == ("生成AI勉強会（第1回）", "第一庁舎　５階")


def test_garbage_state_gives_errors_not_exceptions():
    form, errors = parse_event_form({ids.BLOCK_EVENT_TITLE: "x", ids.BLOCK_EVENT_DATE: {ids.ELEM_EVENT_DATE: 5}},
                                    TIERS)
    assert form is None and {"title", "kind", "day", "start", "end", "capacity"} <= set(errors)


@pytest.fixture
def city(sessions):
    units = b.org(sessions)
    people = {"lead": b.person(sessions, units["111"], "1001", "U1001"),
              "lead2": b.person(sessions, units["111"], "1002", "U1002"),
              "admin": b.person(sessions, units["111"], "1003", "U1003")}
    for n in range(8):
        people[n] = b.person(sessions, units["210"], f"20{n:02d}", f"U20{n:02d}")
    with sessions() as s:
        roles.grant(s, people["lead"].id, "community_lead", NOW, "cli")
        roles.grant(s, people["lead2"].id, "community_lead", NOW, "cli")
        roles.grant(s, people["admin"].id, "admin", NOW, "cli")
        for n in range(8):
            community.join(s, people[n].id, NOW, None)
        s.commit()
    return people


def form(capacity=2, day=date(2026, 12, 10)):
    return EventForm("勉強会", "study_group", day, time(18), time(19), "会議室", None, capacity, None, 1.0, "")


def new_event(sessions, city, capacity=2):
    with sessions() as s:
        return events.create(b.deps_for(sessions, NOW), s, city["lead"], form(capacity))


def statuses(sessions, event_id):
    with sessions() as s:
        rows = s.exec(select(EventRsvp).where(EventRsvp.event_id == event_id).order_by(EventRsvp.id)).all()
        return [(r.staff_id, r.status) for r in rows]


def test_many_people_asking_at_once_never_overfill(sessions, city):
    event = new_event(sessions, city, capacity=3)
    deps = b.deps_for(sessions, NOW)
    start = threading.Barrier(8)
    failures = []

    def ask(n):
        start.wait()
        with sessions() as s:
            try:
                events.rsvp(deps, s, city[n], event.id, True)
            except Exception as exc:  # noqa: BLE001  (collected and asserted below: any failure fails the test)
                failures.append(exc)

    threads = [threading.Thread(target=ask, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    result = [status for _, status in statuses(sessions, event.id)]
    assert sorted(result) == ["going"] * 3 + ["waiting"] * 5


def test_freed_seats_go_to_the_waiting_list_in_order_and_each_is_told(sessions, city):
    event = new_event(sessions, city, capacity=1)
    deps = b.deps_for(sessions, NOW)
    for n in range(4):
        with sessions() as s:
            answer = events.rsvp(deps, s, city[n], event.id, True)
        assert answer.position == n  # 0: has the seat, then 1, 2, 3 on the waiting list
    with sessions() as s:
        events.rsvp(deps, s, city[2], event.id, False)  # leaves the waiting list: nobody moves up
        events.rsvp(deps, s, city[0], event.id, False)  # gives the seat back: person 1 moves up
    assert statuses(sessions, event.id) == [(city[0].id, "declined"), (city[1].id, "going"),
                                            (city[2].id, "declined"), (city[3].id, "waiting")]
    with sessions() as s:  # more seats: person 3 moves up too
        events.update(deps, s, city["lead"], event.id, form(capacity=2))
        promoted = s.exec(select(Delivery.recipient).where(Delivery.kind == events.KIND_PROMOTED)).all()
    assert sorted(promoted) == [city[1].slack_id, city[3].slack_id]
    assert statuses(sessions, event.id)[3] == (city[3].id, "going")


def test_who_may_change_what(sessions, city):
    event = new_event(sessions, city)
    deps = b.deps_for(sessions, NOW)
    with sessions() as s:
        with pytest.raises(UserError, match="event_error_not_organiser"):
            events.create(deps, s, city[0], form())
        with pytest.raises(UserError, match="event_error_not_theirs"):
            events.cancel(deps, s, city["lead2"], event.id, "")
        s.rollback()
        with pytest.raises(UserError, match="event_error_unknown"):
            events.cancel(deps, s, city["lead"], 999_999, "")
        with pytest.raises(UserError, match="event_error_not_yet"):
            events.mark_attendance(deps, s, city["lead"], event.id, {city[0].id})
        s.rollback()
        events.cancel(deps, s, city["admin"], event.id, "")  # an administrator may cancel anyone's event
    with sessions() as s:
        assert s.get(CommunityEvent, event.id).status == "cancelled"
        with pytest.raises(UserError, match="event_error_closed"):
            events.update(deps, s, city["lead"], event.id, form())


def test_rsvp_refusals_change_nothing(sessions, city):
    event = new_event(sessions, city)
    deps = b.deps_for(sessions, NOW)
    with sessions() as s:
        community.leave(s, city[5].id, NOW)
        s.commit()
        with pytest.raises(UserError, match="event_error_not_member"):
            events.rsvp(deps, s, city[5], event.id, True)
        with pytest.raises(UserError, match="event_error_unknown"):
            events.rsvp(deps, s, city[0], 0, True)
    later = b.deps_for(sessions, datetime(2026, 12, 10, 9, 30, tzinfo=UTC))  # 18:30 in Tokyo: started
    with sessions() as s, pytest.raises(UserError, match="event_error_started"):
        events.rsvp(later, s, city[0], event.id, True)
    assert statuses(sessions, event.id) == []


def test_attendance_counts_only_those_going(sessions, city):
    event = new_event(sessions, city, capacity=1)
    deps = b.deps_for(sessions, NOW)
    for n in range(2):
        with sessions() as s:
            events.rsvp(deps, s, city[n], event.id, True)
    after = b.deps_for(sessions, datetime(2026, 12, 10, 10, 30, tzinfo=UTC))
    with sessions() as s:
        _, came = events.mark_attendance(after, s, city["lead"], event.id, {city[0].id, city[1].id, 424242})
    assert came == 1  # the waiting person and an unknown id are ignored
    with sessions() as s:
        assert [a.hours for a in community.attended(s, city[0].id)] == [1.0]
        assert community.attended(s, city[1].id) == []


def test_leaving_gives_back_seats_and_rejoining_is_a_new_spell(sessions, city):
    event = new_event(sessions, city, capacity=1)
    deps = b.deps_for(sessions, NOW)
    with sessions() as s:
        events.rsvp(deps, s, city[0], event.id, True)
        events.rsvp(deps, s, city[1], event.id, True)
        assert community_svc.leave(deps, s, city[0]) == 1
        with pytest.raises(UserError, match="community_not_member"):
            community_svc.leave(deps, s, city[0])
        assert community_svc.join(deps, s, city[0], None) is True
        assert community_svc.join(deps, s, city[0], None) is False  # one open membership per person
    assert statuses(sessions, event.id) == [(city[0].id, "declined"), (city[1].id, "going")]


def test_announcement_goes_to_members_who_asked_in_their_language(sessions, city):
    deps = b.deps_for(sessions, NOW, COMMUNITY_CHANNEL_ID="C0COMMUNITY")
    with sessions() as s:
        community_svc.set_dm(deps, s, city[0], True)
        community_svc.set_dm(deps, s, city[1], True)
        city[1].language = "en"
        s.add(city[1])
        s.commit()
        community.leave(s, city[1].id, NOW)  # asked for DMs, then left: no DM
        s.commit()
        event = events.create(deps, s, city["lead"], form())
        planned = s.exec(select(Delivery).order_by(Delivery.id)).all()
    assert [(d.kind, d.recipient, d.period) for d in planned] == [
        ("event.announce", "C0COMMUNITY", str(event.id)), ("event.announce_dm", city[0].slack_id, str(event.id))]
    assert planned[1].due_at == NOW  # Monday 09:30: inside the sending window
    evening = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)  # 19:00 in Tokyo: DMs wait for the next morning
    with sessions() as s:
        events.create(b.deps_for(sessions, evening, COMMUNITY_CHANNEL_ID="C0COMMUNITY"), s, city["lead"],
                      form(day=date(2026, 12, 11)))
        dm = s.exec(select(Delivery).where(Delivery.kind == "event.announce_dm")
                    .order_by(Delivery.id.desc())).first()  # type: ignore[union-attr]
    assert dm.due_at == datetime(2026, 12, 1, 0, 0, tzinfo=UTC) and dm.due_at - evening > timedelta(hours=10)


def test_only_the_organiser_or_an_administrator_opens_an_event_to_change_it(sessions, city):
    event = new_event(sessions, city)
    deps = b.deps_for(sessions, NOW)
    with sessions() as s:
        events.rsvp(deps, s, city[0], event.id, True)
        with pytest.raises(UserError, match="event_error_not_theirs"):
            events.editable(deps, s, city["lead2"], event.id)
        with pytest.raises(UserError, match="event_error_not_organiser"):
            events.editable(deps, s, city[0], event.id)
        assert events.editable(deps, s, city["admin"], event.id)[1] == 1


def test_seats_cannot_drop_below_the_people_going(sessions, city):
    event = new_event(sessions, city, capacity=3)
    deps = b.deps_for(sessions, NOW)
    for n in range(2):
        with sessions() as s:
            events.rsvp(deps, s, city[n], event.id, True)
    with sessions() as s, pytest.raises(UserError, match="event_error_capacity_below"):
        events.update(deps, s, city["lead"], event.id, form(capacity=1))
    with sessions() as s:
        assert (s.get(CommunityEvent, event.id).capacity, s.get(CommunityEvent, event.id).version) == (3, 1)


@pytest.mark.parametrize(("raw", "seats_ok"), [("²", True), ("¹²", True), ("①", True), ("9" * 40, False),
                                               ("-1", False), ("1e3", False), ("", False)])
def test_odd_numbers_in_the_form_are_refused_not_raised(raw, seats_ok):
    _, errors = parse_event_form(values(capacity=raw), TIERS)
    assert ("capacity" not in errors) == seats_ok  # superscripts and circled digits read as the digits (NFKC)
    _, errors = parse_event_form(values(tier={"value": raw}), TIERS)
    assert ("tier" in errors) == (raw != "")  # "" is "everyone"; a tier's value is its plain number


def test_the_largest_community_views_fit_slack():
    """500 seats in the attendance modal, 4,000 members with long names, an event with every field at its
    longest: within Block Kit's limits (bot.blockkit, the checks the fake Slack applies)."""
    now = datetime(2026, 12, 10, 9, 0, tzinfo=UTC)
    longest = CommunityEvent(id=7, title="長" * 100, kind="workshop", starts_at=now, ends_at=now + timedelta(hours=2),
                             place="場" * 200, online_url="https://example.jp/" + "x" * 470, capacity=500,
                             target_tier=3, hours=24, description="説" * 2000, organiser_id=1, created_at=now,
                             updated_at=now)
    people = [(EventRsvp(event_id=7, staff_id=n, status="going", queued_at=now, updated_at=now),
               Staff(id=n, number=f"{n:08d}", name="名" * 40)) for n in range(1, 501)]
    plan, tz = load_plan(), ZoneInfo("Asia/Tokyo")
    for lang in ("ja", "en"):
        modal = blocks.attendance_modal(longest, people, lang, tz)
        assert_view_ok(modal)
        assert sum(len(blk["element"]["options"]) for blk in modal["blocks"] if blk["type"] == "input") == 500
        assert_view_ok(blocks.event_modal(plan, lang, tz, longest))
        assert_view_ok(blocks.cancel_modal(longest, plan, lang, tz, 500))
        assert_view_ok(members_modal(lang, [p for _, p in people] * 8, [p for _, p in people[:20]], {}))
        for text, message in (blocks.announcement(longest, plan, lang, tz), blocks.promoted(longest, plan, lang, tz),
                              blocks.updated(longest, plan, lang, tz),
                              blocks.cancelled(longest, plan, lang, tz, "理" * 500),
                              blocks.attended(longest, plan, lang, tz)):
            assert_message_ok(message, text)
