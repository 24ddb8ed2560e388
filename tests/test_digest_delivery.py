"""Sending digests: the channel is checked again before posting, and the full list is attached once."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import builders as b
import pytest
from delivery_helpers import make_sender
from fakeslack import FakeSlack
from manager_fixtures import MONDAY, deliveries, known_org
from openpyxl import load_workbook
from sqlalchemy import update
from sqlmodel import select

from bot.calendar import calendar_from
from bot.plan import load_plan
from bot.slack_channels import slack_inspector
from jobs.digest import plan_digests
from jobs.digest_delivery import KIND_DIGEST, KIND_REFUSED, channel_guard
from jobs.digest_files import upload_files
from jobs.send_policy import sending_client
from storage import digests
from storage.db import transaction
from storage.delivery_models import Delivery
from storage.manager_models import FILE_DONE, FILE_DROPPED, FILE_UPLOADING, DeliveryFile

SETTINGS = b.deps_for(lambda: None).settings  # type: ignore[arg-type, return-value]
SENT_AT = MONDAY + timedelta(hours=1)


@pytest.fixture
def fake():
    with FakeSlack() as slack:
        yield slack


def _client(fake):
    return sending_client(fake.bot_token, fake.url, timeout=5)


def _setup(sessions, fake, crowd=0):
    """The known organisation, 210's digest channel G210 (private: its manager and the bot), a crowd in 210."""
    org = known_org(sessions)
    fake.add_channel("G210", "mgr-210", is_private=True, members=["UM210", fake.bot_user_id])
    with sessions() as s:
        digests.set_channel(s, org.units["210"], "G210", "cli", MONDAY)
        s.commit()
    for i in range(crowd):
        b.person(sessions, org.units["210"], f"L{i:03d}", f"UL{i:03d}", name=f"大勢 {i:03d}")
    report = plan_digests(sessions, load_plan(), SETTINGS, MONDAY, slack_inspector(_client(fake)))
    assert report.refused == 0
    return org


def _drain(sessions, fake):
    guard = channel_guard(SETTINGS, lambda: slack_inspector(_client(fake)), calendar_from(SETTINGS).today)
    sender = make_sender(sessions, fake, guard=guard)
    sender.clock = lambda: SENT_AT
    return sender.drain()


def test_a_channel_opened_up_after_planning_is_refused_before_posting(sessions, fake):
    org = _setup(sessions, fake)
    fake.channels["G210"].is_private = False  # someone made it public after the digest was planned …
    with transaction(sessions) as s:  # … and the last check is older than an hour: the guard asks Slack again
        s.exec(update(digests.UnitChannel).values(checked_at=MONDAY - timedelta(hours=2)))
    report = _drain(sessions, fake)
    assert report.cancelled == 1
    assert fake.messages("G210") == []
    dm = json.dumps(fake.messages(fake.dm_channel("UM210")), ensure_ascii=False)
    assert "週次ダイジェスト" in dm and "市民 三郎" in dm
    alert = fake.messages(fake.dm_channel("UA1"))
    assert len(alert) == 1 and "公開チャンネル" in alert[0]["text"]
    assert [d.recipient for d in deliveries(sessions, KIND_REFUSED)] == ["UA1"]
    with sessions() as s:
        assert digests.channels(s)[org.units["210"]].problem == "public"
    assert fake.violations == []


def test_a_fresh_check_is_trusted_and_the_digest_is_posted(sessions, fake):
    _setup(sessions, fake)
    report = _drain(sessions, fake)
    assert report.cancelled == 0 and len(fake.messages("G210")) == 1
    assert fake.calls_to("conversations.info") and len(fake.calls_to("conversations.info")) == 1  # planning only


def test_the_full_list_is_attached_once_in_the_same_channel(sessions, fake):
    _setup(sessions, fake, crowd=120)
    _drain(sessions, fake)
    first = upload_files(sessions, _client(fake), lambda: SENT_AT)
    assert (first.uploaded, first.failed) == (1, 0)
    (file,) = fake.files.values()
    assert file.channels == ["G210"] and file.filename == "digest_210_2026-W49.xlsx"
    book = load_workbook(io.BytesIO(file.data))
    assert [c.value for c in book["職員一覧"][1]][:3] == ["職員番号", "氏名", "所属コード"]
    assert book["職員一覧"].max_row == 1 + 3 + 120
    assert upload_files(sessions, _client(fake), lambda: SENT_AT).uploaded == 0
    with transaction(sessions) as s:  # as if the process died after Slack stored the file
        s.exec(update(DeliveryFile).values(status=FILE_UPLOADING, sheets=b"not read again"))
    again = upload_files(sessions, _client(fake), lambda: SENT_AT)
    assert (again.found, again.uploaded, len(fake.files)) == (1, 0, 1)
    with sessions() as s:
        assert s.exec(select(DeliveryFile.status)).all() == [FILE_DONE]


def test_no_file_before_its_digest_is_sent_and_none_for_a_cancelled_one(sessions, fake):
    _setup(sessions, fake, crowd=120)
    assert upload_files(sessions, _client(fake), lambda: SENT_AT).uploaded == 0  # not sent yet
    with transaction(sessions) as s:
        s.exec(update(Delivery).where(Delivery.kind == KIND_DIGEST).values(status="cancelled"))
    report = upload_files(sessions, _client(fake), lambda: SENT_AT)
    assert (report.dropped, fake.files) == (1, {})  # only 210 is large enough to need the full list
    with sessions() as s:
        rows = s.exec(select(DeliveryFile)).all()
    assert {r.status for r in rows} == {FILE_DROPPED} and all(r.sheets is None for r in rows)


def test_a_channel_changed_by_the_administrator_after_planning_sends_the_digest_by_dm(sessions, fake):
    org = _setup(sessions, fake)
    with sessions() as s:
        digests.clear_channel(s, org.units["210"])
        s.commit()
    report = _drain(sessions, fake)
    assert report.cancelled == 1 and fake.messages("G210") == []
    assert "市民 三郎" in json.dumps(fake.messages(fake.dm_channel("UM210")), ensure_ascii=False)
    assert deliveries(sessions, KIND_REFUSED) == []  # the administrator made the change: no alert
