"""The monthly KPI report: on the month's first working day, the KPI summary to every administrator.

There is no administrators' channel yet, so each administrator with a Slack id gets it by DM. Planned
through the outbox with the key (kpi.monthly, recipient, YYYY-MM): a second run, a second replica or a
catch-up after downtime adds nothing. The charts are not attached (`/mytraining kpi` uploads them).
"""

from __future__ import annotations

import json
from datetime import date, datetime

from bot.blocks.kpi import kpi_message
from bot.calendar import BusinessCalendar, calendar_from
from bot.kpi import build_report
from bot.plan import Plan
from bot.settings import Settings
from jobs.digest_delivery import language
from storage import outbox, roles
from storage.db import SessionFactory, transaction
from storage.kpi import load_kpi_data
from storage.manager_models import ROLE_ADMIN
from storage.org import OrgTree
from storage.outbox import Planned

KIND_KPI = "kpi.monthly"


def first_working_day(cal: BusinessCalendar, day: date) -> date:
    """The first working day of `day`'s month."""
    first = day.replace(day=1)
    return first if cal.is_working_day(first) else cal.next_working_day(first)


def plan_kpi_report(sessions: SessionFactory, plan: Plan, settings: Settings, now: datetime) -> str:
    """Plan this month's report for each administrator, on the month's first working day only."""
    cal = calendar_from(settings)
    today = cal.today(now)
    if today != first_working_day(cal, today):
        return f"{today}: skipped (not the month's first working day)"
    due, period = cal.next_send_time(now), today.strftime("%Y-%m")
    with transaction(sessions) as session:
        admins = [a for a in roles.holders(session, ROLE_ADMIN) if a.slack_id]
        tree = OrgTree.load(session)
        report = build_report(plan, load_kpi_data(session.connection(), now), tree.department, today,
                              settings.tz)
        items = []
        for admin in admins:
            text, blocks = kpi_message(report, plan, language(settings, admin.language, admin.slack_locale))
            payload = json.dumps({"text": text, "blocks": blocks}, ensure_ascii=False)
            items.append(Planned(KIND_KPI, str(admin.slack_id), period, payload, due))
        added = outbox.plan(session, items, now)
    return f"{today}: kpi report planned={len(added)} administrators={len(admins)}"
