"""The named jobs: what each does, when the scheduler fires it, and how replicas share it.

- ``reminders``: plan today's reminders (working days, REMINDER_PLAN_TIME). Mode "slot": each firing is
  claimed by one replica; a firing missed while the bot was down is caught up once on start.
- ``send``: drain the outbox (every minute). Mode "exclusive": one sender at a time across replicas
  (a PostgreSQL advisory lock), so the pace stays the configured one.
- ``housekeeping``: forget old sent deliveries, job slots and reminder logs (daily, 03:15). Mode "slot".
- ``digest``: plan the managers' weekly digests (working days, DIGEST_TIME; see jobs.digest). Mode "slot".
- ``digest_files``: attach the digests' full lists once the digests are sent (every minute). "exclusive".
- ``kpi_report``: plan the monthly KPI report to the administrators' channel (ADMIN_CHANNEL_ID, checked again
  before posting: jobs.kpi_delivery) or their DMs (the month's first working day). "slot". ``digest_files``
  attaches its charts once it is sent.
- ``event_reminders``: plan the community events' day-before and hour-before reminders (every 5 minutes).
  "exclusive": planning is idempotent and looks 26 hours ahead, so a firing needs no slot or catch-up.
- ``community_weekly`` / ``community_invites``: the members' weekly events note and the monthly invitations
  (working days, COMMUNITY_PLAN_TIME; once a week / month, caught up later in it if missed; see jobs.community).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from slack_sdk import WebClient

from bot.calendar import calendar_from, parse_hhmm
from bot.plan import Plan
from bot.settings import Settings
from jobs.community import (
    community_guard,
    community_renderer,
    first_render,
    plan_event_reminders,
    plan_weekly_note,
)
from jobs.community_invites import plan_invitations
from jobs.digest_delivery import combine
from jobs.digest_jobs import run_digest, run_digest_files, with_digest_guard
from jobs.kpi_delivery import kpi_guard
from jobs.kpi_report import plan_kpi_report
from jobs.reminders import plan_reminders, reminder_renderer, still_wanted_guard
from jobs.send_policy import SendPolicy
from jobs.sender import Sender
from storage import jobslots, outbox, reminders
from storage.db import SessionFactory, transaction

SLOT, EXCLUSIVE = "slot", "exclusive"
SEND_TICK_SECONDS = 60
EVENT_REMINDER_MINUTES = 5


@dataclass
class JobContext:
    """What a job needs, passed in: settings, database, plan, the clock and (built on first use) Slack."""

    settings: Settings
    sessions: SessionFactory
    plan: Plan
    clock: Callable[[], datetime]
    client_factory: Callable[[], WebClient]
    sleep: Callable[[float], None] = time.sleep
    max_idle: float = 0.0  # send: also wait for retries due within this many seconds
    max_seconds: float | None = None  # send: stop (giving back unsent claims) after this long
    _client: WebClient | None = field(default=None, repr=False)

    @property
    def client(self) -> WebClient:
        """The Slack client, built on first use."""
        if self._client is None:
            self._client = self.client_factory()
        return self._client


@dataclass(frozen=True)
class Job:
    """A named job: its trigger (from the settings), how replicas share it, and what it runs."""

    name: str
    help: str
    mode: str
    trigger: Callable[[Settings], BaseTrigger]
    run: Callable[[JobContext, datetime], str]


def send_policy(settings: Settings) -> SendPolicy:
    """The sender's pace, retries and lease from the settings."""
    return SendPolicy(settings.send_rate_per_second, settings.send_max_attempts, settings.send_backoff_seconds,
                      settings.send_backoff_max_seconds, timedelta(seconds=settings.send_lease_seconds))


def run_reminders(ctx: JobContext, now: datetime) -> str:
    """Plan today's reminders."""
    return plan_reminders(ctx.sessions, ctx.plan, ctx.settings, now).summary()


def run_send(ctx: JobContext, now: datetime) -> str:  # noqa: ARG001  (the sender reads the clock as it goes)
    """Drain the outbox at the configured pace."""
    client = ctx.client  # fails fast (no Slack token) before anything is claimed
    sender = Sender(ctx.sessions, client, ctx.clock, send_policy(ctx.settings),
                    guard=combine(with_digest_guard(ctx, still_wanted_guard(calendar_from(ctx.settings))),
                                  community_guard(), kpi_guard(ctx.settings, lambda: ctx.client, ctx.sleep)),
                    render=first_render(reminder_renderer(ctx.plan, ctx.settings),
                                        community_renderer(ctx.sessions, ctx.plan, ctx.settings)),
                    sleep=ctx.sleep)
    return sender.drain(max_idle=ctx.max_idle, max_seconds=ctx.max_seconds).summary()


