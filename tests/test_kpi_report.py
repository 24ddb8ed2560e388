"""End to end: the monthly KPI report to the administrators' channel (ADMIN_CHANNEL_ID) or their DMs, the
channel checked before posting, and its charts uploaded once into the report's thread after it is sent."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from harness import Clock, running_bot
from manager_fixtures import MONDAY, known_org
from PIL import Image
from sqlalchemy import update
from sqlmodel import select

from bot.plan import load_plan
from handlers.common import Who
from handlers.kpi import help_blocks
from jobs.kpi_report import KIND_KPI
from jobs.registry import JOBS, JobContext
from jobs.send_policy import sending_client
from storage.db import transaction
from storage.delivery_models import Delivery
from storage.manager_models import FILE_DONE, FILE_DROPPED, FILE_UPLOADING, DeliveryFile

FIRST_OF_DECEMBER = datetime(2026, 11, 30, 23, 45, tzinfo=UTC)  # Tuesday 1 December 2026, 08:45 in Tokyo
SEND_AT = FIRST_OF_DECEMBER + timedelta(minutes=30)
CHANNEL = "GKPIADMIN"
CHART_NAMES = ["kpi-departments-2026-12-01.png", "kpi-tier2-2026-12-01.png", "kpi-tier3-2026-12-01.png"]




@contextmanager
def _bot(db_url, sessions, **env) -> Iterator[Any]:
    with running_bot(db_url, sessions, Clock(MONDAY), **env) as bot:
        bot.extra["org"] = known_org(sessions)
        for number in bot.extra["org"].people:
            bot.slack.add_user(f"U{number}", email=f"{number.lower()}@example.jp")
        yield bot
        assert bot.slack.violations == []


@pytest.fixture
def dm_bot(db_url, sessions):
    with _bot(db_url, sessions) as bot:
        yield bot


@pytest.fixture
def channel_bot(db_url, sessions):
    with _bot(db_url, sessions, ADMIN_CHANNEL_ID=CHANNEL) as bot:
        yield bot


def _run(bot, name: str, now: datetime) -> str:
    """Run a registered job once, as `python -m bot jobs run NAME --now` does."""
    ctx = JobContext(settings=bot.settings, sessions=bot.sessions, plan=load_plan(), clock=lambda: now,
                     client_factory=lambda: sending_client(bot.slack.bot_token, bot.slack.url, timeout=5),
                     sleep=lambda _s: None)
    return JOBS[name].run(ctx, now)


def _rows(bot, model=Delivery):
    with bot.sessions() as s:
        return s.exec(select(model).where(model.kind == KIND_KPI).order_by(model.id)).all()


def _charts_in(bot, channel: str) -> list[dict[str, Any]]:
    return [m for m in bot.slack.messages(channel) if m.get("upload")]


def _assert_charts(bot, channel: str, report: dict[str, Any]) -> None:
    """One upload of the three PNGs, as a reply in the report's thread."""
    (upload,) = _charts_in(bot, channel)
    assert upload["thread_ts"] == report["ts"]
    assert sorted(f["name"] for f in upload["files"]) == CHART_NAMES
    for f in upload["files"]:
        data = bot.slack.files[f["id"]].data
        assert data is not None and Image.open(io.BytesIO(data)).format == "PNG"


def test_with_a_channel_the_report_goes_there_only_and_the_charts_follow_in_its_thread(channel_bot):
    bot = channel_bot
    bot.slack.add_channel(CHANNEL, "kpi-admins", is_private=True, members=["UA1", bot.slack.bot_user_id])
    assert f"planned=1 administrators=1 channel={CHANNEL}" in _run(bot, "kpi_report", FIRST_OF_DECEMBER)
    assert "planned=0" in _run(bot, "kpi_report", FIRST_OF_DECEMBER + timedelta(hours=1))
    assert "uploaded=0" in _run(bot, "digest_files", SEND_AT)  # not sent yet: nothing to attach
    assert bot.slack.files == {}
    _run(bot, "send", SEND_AT)
    (report,) = bot.slack.messages()
    assert report["channel"] == CHANNEL
    body = json.dumps(report, ensure_ascii=False)
    assert "デジタル人材育成 KPI（2026-12-01 時点）" in body and "学びのコミュニティ" in body and "スレッド" in body
    assert bot.slack.messages(bot.slack.dm_channel("UA1")) == []  # not by DM as well
    assert "uploaded=1" in _run(bot, "digest_files", SEND_AT + timedelta(minutes=1))
    assert "uploaded=0" in _run(bot, "digest_files", SEND_AT + timedelta(minutes=2))  # twice run: once
    _assert_charts(bot, CHANNEL, report)
    assert [(r.recipient, r.period, r.status) for r in _rows(bot)] == [(CHANNEL, "2026-12", "sent")]
    (file,) = _rows(bot, DeliveryFile)
    assert (file.recipient, file.status, file.sheets, file.file_id) == (CHANNEL, FILE_DONE, None,
                                                                         _charts_in(bot, CHANNEL)[0]["files"][0]["id"])


