"""The send-time check of the administrators' channel (a guard for the sender), for the monthly KPI report.

The report is aggregated (no person can be read off: groups under 5 are suppressed), but it is still the
administrators' working material (targets, projections, 部局 figures), so the same rule as a digest
channel applies: ADMIN_CHANNEL_ID must be a private, unarchived channel whose members are all current
administrators (or the bot). Slack is asked (conversations.info and .members, bot.slack_channels) just
before every post to the channel — once a month, so no cached verdict.

A refused channel is never posted to: the delivery is flagged (failed, with the reason) for the
administrator, and the same report goes to each administrator by DM instead, headed by why the channel
was refused; its charts follow those DMs (the delivery_file is copied).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from slack_sdk import WebClient
from sqlmodel import Session

from bot.blocks.kit import section
from bot.i18n import t
from bot.settings import Settings
from bot.slack_channels import Inspector, problem_of, slack_inspector
from jobs.digest_delivery import Guard, is_channel
from jobs.kpi_report import KIND_KPI
from storage import digests, outbox, roles
from storage.kpi import flag_refused
from storage.manager_models import ROLE_ADMIN
from storage.models import Staff
from storage.outbox import Claimed, Planned

log = logging.getLogger(__name__)


def admin_channel_guard(settings: Settings, inspect: Callable[[], Inspector]) -> Guard:
    """The sender's guard for the KPI report posted to a channel (see the module docstring)."""
    inspector: list[Inspector] = []  # made on first need, then kept for the sender's run

    def guard(session: Session, batch: list[Claimed], now: datetime) -> dict[int, str]:
        rows = [r for r in batch if r.kind == KIND_KPI and is_channel(r.recipient)]
        if not rows:
            return {}
        if not inspector:
            inspector.append(inspect())
        admins = [a for a in roles.holders(session, ROLE_ADMIN) if a.slack_id]
        allowed = {str(a.slack_id) for a in admins}
        unwanted: dict[int, str] = {}
        for row in rows:
            problem = problem_of(inspector[0](row.recipient), allowed)
            if problem is None:
                continue
            reason = f"channel refused: {problem}"
            flag_refused(session, row.id, reason)
            unwanted[row.id] = reason
            log.warning("kpi report to %s refused (%s): sent to %d administrators by DM instead", row.recipient,
                        problem, len(admins))
            _to_administrators(session, settings, admins, row, problem, now)
        return unwanted

    return guard


def _to_administrators(session: Session, settings: Settings, admins: list[Staff], row: Claimed, problem: str,
                       now: datetime) -> None:
    """Plan the report to each administrator by DM, headed by why the channel was refused; copy its charts."""
    payload: dict[str, Any] = json.loads(row.payload)
    period = str((payload.get("ref") or {}).get("period", ""))
    lang = settings.language
    why = t(lang, "kpi_channel_refused", channel=row.recipient, problem=t(lang, f"kpi_channel_problem_{problem}"))
    payload["blocks"] = [section(why), *(payload.get("blocks") or [])][:50]
    text = json.dumps(payload, ensure_ascii=False)
    outbox.plan(session, [Planned(KIND_KPI, str(a.slack_id), period, text, now) for a in admins], now)
    digests.copy_file(session, (KIND_KPI, row.recipient, period),
                      [(KIND_KPI, str(a.slack_id), period) for a in admins], now)


def kpi_guard(settings: Settings, client: Callable[[], WebClient], sleep: Callable[[float], None]) -> Guard:
    """The administrators' channel check before the KPI report, asking Slack through `client()` on first need."""
    return admin_channel_guard(settings, lambda: slack_inspector(client(), sleep))