def run_housekeeping(ctx: JobContext, now: datetime) -> str:
    """Forget what is no longer needed (failed deliveries stay for the administrator)."""
    keep = timedelta(days=ctx.settings.delivery_retention_days)
    with transaction(ctx.sessions) as session:
        deliveries = outbox.purge(session, now - keep)
        slots = jobslots.purge(session, now - keep)
        logs = reminders.purge_log(session, (now - keep).date())
    return f"purged deliveries={deliveries} job_slots={slots} reminder_log={logs}"


def run_kpi_report(ctx: JobContext, now: datetime) -> str:
    """Plan the monthly KPI report (only on the month's first working day)."""
    return plan_kpi_report(ctx.sessions, ctx.plan, ctx.settings, now)


def run_event_reminders(ctx: JobContext, now: datetime) -> str:
    """Plan the community events' reminders falling due within a day."""
    return plan_event_reminders(ctx.sessions, ctx.settings, now)


def run_community_weekly(ctx: JobContext, now: datetime) -> str:
    """Plan this week's events note to the community's members."""
    return plan_weekly_note(ctx.sessions, ctx.settings, now)


def run_community_invites(ctx: JobContext, now: datetime) -> str:
    """Plan this month's invitations to the community."""
    return plan_invitations(ctx.sessions, ctx.plan, ctx.settings, now)


def _daily_at(hhmm: str, weekdays: str | None = None) -> Callable[[Settings], BaseTrigger]:
    def trigger(settings: Settings) -> BaseTrigger:
        """A cron trigger at the time (or the settings field holding it) in the city's time zone."""
        at = parse_hhmm(hhmm if ":" in hhmm else getattr(settings, hhmm))
        return CronTrigger(day_of_week=weekdays, hour=at.hour, minute=at.minute, timezone=settings.tz)
    return trigger


def _every_tick(settings: Settings) -> BaseTrigger:
    return IntervalTrigger(seconds=SEND_TICK_SECONDS, timezone=settings.tz)


def _every_five_minutes(settings: Settings) -> BaseTrigger:
    return IntervalTrigger(minutes=EVENT_REMINDER_MINUTES, timezone=settings.tz)


JOBS: dict[str, Job] = {job.name: job for job in (
    Job("reminders", "plan today's reminders (working days, REMINDER_PLAN_TIME)", SLOT,
        _daily_at("reminder_plan_time", "mon-fri"), run_reminders),
    Job("send", "drain the outbox at SEND_RATE_PER_SECOND (every minute)", EXCLUSIVE, _every_tick, run_send),
    Job("housekeeping", "forget old sent deliveries, job slots and reminder logs (daily 03:15)", SLOT,
        _daily_at("03:15"), run_housekeeping),
    Job("digest", "plan the weekly digests (Mondays or the week's first working day, DIGEST_TIME)", SLOT,
        _daily_at("digest_time", "mon-fri"), run_digest),
    Job("digest_files", "attach the digests' full lists (.xlsx) once they are sent (every minute)", EXCLUSIVE,
        _every_tick, run_digest_files),
    Job("kpi_report", "plan the monthly KPI report to the administrators (first working day, 08:45)", SLOT,
        _daily_at("08:45", "mon-fri"), run_kpi_report),
    Job("event_reminders", "plan the community events' reminders, a day and an hour before (every 5 minutes)",
        EXCLUSIVE, _every_five_minutes, run_event_reminders),
    Job("community_weekly", "plan the members' weekly events note (the week's first working day, "
        "COMMUNITY_PLAN_TIME)", SLOT, _daily_at("community_plan_time", "mon-fri"), run_community_weekly),
    Job("community_invites", "plan the monthly invitations to the community (the month's first working day, "
        "COMMUNITY_PLAN_TIME)", SLOT, _daily_at("community_plan_time", "mon-fri"), run_community_invites),
)}


def describe(job: Job, settings: Settings) -> str:
    """The job's schedule in words (APScheduler's own rendering of the trigger)."""
    return str(job.trigger(settings))
