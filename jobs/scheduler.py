"""APScheduler as a clock only: triggers fire; the database decides who runs what, and what was missed.

- A "slot" job firing is identified by its scheduled time (the trigger's latest fire time ≤ now). The
  replica that inserts (job, slot) into job_slot runs it; every other replica's insert does nothing.
- On start, each slot job's latest scheduled time (within CATCH_UP_WINDOW) is claimed the same way: if
  the bot was down then, the job runs once now — one catch-up, however many firings were missed.
- An "exclusive" job (the sender) runs only while holding a lock (PostgreSQL: an advisory lock shared by
  all replicas), so two replicas never drain at once and the configured pace holds.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.base import BaseTrigger
from slack_sdk import WebClient

from bot.runtime import Runtime
from jobs.registry import EXCLUSIVE, JOBS, SLOT, Job, JobContext
from jobs.send_policy import new_owner, sending_client
from storage import jobslots
from storage.db import transaction

log = logging.getLogger(__name__)

CATCH_UP_WINDOW = timedelta(days=7)  # older firings are not worth running late
STALE_SLOT = timedelta(hours=1)  # a claimed slot not finished after this long may be run again
SEND_MAX_SECONDS = 50.0  # one tick's drain; the next tick continues
SPANS = (timedelta(seconds=1), timedelta(minutes=1), timedelta(hours=1), timedelta(days=1))


def latest_fire_time(trigger: BaseTrigger, now: datetime, window: timedelta = CATCH_UP_WINDOW) -> datetime | None:
    """The trigger's last scheduled time at or before `now` (within `window`), or None.

    APScheduler only looks forward, so look from ever longer spans back (a second, a minute, … the window)
    and step forward from the first firing found: a few steps whether the trigger fires every second or daily.
    """
    for span in [s for s in SPANS if s < window] + [window]:
        fire = trigger.get_next_fire_time(None, now - span)
        if fire is not None and fire <= now:
            while True:
                following = trigger.get_next_fire_time(fire, fire + timedelta(microseconds=1))
                if following is None or following > now:
                    return fire
                fire = following
    return None


class Runner:
    """Runs jobs for one replica: slot claims, catch-up and exclusive locks."""

    def __init__(self, ctx: JobContext, owner: str | None = None, jobs: Iterable[Job] | None = None) -> None:
        self.ctx, self.owner = ctx, owner or new_owner()
        self.jobs = list(jobs if jobs is not None else JOBS.values())

    def fire(self, job: Job) -> str | None:
        """What APScheduler calls: run the job for the slot that is due now (if this replica wins it)."""
        now = self.ctx.clock()
        if job.mode == EXCLUSIVE:
            return self.run_exclusive(job, now)
        slot = latest_fire_time(job.trigger(self.ctx.settings), now)
        return self.run_slot(job, slot or now, now)

    def run_slot(self, job: Job, slot: datetime, now: datetime) -> str | None:
        """Claim (job, slot); run the job only when the claim is ours. Returns its summary, or None."""
        with transaction(self.ctx.sessions) as session:
            if not jobslots.claim(session, job.name, slot, self.owner, now, STALE_SLOT):
                return None
        log.info("job %s: running slot %s", job.name, slot.isoformat())
        result = job.run(self.ctx, now)
        with transaction(self.ctx.sessions) as session:
            jobslots.finish(session, job.name, slot, self.owner, self.ctx.clock(), result)
        log.info("job %s: %s", job.name, result)
        return result

    def run_exclusive(self, job: Job, now: datetime) -> str | None:
        """Run the job if no other runner holds its lock."""
        with self.ctx.sessions() as session:
            engine = session.get_bind()
        with jobslots.exclusive(engine, job.name) as mine:  # type: ignore[arg-type]
            return job.run(self.ctx, now) if mine else None

    def catch_up(self) -> dict[str, str | None]:
        """Run, once, each slot job whose latest scheduled firing nobody ran (the bot was down)."""
        now = self.ctx.clock()
        done: dict[str, str | None] = {}
        for job in self.jobs:
            if job.mode != SLOT:
                continue
            slot = latest_fire_time(job.trigger(self.ctx.settings), now)
            if slot is not None:
                done[job.name] = self.run_slot(job, slot, now)
        return done


def build_scheduler(runner: Runner) -> BackgroundScheduler:
    """A BackgroundScheduler with every job and a one-off catch-up right after start."""
    settings = runner.ctx.settings
    scheduler = BackgroundScheduler(timezone=settings.tz)
    for job in runner.jobs:
        scheduler.add_job(runner.fire, trigger=job.trigger(settings), args=[job], id=job.name, name=job.name,
                          max_instances=1, coalesce=True, misfire_grace_time=3600)
    scheduler.add_job(runner.catch_up, id="catch-up", name="catch-up", max_instances=1)
    return scheduler


def start_scheduler(runtime: Runtime, client: WebClient | None = None) -> BackgroundScheduler:
    """Start the jobs in the background for `python -m bot serve`; returns the scheduler (call .shutdown()).

    `client` is the app's WebClient: only its token and base URL are reused — the sender needs a client
    that never retries a post on its own.
    """
    settings = runtime.settings
    token = (client.token if client else None) or settings.slack_bot_token
    base_url = client.base_url if client else settings.slack_api_url
    ctx = JobContext(settings=settings, sessions=runtime.sessions, plan=runtime.plan, clock=runtime.now,
                     client_factory=lambda: sending_client(token, base_url), max_seconds=SEND_MAX_SECONDS)
    scheduler = build_scheduler(Runner(ctx))
    scheduler.start()
    log.info("scheduler started: %s", ", ".join(JOBS))
    return scheduler
