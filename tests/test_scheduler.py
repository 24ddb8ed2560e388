"""The scheduler as a clock: one replica per slot, missed slots caught up once, one sender at a time."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from apscheduler.triggers.cron import CronTrigger
from fakeslack import FakeSlack

from bot.plan import load_plan
from bot.runtime import Runtime
from bot.settings import load_settings
from jobs import registry
from jobs.registry import EXCLUSIVE, SLOT, Job, JobContext
from jobs.scheduler import Runner, build_scheduler, latest_fire_time, start_scheduler
from storage import jobslots

TOKYO = ZoneInfo("Asia/Tokyo")
SETTINGS = load_settings(environ={"SLACK_BOT_TOKEN": "xoxb-test"})


def tokyo(y: int, m: int, d: int, hh: int, mm: int = 0, ss: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, ss, tzinfo=TOKYO)


class Counting:
    """A job body that counts its runs (per slot time it was run at)."""

    def __init__(self) -> None:
        self.runs: list[datetime] = []
        self.lock = threading.Lock()

    def __call__(self, _ctx: JobContext, now: datetime) -> str:
        with self.lock:
            self.runs.append(now)
        return "ok"


def _ctx(sessions, clock) -> JobContext:
    return JobContext(settings=SETTINGS, sessions=sessions, plan=load_plan(), clock=clock,
                      client_factory=lambda: None)  # type: ignore[arg-type, return-value]


def _daily_job(body: Counting) -> Job:
    return Job("daily", "test", SLOT, lambda s: CronTrigger(hour=8, minute=30, timezone=s.tz), body)


@pytest.mark.parametrize(("now", "expected"), [
    (tokyo(2026, 6, 8, 8, 29), tokyo(2026, 6, 5, 8, 30)),  # Monday before 8:30 → last Friday's
    (tokyo(2026, 6, 8, 8, 30), tokyo(2026, 6, 8, 8, 30)),  # exactly at the firing
    (tokyo(2026, 6, 6, 12, 0), tokyo(2026, 6, 5, 8, 30)),  # Saturday → Friday (mon-fri trigger)
])
def test_latest_fire_time_of_the_reminders_trigger(now, expected):
    assert latest_fire_time(registry.JOBS["reminders"].trigger(SETTINGS), now) == expected


def test_latest_fire_time_is_quick_for_a_trigger_firing_every_second():
    started = time.perf_counter()
    now = tokyo(2026, 6, 8, 8, 30, 5) + timedelta(microseconds=300)
    assert latest_fire_time(CronTrigger(second="*", timezone=TOKYO), now) == tokyo(2026, 6, 8, 8, 30, 5)
    assert latest_fire_time(CronTrigger(hour=3, minute=15, timezone=TOKYO), now) == tokyo(2026, 6, 8, 3, 15)
    assert time.perf_counter() - started < 0.5


def test_latest_fire_time_outside_the_window_is_none():
    trigger = CronTrigger(month=1, day=1, hour=0, timezone=TOKYO)
    assert latest_fire_time(trigger, tokyo(2026, 6, 1, 0)) is None  # last fired months ago: not caught up


def test_two_replicas_firing_the_same_slot_run_it_once(sessions):
    body = Counting()
    now = tokyo(2026, 6, 8, 8, 30, 1)
    runners = [Runner(_ctx(sessions, lambda: now), owner=f"replica-{i}", jobs=[_daily_job(body)]) for i in range(4)]
    barrier = threading.Barrier(len(runners))

    def fire(runner: Runner) -> None:
        barrier.wait()
        runner.fire(runner.jobs[0])

    threads = [threading.Thread(target=fire, args=(r,)) for r in runners]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(body.runs) == 1
    with sessions() as s:
        (slot,) = jobslots.slots_of(s, "daily")
    assert slot.slot == tokyo(2026, 6, 8, 8, 30) and slot.finished_at is not None and slot.result == "ok"


def test_missed_slots_are_caught_up_once(sessions):
    body = Counting()
    job = _daily_job(body)
    Runner(_ctx(sessions, lambda: tokyo(2026, 6, 1, 8, 30)), jobs=[job]).fire(job)  # ran Monday
    down_until = tokyo(2026, 6, 4, 14, 0)  # down Tuesday to Thursday noon: three firings missed
    first = Runner(_ctx(sessions, lambda: down_until), owner="a", jobs=[job])
    assert first.catch_up() == {"daily": "ok"}
    assert Runner(_ctx(sessions, lambda: down_until), owner="b", jobs=[job]).catch_up() == {"daily": None}
    assert first.catch_up() == {"daily": None}  # a restart catches up nothing more
    assert len(body.runs) == 2
    with sessions() as s:
        assert [j.slot for j in jobslots.slots_of(s, "daily")] == [tokyo(2026, 6, 1, 8, 30), tokyo(2026, 6, 4, 8, 30)]


def test_no_catch_up_when_the_slot_already_ran(sessions):
    body = Counting()
    job = _daily_job(body)
    Runner(_ctx(sessions, lambda: tokyo(2026, 6, 4, 8, 30)), jobs=[job]).fire(job)
    assert Runner(_ctx(sessions, lambda: tokyo(2026, 6, 4, 15, 0)), jobs=[job]).catch_up() == {"daily": None}
    assert len(body.runs) == 1


def test_a_slot_left_unfinished_by_a_dead_replica_is_run_again_later(sessions):
    body = Counting()
    job = _daily_job(body)
    slot = tokyo(2026, 6, 4, 8, 30)
    with sessions() as s:
        assert jobslots.claim(s, "daily", slot, "dead", slot, timedelta(hours=1))
        s.commit()
    assert Runner(_ctx(sessions, lambda: slot + timedelta(minutes=20)), jobs=[job]).catch_up() == {"daily": None}
    assert Runner(_ctx(sessions, lambda: slot + timedelta(hours=2)), jobs=[job]).catch_up() == {"daily": "ok"}


def test_exclusive_job_has_one_runner_at_a_time(sessions):
    started, release = threading.Event(), threading.Event()

    def long_drain(_ctx: JobContext, _now: datetime) -> str:
        started.set()
        release.wait(5)
        return "drained"

    job = Job("send", "test", EXCLUSIVE, registry.JOBS["send"].trigger, long_drain)
    first, second = (Runner(_ctx(sessions, lambda: datetime.now(UTC)), jobs=[job]) for _ in range(2))
    results: list[str | None] = []
    thread = threading.Thread(target=lambda: results.append(first.fire(job)))
    thread.start()
    assert started.wait(5)
    assert second.fire(job) is None  # the lock is held: the second sender does not start
    release.set()
    thread.join()
    assert results == ["drained"]
    assert second.fire(job) == "drained"


def test_background_schedulers_on_two_replicas_run_each_slot_once(sessions):
    """Real APScheduler, real time: a job firing every second on two replicas runs once per second."""
    body = Counting()
    job = Job("tick", "test", SLOT, lambda s: CronTrigger(second="*", timezone=s.tz), body)
    schedulers = [build_scheduler(Runner(_ctx(sessions, lambda: datetime.now(UTC)), owner=f"r{i}", jobs=[job]))
                  for i in range(2)]
    for scheduler in schedulers:
        scheduler.start()
    time.sleep(3.2)
    for scheduler in schedulers:
        scheduler.shutdown(wait=True)
    with sessions() as s:
        slots = jobslots.slots_of(s, "tick")
    assert len(slots) >= 2
    assert len(body.runs) == len(slots)  # every claimed second ran once, on one replica
    assert len({slot.slot for slot in slots}) == len(slots)


def test_start_scheduler_registers_every_job_and_catches_up(engine, sessions):
    with FakeSlack() as fake:
        settings = load_settings(environ={"SLACK_BOT_TOKEN": fake.bot_token, "SLACK_API_URL": fake.url})
        runtime = Runtime(settings=settings, engine=engine, sessions=sessions, plan=load_plan())
        scheduler = start_scheduler(runtime)
        try:
            assert {j.id for j in scheduler.get_jobs()} >= {"reminders", "send", "housekeeping"}
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                with sessions() as s:
                    if {"reminders", "housekeeping"} <= set(jobslots.last_runs(s)):
                        break
                time.sleep(0.05)
        finally:
            scheduler.shutdown(wait=True)
    with sessions() as s:
        assert {"reminders", "housekeeping"} <= set(jobslots.last_runs(s))  # both caught up on start
