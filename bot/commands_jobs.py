"""`python -m bot jobs list` and `python -m bot jobs run NAME [--now ISO8601]`."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import datetime
from typing import TextIO

from bot.errors import BadInput
from bot.runtime import open_runtime

CLI_MAX_IDLE = 60.0  # `jobs run send` also waits for retries due within a minute, then returns


def shifted_clock(read: Callable[[], datetime], start: datetime | None) -> Callable[[], datetime]:
    """The runtime clock, moved so that it reads `start` now and runs on from there (None: unchanged)."""
    if start is None:
        return read
    offset = start - read()
    return lambda: read() + offset


def jobs_list(_args: argparse.Namespace, out: TextIO) -> int:
    """Each job, its schedule and its last run."""
    from jobs.registry import JOBS, describe
    from storage.jobslots import last_runs

    rt = open_runtime()
    with rt.sessions() as session:
        runs = last_runs(session)
    for job in JOBS.values():
        last = runs.get(job.name)
        when = last.slot.astimezone(rt.settings.tz).isoformat(timespec="minutes") if last else "—"
        out.write(f"{job.name:<13} {job.mode:<9} {describe(job, rt.settings):<50} last: {when}\n")
        out.write(f"{'':<13} {job.help}\n")
    return 0


def jobs_run(args: argparse.Namespace, out: TextIO) -> int:
    """Run one job once, now or as of --now (the clock then runs on from that moment)."""
    from jobs.registry import JOBS, JobContext
    from jobs.send_policy import sending_client

    job = JOBS.get(args.name)
    if job is None:
        raise BadInput(f"unknown job {args.name!r}; jobs: {', '.join(JOBS)}")
    rt = open_runtime()
    settings = rt.settings

    def client() -> object:
        """The sender's Slack client (the token is required only by jobs that talk to Slack)."""
        settings.require("SLACK_BOT_TOKEN")
        return sending_client(settings.slack_bot_token, settings.slack_api_url)

    clock = shifted_clock(rt.now, args.now)
    ctx = JobContext(settings=settings, sessions=rt.sessions, plan=rt.plan, clock=clock,
                     client_factory=client, max_idle=CLI_MAX_IDLE)  # type: ignore[arg-type]
    out.write(f"{job.name}: {job.run(ctx, clock())}\n")
    return 0
