"""The weekly digest planner: each unit with a manager gets one digest per ISO week.

The job fires every working morning; it plans on the week's digest day (Monday, or the first working day
after it when Monday is a holiday) and on any later day of the week that finds units not yet planned
(the bot was down). Everyone's record is read at once (storage.team: a fixed number of statements), the
rules are applied once per person, and each unit's digest covers its staff and those of its sub-units.
Deliveries, headcount snapshots, attachments and audit entries are written in one transaction; the
outbox key (digest.unit, recipient, <unit code>:<week>) and the snapshot key (unit, week) make a second
run, or a second replica, add nothing.
"""

from __future__ import annotations

import dataclasses
import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from bot.blocks.digest import digest_message
from bot.calendar import calendar_from, fiscal_year, fy_start
from bot.plan import Plan
from bot.services.deps import MANAGER_POSITIONS
from bot.services.manager_channels import readers
from bot.services.manager_digest import DigestContent, build, by_unit, digest_day, iso_week
from bot.services.manager_export import digest_sheets, pack
from bot.services.manager_facts import Policy, statuses
from bot.settings import Settings
from bot.slack_channels import Inspector, problem_of
from jobs.digest_delivery import KIND_DIGEST, language, refusal_items
from storage import audit, digests, outbox, roles, team
from storage.db import SessionFactory, transaction
from storage.manager_models import FILE_PENDING, ROLE_ADMIN, UnitChannel
from storage.models import Staff
from storage.org import OrgTree
from storage.outbox import Planned
from storage.team import Member

HISTORY_WEEKS = 8  # "change since last week" compares with the latest digest at most this old


@dataclass
class DigestReport:
    """What one run did."""

    day: date
    week: str = ""
    units: int = 0
    planned: int = 0
    attachments: int = 0
    refused: int = 0
    skipped: str = ""

    def summary(self) -> str:
        """One line for logs and the CLI."""
        if self.skipped:
            return f"{self.day} {self.week}: skipped ({self.skipped})".replace("  ", " ")
        return (f"{self.day} {self.week}: units={self.units} planned={self.planned} "
                f"attachments={self.attachments} refused_channels={self.refused}")


@dataclass
class City:
    """What the planner reads, at once."""

    tree: OrgTree
    managers: list[Member]
    todo: list[int]
    data: team.TeamData
    previous: dict[int, dict[int, int]]
    channels: dict[int, UnitChannel]
    admins: list[Staff]


@dataclass
class Batch:
    """What the run writes, in one transaction at the end."""

    items: list[Planned] = field(default_factory=list)
    files: dict[tuple[str, str, str], dict[str, Any]] = field(default_factory=dict)
    # one audit entry per person and digest; who read it: the digest's recipients
    reads: list[tuple[list[tuple[str, str, str]], str, list[int], str]] = field(default_factory=list)
    snapshots: dict[int, dict[int, int]] = field(default_factory=dict)
    checks: dict[int, str | None] = field(default_factory=dict)
    rows: dict[tuple[str, int], list[Any]] = field(default_factory=dict)  # attachment rows, shared by units


def plan_digests(sessions: SessionFactory, plan: Plan, settings: Settings, now: datetime,
                 inspect: Inspector | None) -> DigestReport:
    """Plan this week's digests not planned yet (nothing before the week's digest day)."""
    cal = calendar_from(settings)
    today = cal.today(now)
    first = digest_day(cal, today)
    if not cal.is_working_day(today) or first is None or today < first:
        return DigestReport(today, skipped="not the week's digest day")
    week = iso_week(today)
    with sessions() as session:
        city = _read(session, now, today, week, settings)
    if not city.todo:
        return DigestReport(today, week, skipped="already planned")
    policy = Policy.of(settings, today)
    grouped = by_unit(statuses(plan, city.data, city.tree, policy, settings.tz).values())
    batch, due = Batch(), cal.next_send_time(now)
    own = defaultdict(list)
    for m in city.managers:
        own[m.unit_id].append(m)
    for unit_id in city.todo:
        content = build(unit_id, city.tree, grouped, city.previous.get(unit_id), policy, week)
        batch.snapshots[unit_id] = content.counts
        _plan_unit(plan, settings, city, content, own[unit_id], (now, due), inspect, batch)
    with transaction(sessions) as session:
        added = outbox.plan(session, batch.items, now)
        digests.save_snapshots(session, week, batch.snapshots, now)
        digests.add_files(session, [row for key, row in batch.files.items() if key in added])
        audit.write_rows(session, [row for keys, actor, ids, detail in batch.reads if any(k in added for k in keys)
                                   for row in audit.read_rows(now, actor, audit.READ_DIGEST, ids, digest=detail)])
        for unit_id, problem in batch.checks.items():
            digests.record_check(session, unit_id, problem, now)
    planned = sum(1 for key in added if key[0] == KIND_DIGEST)
    return DigestReport(today, week, len(city.todo), planned, sum(1 for k in batch.files if k in added),
                        sum(1 for p in batch.checks.values() if p))