@pytest.mark.parametrize(("public", "members", "why"), [
    (True, ["UA1"], "公開チャンネルです"), (False, ["UA1", "UM110"], "管理者ではないメンバーがいます")])
def test_a_public_or_too_wide_channel_is_refused_flagged_and_the_report_comes_by_dm(channel_bot, public, members,
                                                                                     why):
    bot = channel_bot
    bot.slack.add_channel(CHANNEL, "kpi-admins", is_private=not public, members=[*members, bot.slack.bot_user_id])
    _run(bot, "kpi_report", FIRST_OF_DECEMBER)
    _run(bot, "send", SEND_AT)
    _run(bot, "send", SEND_AT + timedelta(minutes=1))  # the DMs planned instead go with the next sender run
    assert bot.slack.messages(CHANNEL) == []
    (dm,) = bot.slack.messages(bot.slack.dm_channel("UA1"))
    body = json.dumps(dm, ensure_ascii=False)
    assert why in body and f"<#{CHANNEL}>" in body and "デジタル人材育成 KPI" in body
    rows = {r.recipient: r for r in _rows(bot)}
    assert (rows[CHANNEL].status, rows[CHANNEL].flagged) == ("failed", True)
    assert rows[CHANNEL].last_error.startswith("channel refused: ")
    assert rows["UA1"].status == "sent"
    _run(bot, "digest_files", SEND_AT + timedelta(minutes=2))
    assert _charts_in(bot, CHANNEL) == []
    _assert_charts(bot, bot.slack.dm_channel("UA1"), dm)
    files = {f.recipient: f.status for f in _rows(bot, DeliveryFile)}
    assert files == {CHANNEL: FILE_DROPPED, "UA1": FILE_DONE}


def test_without_a_channel_each_administrator_gets_the_report_and_the_charts_by_dm(dm_bot):
    bot = dm_bot
    _run(bot, "kpi_report", FIRST_OF_DECEMBER)
    _run(bot, "send", SEND_AT)
    dm = bot.slack.dm_channel("UA1")
    (report,) = bot.slack.messages(dm)
    _run(bot, "digest_files", SEND_AT)
    _assert_charts(bot, dm, report)


def test_an_upload_refused_for_now_is_retried_and_an_interrupted_one_is_not_repeated(dm_bot):
    bot = dm_bot
    _run(bot, "kpi_report", FIRST_OF_DECEMBER)
    _run(bot, "send", SEND_AT)
    bot.slack.fail_next("files.getUploadURLExternal", "ratelimited", 429, retry_after=30)
    assert "stopped(ratelimited)" in _run(bot, "digest_files", SEND_AT)
    assert _charts_in(bot, bot.slack.dm_channel("UA1")) == []
    assert "uploaded=1" in _run(bot, "digest_files", SEND_AT + timedelta(minutes=1))
    with transaction(bot.sessions) as s:  # as if the process died after Slack stored the files
        s.exec(update(DeliveryFile).values(status=FILE_UPLOADING, sheets=b"not read again"))
    assert "found=1" in _run(bot, "digest_files", SEND_AT + timedelta(minutes=2))  # in the report's thread
    assert len(_charts_in(bot, bot.slack.dm_channel("UA1"))) == 1 and len(bot.slack.files) == 3


def test_the_help_mentions_the_kpi_to_administrators_only(dm_bot):
    bot = dm_bot
    org = bot.extra["org"]
    deps = None  # help_blocks needs only the session and the person
    with bot.sessions() as s:
        admin = help_blocks(deps, s, Who("UA1", org.people["A1"], "ja"))  # type: ignore[arg-type]
        manager = help_blocks(deps, s, Who("UM110", org.people["M110"], "en"))  # type: ignore[arg-type]
        nobody = help_blocks(deps, s, Who("UX", None, "ja"))  # type: ignore[arg-type]
    assert "/mytraining kpi" in json.dumps(admin, ensure_ascii=False)
    assert manager == [] and nobody == []
