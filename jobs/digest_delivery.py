"""Where a digest goes, and the send-time check of its channel (a guard for the sender).

A digest for a unit with a configured channel is posted there only while the channel is private to the
people who may read the unit's digest. The planner checks the channel (Slack: conversations.info and
conversations.members) just before planning; the sender's guard checks again before posting when that
verdict is older than RECHECK (a delayed send), and reads the stored verdict otherwise. A refused
channel is never posted to: the administrators are told why, and the unit's managers get the digest by
DM instead (with the same attachment).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlmodel import Session

from bot.blocks.manager_messages import channel_refused_message
from bot.i18n import resolve_language
from bot.services.manager_channels import allowed_readers, unit_managers
from bot.settings import Settings
from bot.slack_channels import Inspector, problem_of
from storage import digests, outbox, roles
from storage.manager_models import ROLE_ADMIN
from storage.models import Staff
from storage.org import OrgTree
from storage.outbox import Claimed, Planned
from storage.team import Member

KIND_DIGEST, KIND_REFUSED = "digest.unit", "digest.refused"
RECHECK = timedelta(hours=1)
Guard = Callable[[Session, list[Claimed], datetime], dict[int, str]]


def is_channel(recipient: str) -> bool:
    """A channel id (C…, G…), not a person (U…, W…)."""
    return recipient[:1] in ("C", "G")


def language(settings: Settings, language_: str | None, locale: str | None) -> str:
    """A recipient's language (their choice, their Slack locale, the bot's default)."""
    return resolve_language(language_, locale, settings.language)


def refusal_items(settings: Settings, admins: Sequence[Staff], unit: tuple[str, str], channel: str, problem: str,
                  week: str, due: datetime) -> list[Planned]:
    """One alert per administrator: the unit (name, code), the channel and why it was refused."""
    name, code = unit
    items = []
    for admin in admins:
        if admin.slack_id:
            message = channel_refused_message(language(settings, admin.language, admin.slack_locale), name, code,
                                              channel, problem)
            text = json.dumps(message, ensure_ascii=False)
            items.append(Planned(KIND_REFUSED, admin.slack_id, f"{code}:{week}", text, due))
    return items


def fallback_items(managers: Sequence[Member], payload: dict[str, Any], period: str, due: datetime) -> list[Planned]:
    """The same digest to each of the unit's own managers by DM."""
    text = json.dumps(payload, ensure_ascii=False)
    return [Planned(KIND_DIGEST, m.slack_id, period, text, due) for m in managers if m.slack_id]


def combine(*guards: Guard | None) -> Guard:
    """One guard from several: every row any of them no longer wants."""
    active = [g for g in guards if g is not None]

    def guard(session: Session, batch: list[Claimed], now: datetime) -> dict[int, str]:
        unwanted: dict[int, str] = {}
        for g in active:
            unwanted.update(g(session, [r for r in batch if r.id not in unwanted], now))
        return unwanted

    return guard


def channel_guard(settings: Settings, inspect: Callable[[], Inspector], today: Callable[[datetime], date]) -> Guard:
    """The sender's guard for digests posted to channels (see the module docstring)."""

    inspector: list[Inspector] = []  # made on first need, then kept for the sender's run

    def check(session: Session, tree: OrgTree, unit_id: int, channel: str, now: datetime) -> str | None:
        if not inspector:
            inspector.append(inspect())
        problem = problem_of(inspector[0](channel), allowed_readers(session, tree, unit_id, today(now)))
        digests.record_check(session, unit_id, problem, now)
        return problem

    def guard(session: Session, batch: list[Claimed], now: datetime) -> dict[int, str]:
        rows = [r for r in batch if r.kind == KIND_DIGEST and is_channel(r.recipient)]
        if not rows:
            return {}
        configured, tree = digests.channels(session), OrgTree.load(session)
        unwanted: dict[int, str] = {}
        for row in rows:
            payload = json.loads(row.payload)
            unit_id = int((payload.get("ref") or {}).get("unit_id", 0))
            setting = configured.get(unit_id)
            if setting is None or setting.channel_id != row.recipient:  # the administrator changed it: no alert
                problem, alert = "changed", False
            else:
                stale = setting.checked_at is None or now - setting.checked_at > RECHECK
                problem = check(session, tree, unit_id, row.recipient, now) if stale else setting.problem
                alert = True
            if problem is not None:
                unwanted[row.id] = f"channel refused: {problem}"
                _redirect(session, settings, tree, row, payload, problem if alert else None, now, today(now))
        return unwanted

    return guard


def _redirect(session: Session, settings: Settings, tree: OrgTree, row: Claimed, payload: dict[str, Any],
              problem: str | None, now: datetime, day: date) -> None:
    """Plan the digest (and its attachment) to the managers by DM; tell the administrators why, if `problem`."""
    ref = payload.get("ref") or {}
    unit_id, week = int(ref.get("unit_id", 0)), str(ref.get("week", ""))
    period = f"{tree.code.get(unit_id, unit_id)}:{week}"
    unit = (tree.name.get(unit_id, ""), tree.code.get(unit_id, ""))
    managers = unit_managers(session, unit_id, day)
    items = fallback_items(managers, payload, period, now)
    if problem is not None:
        items += refusal_items(settings, roles.holders(session, ROLE_ADMIN), unit, row.recipient, problem, week, now)
    outbox.plan(session, items, now)
    digests.copy_file(session, (KIND_DIGEST, row.recipient, period),
                      [(KIND_DIGEST, m.slack_id, period) for m in managers if m.slack_id], now)
