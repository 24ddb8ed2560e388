"""The weekly digest on a known organisation with a frozen clock: who is in which digest, once a week."""

from __future__ import annotations

import io
import json
import threading
from datetime import UTC, datetime, timedelta

import builders as b
from hypothesis import given, settings
from hypothesis import strategies as st
from manager_fixtures import MONDAY, deliveries, known_org, payload_text
from sqlmodel import select

from bot.blockkit import message_problems
from bot.blocks.digest import allot
from bot.plan import load_plan
from jobs.digest import plan_digests
from jobs.digest_delivery import KIND_DIGEST, KIND_REFUSED
from storage import audit
from storage import community as community_store
from storage.db import session_factory
from storage.manager_models import DigestSnapshot
from storage.models import AuditLog, Staff

SETTINGS = b.deps_for(lambda: None).settings  # type: ignore[arg-type, return-value]
NAMES = {"M110": "戦略 課長", "M111": "推進 係長", "M120": "政策 課長", "M210": "市民 課長", "S1": "戦略 一郎",
         "S2": "推進 二郎", "S3": "市民 三郎", "S4": "市民 四郎", "S5": "政策 五郎", "S6": "協働 六郎",
         "A1": "管理 花子"}


def plan(sessions, now=MONDAY, inspect=None):
    return plan_digests(sessions, load_plan(), SETTINGS, now, inspect)


def by_recipient(sessions):
    return {d.recipient: d for d in deliveries(sessions, KIND_DIGEST)}


def test_each_unit_digest_has_its_people_and_nobody_else(sessions):
    known_org(sessions)
    report = plan(sessions)
    assert (report.units, report.planned) == (4, 4)
    expected = {"UM110": {"M110", "M111", "S1", "S2", "A1"}, "UM111": {"M111", "S2"},
                "UM120": {"M120", "S5"}, "UM210": {"M210", "S3", "S4"}}
    sent = by_recipient(sessions)
    assert set(sent) == set(expected)  # 200 has no manager: no digest; S6 is in none
    for recipient, numbers in expected.items():
        text = payload_text(sent[recipient])
        assert all(NAMES[n] in text for n in numbers), recipient
        assert not [n for n in NAMES if n not in numbers and NAMES[n] in text], recipient
        assert message_problems(json.loads(sent[recipient].payload)["blocks"]) == []


def test_digest_lists_are_the_right_people_most_important_first(sessions):
    org = known_org(sessions)
    with sessions() as s:
        community_store.join(s, org.id("S4"), MONDAY - timedelta(days=30), None)
        s.commit()
    plan(sessions)
    sent = by_recipient(sessions)
    blocks = json.loads(sent["UM110"].payload)["blocks"]
    texts = [b["text"]["text"] for b in blocks if b["type"] == "section" and "text" in b]
    waiting = next(i for i, t in enumerate(texts) if "判断待ち" in t)
    assert "推進 二郎" in texts[waiting + 1] and "実行する職員" in texts[waiting + 1]  # asked for tier 2
    ready = next(i for i, t in enumerate(texts) if "未申請" in t)
    assert waiting < ready and "戦略 一郎" in texts[ready + 1]
    overdue_210 = payload_text(sent["UM210"])
    assert "滞って" in overdue_210 and "市民 三郎" in overdue_210 and "この1週間に研修を修了（1 人）" in overdue_210
    community = overdue_210.split("コミュニティ未参加（")[1]
    assert community.startswith("2 人）") and "市民 四郎" not in community  # S4 joined the community
    menus = [b["accessory"] for b in blocks if b.get("accessory", {}).get("type") == "overflow"]
    assert menus and all(len(m["options"]) <= 5 for m in menus)


def test_job_run_twice_or_at_once_plans_one_digest_per_unit(sessions, engine):
    known_org(sessions)
    plan(sessions)
    with sessions() as s:
        reads = len(audit.entries(s, actions=[audit.READ_DIGEST]))
    again = plan(sessions)
    assert again.skipped == "already planned"
    results = []

    def run() -> None:
        results.append(plan_digests(session_factory(engine), load_plan(), SETTINGS, MONDAY + timedelta(hours=1), None))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(deliveries(sessions, KIND_DIGEST)) == 4
    with sessions() as s:
        assert len(s.exec(select(DigestSnapshot)).all()) == 4
        assert len(audit.entries(s, actions=[audit.READ_DIGEST])) == reads
    assert reads == 5 + 2 + 2 + 3  # one entry per person in each digest


def test_monday_holiday_moves_the_digest_to_tuesday(sessions):
    known_org(sessions)
    holiday = datetime(2026, 11, 22, 23, 30, tzinfo=UTC)  # Monday 23 November 2026: 勤労感謝の日
    assert plan(sessions, holiday).skipped == "not the week's digest day"
    assert plan(sessions, holiday - timedelta(days=2)).skipped == "not the week's digest day"  # Saturday
    tuesday = plan(sessions, holiday + timedelta(days=1))
    assert (tuesday.week, tuesday.planned) == ("2026-W48", 4)
    assert plan(sessions, holiday + timedelta(days=2)).skipped == "already planned"
    due = {d.due_at for d in deliveries(sessions, KIND_DIGEST)}
    assert due == {datetime(2026, 11, 24, 0, 0, tzinfo=UTC)}  # 09:00 in Tokyo, the window's opening


def test_a_missed_digest_day_is_caught_up_later_that_week(sessions):
    known_org(sessions)
    wednesday = plan(sessions, MONDAY + timedelta(days=2))
    assert (wednesday.week, wednesday.planned) == ("2026-W49", 4)


