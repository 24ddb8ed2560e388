"""End to end: `/mytraining kpi` through the real bot over HTTP — the summary for administrators, the
charts uploaded to their DM with files_upload_v2, and a polite refusal for everyone else."""

from __future__ import annotations

import io
import json
from datetime import UTC, date, datetime, timedelta

import pytest
from harness import Clock, running_bot, wait_until
from manager_fixtures import MONDAY, known_org
from PIL import Image
from sqlmodel import select

from bot.calendar import calendar_from
from bot.plan import load_plan
from bot.settings import load_settings
from jobs.kpi_report import KIND_KPI, first_working_day
from jobs.registry import JOBS, JobContext
from jobs.send_policy import sending_client
from storage.delivery_models import Delivery


@pytest.fixture
def kbot(db_url, sessions):
    with running_bot(db_url, sessions, Clock(MONDAY)) as running:
        running.extra["org"] = known_org(sessions)
        for number in running.extra["org"].people:
            running.slack.add_user(f"U{number}", email=f"{number.lower()}@example.jp")
        yield running
        assert running.slack.violations == []


def test_administrator_gets_the_summary_and_the_charts_by_dm(kbot):
    answer = kbot.req.slash_command("UA1", "kpi").body
    text = json.dumps(answer, ensure_ascii=False)
    assert answer["response_type"] == "ephemeral"
    assert "デジタル人材育成 KPI" in text and "450" in text and "45 人" in text
    assert "全職員: 11 人" in text  # everyone in the known organisation is at tier 1
    assert "5人未満" in text
    wait_until(lambda: kbot.slack.calls_to("files.completeUploadExternal"))
    files = list(kbot.slack.files.values())
    assert sorted(f.filename.rsplit("-", 3)[0] for f in files) == ["kpi-departments", "kpi-tier2", "kpi-tier3"]
    assert all(f.channels == [kbot.slack.dm_channel("UA1")] for f in files)
    for f in files:
        assert f.data is not None
        assert Image.open(io.BytesIO(f.data)).format == "PNG"


def test_anyone_else_is_refused_politely_and_gets_no_charts(kbot):
    for user in ("UM110", "US3"):
        answer = kbot.req.slash_command(user, "kpi").body
        assert "管理者（デジタル戦略課）だけ" in answer["text"] and "blocks" in answer
    kbot.req.slash_command("UA1", "kpi")  # after the refusals: only the administrator's charts arrive
    wait_until(lambda: kbot.slack.calls_to("files.completeUploadExternal"))
    assert len(kbot.slack.files) == 3
    assert {c for f in kbot.slack.files.values() for c in f.channels} == {kbot.slack.dm_channel("UA1")}


FIRST_OF_DECEMBER = datetime(2026, 11, 30, 23, 45, tzinfo=UTC)  # Tuesday 1 December 2026, 08:45 in Tokyo


def _run_job(bot, name: str, now: datetime) -> str:
    """Run a registered job once, as `python -m bot jobs run NAME --now` does."""
    ctx = JobContext(settings=bot.settings, sessions=bot.sessions, plan=load_plan(), clock=lambda: now,
                     client_factory=lambda: sending_client(bot.slack.bot_token, bot.slack.url, timeout=5),
                     sleep=lambda _s: None)
    return JOBS[name].run(ctx, now)


def test_first_working_day_of_the_month_skips_weekends_holidays_and_the_year_end_closure():
    cal = calendar_from(load_settings(environ={}))
    assert first_working_day(cal, date(2026, 12, 15)) == date(2026, 12, 1)  # a Tuesday
    assert first_working_day(cal, date(2026, 11, 20)) == date(2026, 11, 2)  # 1 Nov is a Sunday
    assert first_working_day(cal, date(2027, 1, 20)) == date(2027, 1, 4)  # closure until 3 January
    assert first_working_day(cal, date(2027, 5, 31)) == date(2027, 5, 6)  # Golden Week


def test_monthly_report_reaches_each_administrator_once_through_the_outbox(kbot):
    assert "planned=1 administrators=1" in _run_job(kbot, "kpi_report", FIRST_OF_DECEMBER)
    assert "planned=0" in _run_job(kbot, "kpi_report", FIRST_OF_DECEMBER + timedelta(hours=1))  # again: nothing
    assert "skipped" in _run_job(kbot, "kpi_report", FIRST_OF_DECEMBER + timedelta(days=1))
    assert kbot.slack.messages() == []  # planned, not yet sent: the sender posts inside the window
    _run_job(kbot, "send", FIRST_OF_DECEMBER + timedelta(minutes=30))  # 09:15 in Tokyo
    (sent,) = kbot.slack.messages()
    assert sent["channel"] == kbot.slack.dm_channel("UA1")
    body = json.dumps(sent, ensure_ascii=False)
    assert "デジタル人材育成 KPI（2026-12-01 時点）" in body and "0 / 450 人" in body
    with kbot.sessions() as s:
        rows = s.exec(select(Delivery).where(Delivery.kind == KIND_KPI)).all()
    assert [(r.recipient, r.period, r.status) for r in rows] == [("UA1", "2026-12", "sent")]
