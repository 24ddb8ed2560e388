"""`python -m bot jobs list` and `python -m bot jobs run NAME [--now ISO8601]`."""

from __future__ import annotations

import io
import subprocess
import sys
from datetime import date

import builders as b
import pytest
from delivery_helpers import REPO, assert_exactly_once, rows, statuses
from fakeslack import FakeSlack

from bot.cli import main
from storage.delivery_models import PENDING, SENT


@pytest.fixture
def env(monkeypatch, db_url):
    for key in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_API_URL", "SLACK_SIGNING_SECRET"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.chdir(REPO / "tests")  # no .env here
    return monkeypatch


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    return main(list(argv), out), out.getvalue()


@pytest.fixture
def overdue(sessions):
    units = b.org(sessions)
    for n in range(3):
        staff = b.person(sessions, units["210"], f"10{n}", f"U10{n}")
        b.enrol(sessions, staff.id, ["t1-ict-basics"], on=date(2026, 6, 1))


@pytest.mark.usefixtures("env")
def test_jobs_list_names_each_job_and_its_schedule():
    code, text = run("jobs", "list")
    assert code == 0
    for name, schedule in (("reminders", "day_of_week='mon-fri', hour='8', minute='30'"), ("send", "interval"),
                           ("housekeeping", "hour='3', minute='15'")):
        line = next(line for line in text.splitlines() if line.startswith(name))
        assert schedule in line and "last: —" in line


@pytest.mark.usefixtures("env", "overdue")
def test_jobs_run_reminders_as_of_a_moment_then_send(sessions, env):
    code, text = run("jobs", "run", "reminders", "--now", "2026-06-15T08:30:00+09:00")
    assert code == 0 and "people=3 due=3 added=3" in text
    assert statuses(sessions) == {PENDING: 3}
    assert run("jobs", "run", "reminders", "--now", "2026-06-15T10:00:00+09:00")[1].endswith("added=0\n")
    with FakeSlack() as fake:
        env.setenv("SLACK_BOT_TOKEN", fake.bot_token)
        env.setenv("SLACK_API_URL", fake.url)
        code, text = run("jobs", "run", "send", "--now", "2026-06-15T09:00:00+09:00")
        assert code == 0 and "sent=3" in text
        assert_exactly_once(fake, [r.id for r in rows(sessions)])
    assert statuses(sessions) == {SENT: 3}


@pytest.mark.usefixtures("env", "overdue")
def test_nothing_is_sent_before_its_time(sessions, env):
    run("jobs", "run", "reminders", "--now", "2026-06-15T08:30:00+09:00")  # due at 9:00
    with FakeSlack() as fake:
        env.setenv("SLACK_BOT_TOKEN", fake.bot_token)
        env.setenv("SLACK_API_URL", fake.url)
        assert "sent=0" in run("jobs", "run", "send", "--now", "2026-06-15T08:45:00+09:00")[1]
        assert fake.messages() == []
    assert statuses(sessions) == {PENDING: 3}


@pytest.mark.usefixtures("env")
def test_a_holiday_plans_nothing():
    assert "skipped (not a working day)" in run("jobs", "run", "reminders", "--now", "2026-05-06T08:30+09:00")[1]


@pytest.mark.usefixtures("env", "overdue")
def test_send_without_a_token_fails_fast_and_claims_nothing(sessions, capsys):
    run("jobs", "run", "reminders", "--now", "2026-06-15T08:30:00+09:00")
    code, _ = run("jobs", "run", "send", "--now", "2026-06-15T09:00:00+09:00")
    assert code == 2 and "SLACK_BOT_TOKEN" in capsys.readouterr().err
    assert statuses(sessions) == {PENDING: 3} and all(r.lease_owner is None for r in rows(sessions))


@pytest.mark.usefixtures("env")
@pytest.mark.parametrize(("argv", "message"), [
    (("jobs", "run", "nope"), "unknown job 'nope'"),
    (("jobs", "run", "send", "--now", "2026-06-15T09:00"), "タイムゾーン付き"),
    (("jobs", "run", "send", "--now", "tomorrow"), "ISO 8601"),
    (("jobs",), "ACTION"),
])
def test_bad_input_exits_2_with_a_message(capsys, argv, message):
    code, _ = run(*argv)
    assert code == 2 and message in capsys.readouterr().err


def test_the_real_entry_point(db_url):
    done = subprocess.run([sys.executable, "-m", "bot", "jobs", "list"], cwd=REPO, capture_output=True, text=True,
                          env={"PATH": "/usr/bin:/bin", "DATABASE_URL": db_url}, timeout=60)
    assert done.returncode == 0 and "reminders" in done.stdout
    helped = subprocess.run([sys.executable, "-m", "bot", "--help"], cwd=REPO, capture_output=True, text=True,
                            timeout=60)
    assert "jobs" in helped.stdout
