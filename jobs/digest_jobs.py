"""The managers' jobs as the registry runs them: plan the weekly digests, attach their files, guard sends."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from bot.calendar import calendar_from
from bot.slack_channels import slack_inspector
from jobs.digest import plan_digests
from jobs.digest_delivery import Guard, channel_guard, combine
from jobs.digest_files import upload_files

if TYPE_CHECKING:
    from jobs.registry import JobContext


def run_digest(ctx: JobContext, now: datetime) -> str:
    """Plan this week's digests (on the week's digest day, or later that week if it was missed)."""
    return plan_digests(ctx.sessions, ctx.plan, ctx.settings, now, slack_inspector(ctx.client, ctx.sleep)).summary()


def run_digest_files(ctx: JobContext, now: datetime) -> str:  # noqa: ARG001  (the uploader reads the clock)
    """Attach the digests' full lists to the digests already sent."""
    return upload_files(ctx.sessions, ctx.client, ctx.clock).summary()


def with_digest_guard(ctx: JobContext, other: Guard | None) -> Guard:
    """The sender's guard: `other`'s checks, and the digest channel's privacy check before posting."""
    cal = calendar_from(ctx.settings)
    return combine(other, channel_guard(ctx.settings, lambda: slack_inspector(ctx.client, ctx.sleep), cal.today))