def _read(session: Any, now: datetime, today: date, week: str, settings: Settings) -> City:
    """Units with a manager not yet planned this week, and everyone's records (when there is work)."""
    tree = OrgTree.load(session)
    managers = team.members(session, today, None, MANAGER_POSITIONS)
    todo = sorted({m.unit_id for m in managers} - digests.done_units(session, week))
    units = set().union(*(tree.subunits(u) for u in todo)) if todo else set()
    since = datetime.combine(fy_start(fiscal_year(today)), datetime.min.time(), tzinfo=settings.tz)
    data = team.load(session, today, week, since, now) if todo else team.TeamData([], {}, {}, {}, {}, frozenset(), {},
                                                                            frozenset())
    data = dataclasses.replace(data, members=[m for m in data.members if m.unit_id in units])  # read all, keep some
    oldest = iso_week(today - timedelta(weeks=HISTORY_WEEKS))
    return City(tree, managers, todo, data, digests.previous_counts(session, week, oldest), digests.channels(session),
                roles.holders(session, ROLE_ADMIN))


def _plan_unit(plan: Plan, settings: Settings, city: City, content: DigestContent, managers: list[Member],
               when: tuple[datetime, datetime], inspect: Inspector | None, batch: Batch) -> None:
    """The unit's digest (and its attachment's data) to each recipient."""
    now, due = when
    period = f"{content.unit_code}:{content.week}"
    targets = _targets(settings, city, content, managers, inspect, due, batch)
    if targets:
        keys = [(KIND_DIGEST, recipient, period) for recipient, _, _ in targets]
        batch.reads.append((keys, ",".join(actor for _, _, actor in targets), content.staff_ids(), period))
    rendered: dict[str, tuple[str, bool]] = {}  # language → (payload, attach?): managers mostly share one
    workbook: bytes | None = None
    for recipient, lang, _actor in targets:
        if lang not in rendered:
            message = digest_message(content, plan, lang, settings.tz)
            payload = {"text": message["text"], "blocks": message["blocks"],
                       "ref": {"unit_id": content.unit_id, "week": content.week}}
            rendered[lang] = (json.dumps(payload, ensure_ascii=False), message["attach"])
        text, attach = rendered[lang]
        batch.items.append(Planned(KIND_DIGEST, recipient, period, text, due))
        if attach:
            workbook = workbook or pack(digest_sheets(content, plan, city.tree.code, settings.tz, batch.rows))
            batch.files[(KIND_DIGEST, recipient, period)] = {
                "kind": KIND_DIGEST, "recipient": recipient, "period": period,
                "filename": f"digest_{content.unit_code}_{content.week}.xlsx",
                "title": f"{content.unit_name} {content.week}", "sheets": workbook, "status": FILE_PENDING,
                "created_at": now}


def _targets(settings: Settings, city: City, content: DigestContent, managers: list[Member],
             inspect: Inspector | None, due: datetime, batch: Batch) -> list[tuple[str, str, str]]:
    """(recipient, language, audit actor): the unit's channel when fit (checked now), else its managers by
    DM — and then, if a channel was refused, an alert to the administrators."""
    setting = city.channels.get(content.unit_id)
    if setting is None:
        return [(m.slack_id, language(settings, m.language, m.slack_locale), audit.actor_staff(m.staff_id))
                for m in managers if m.slack_id]
    allowed = readers(city.managers, city.admins, city.tree, content.unit_id)
    problem = problem_of(inspect(setting.channel_id), allowed) if inspect else setting.problem
    batch.checks[content.unit_id] = problem
    if problem is None:
        return [(setting.channel_id, settings.language, f"channel:{setting.channel_id}")]
    batch.items += refusal_items(settings, city.admins, (content.unit_name, content.unit_code), setting.channel_id,
                                 problem, content.week, due)
    return [(m.slack_id, language(settings, m.language, m.slack_locale), audit.actor_staff(m.staff_id))
            for m in managers if m.slack_id]