def test_change_since_last_week(sessions):
    org = known_org(sessions)
    plan(sessions)
    first = payload_text(by_recipient(sessions)["UM210"])
    assert "先週の記録なし" in first
    with sessions() as s:
        staff = s.get(Staff, org.id("S3"))
        staff.tier = 2
        s.add(staff)
        s.commit()
    b.person(sessions, org.units["210"], "S7", "US7", name="市民 七郎")
    plan(sessions, MONDAY + timedelta(days=7))
    later = [d for d in deliveries(sessions, KIND_DIGEST) if d.recipient == "UM210"][-1]
    fields = next(bl for bl in json.loads(later.payload)["blocks"] if "fields" in bl)["fields"]
    assert [f["text"].split("\n")[1] for f in fields] == ["3 人（先週比 ±0）", "1 人（先週比 +1）",
                                                          "0 人（先週比 ±0）"]


def test_a_large_unit_stays_within_slack_limits_and_attaches_everyone(sessions):
    from openpyxl import load_workbook

    from bot.services.manager_export import render, unpack
    from storage.manager_models import DeliveryFile

    org = known_org(sessions)
    for i in range(180):
        b.person(sessions, org.units["210"], f"L{i:03d}", f"UL{i:03d}", name=f"大勢 {i:03d}")
        if i % 3 == 0:
            b.enrol(sessions, _staff_id(sessions, f"L{i:03d}"), ["t1-ict-basics"],
                    on=MONDAY.date() - timedelta(days=45))
    plan(sessions)
    digest = by_recipient(sessions)["UM210"]
    message = json.loads(digest.payload)
    assert len(message["blocks"]) <= 50 and message_problems(message["blocks"], message["text"]) == []
    text = payload_text(digest)
    assert "ほか" in text and "Excel" in text
    with sessions() as s:
        file = s.exec(select(DeliveryFile).where(DeliveryFile.recipient == "UM210")).one()
    assert file.filename == "digest_210_2026-W49.xlsx"
    book = load_workbook(io.BytesIO(render(unpack(file.sheets))))
    assert book.sheetnames == ["ダイジェスト", "職員一覧"]
    people = list(book["職員一覧"].iter_rows(values_only=True))
    assert people[0][:4] == ("職員番号", "氏名", "所属コード", "所属名")
    assert len(people) - 1 == 3 + 180 and {r[1] for r in people[1:]} >= {"大勢 000", "市民 三郎"}
    stuck = [r[5] for r in book["ダイジェスト"].iter_rows(values_only=True) if r[0] == "研修の滞り・未着手"]
    stalled = ["から受講中" in detail for detail in stuck]
    assert sum(stalled) == 61 and stalled == sorted(stalled, reverse=True)  # S3 and every third newcomer first


def _staff_id(sessions, number):
    with sessions() as s:
        return s.exec(select(Staff.id).where(Staff.number == number)).one()


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 60), min_size=1, max_size=6), st.integers(0, 60))
def test_allot_fills_the_room_most_important_first(sizes, room):
    shown = allot(sizes, room)
    cost = sum(shown) + sum(1 for n, s in zip(sizes, shown, strict=True) if 0 < n and s < n)
    nonempty = sum(1 for n in sizes if n)
    if room >= nonempty:
        assert cost <= room
        if any(s < n for n, s in zip(sizes, shown, strict=True)):
            assert cost == room  # no row left out while there was room for it
    for i, (n, s) in enumerate(zip(sizes, shown, strict=True)):
        assert 0 <= s <= n
        if s > 8 and not s == n == 9:  # beyond 8 rows only after every earlier list was shown in full (a 9th,
            assert all(shown[j] == sizes[j] for j in range(i))  # last row is free: it replaces "ほか 1 人")


def test_public_or_open_channels_are_refused_and_the_managers_get_it_by_dm(sessions):
    from bot.slack_channels import ChannelFacts
    from storage import digests

    org = known_org(sessions)
    with sessions() as s:
        for unit, channel in (("110", "G110"), ("111", "G111"), ("120", "C120"), ("210", "G210")):
            digests.set_channel(s, org.units[unit], channel, "cli", MONDAY)
        s.commit()
    facts = {"G110": ChannelFacts("G110", True, members=frozenset({"UM110", "UA1"})),  # managers and an admin
             "G111": ChannelFacts("G111", True, members=frozenset({"UM111", "UM110"})),  # and the parent's
             "C120": ChannelFacts("C120", False, members=frozenset({"UM120"})),  # public
             "G210": ChannelFacts("G210", True, members=frozenset({"UM210", "US3"}))}  # a member of staff
    report = plan(sessions, inspect=facts.__getitem__)
    assert report.refused == 2
    assert set(by_recipient(sessions)) == {"G110", "G111", "UM120", "UM210"}
    alerts = sorted(deliveries(sessions, KIND_REFUSED), key=lambda a: a.period)
    assert [(a.recipient, a.period) for a in alerts] == [("UA1", "120:2026-W49"), ("UA1", "210:2026-W49")]
    assert "公開チャンネル" in payload_text(alerts[0]) and "メンバーがいます" in payload_text(alerts[1])
    with sessions() as s:
        problems = {c.channel_id: c.problem for c in digests.channels(s).values()}
        actors = {e.actor for e in s.exec(select(AuditLog).where(AuditLog.action == audit.READ_DIGEST)).all()}
    assert problems == {"G110": None, "G111": None, "C120": "public", "G210": "outsiders"}
    assert actors == {"channel:G110", "channel:G111", f"staff:{org.id('M120')}", f"staff:{org.id('M210')}"}
