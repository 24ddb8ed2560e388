"""The monthly KPI report: on the month's first working day, the KPI summary to the administrators.

Where it goes: with ADMIN_CHANNEL_ID set, to that channel only (one message, in the bot's language);
otherwise to each administrator with a Slack id by DM (in their language). Planned through the outbox
with the key (kpi.monthly, recipient, YYYY-MM): a second run, a second replica or a catch-up after
downtime adds nothing.

The charts (a burn-up per target, progress by 部局) follow the message: the data they show is stored
with the plan (delivery_file, same key) and jobs.digest_files draws and uploads them as a reply in the
report's thread once the report was sent, exactly once; nothing is uploaded for a report never sent.

The channel is checked when the report is about to be posted (jobs.kpi_delivery): see there.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from bot.blocks.kpi import kpi_message
from bot.calendar import BusinessCalendar, calendar_from
from bot.charts import chart_data, chart_names
from bot.kpi import KpiReport, build_report
from bot.plan import Plan
from bot.settings import Settings
from jobs.digest_delivery import language
from storage import digests, outbox, roles
from storage.db import SessionFactory, transaction
from storage.kpi import load_kpi_data
from storage.manager_models import FILE_PENDING, ROLE_ADMIN
from storage.models import Staff
from storage.org import OrgTree
from storage.outbox import Planned

KIND_KPI = "kpi.monthly"
CHARTS_TITLE = "KPI グラフ"


def first_working_day(cal: BusinessCalendar, day: date) -> date:
    """The first working day of `day`'s month."""
    first = day.replace(day=1)
    return first if cal.is_working_day(first) else cal.next_working_day(first)


def plan_kpi_report(sessions: SessionFactory, plan: Plan, settings: Settings, now: datetime) -> str:
    """Plan this month's report (and its charts), on the month's first working day only."""
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
        names = {d: tree.name[d] for d in tree.departments()}
        items = report_items(report, plan, settings, admins, names, period, due)
        added = outbox.plan(session, items, now)
        charts = chart_data(plan, report, names)
        digests.add_files(session, [chart_file(key, charts, now) for key in added])
    where = f" channel={settings.admin_channel_id}" if settings.admin_channel_id else ""
    return f"{today}: kpi report planned={len(added)} administrators={len(admins)}{where}"


def report_items(report: KpiReport, plan: Plan, settings: Settings, admins: Sequence[Staff],
                 names: dict[int, str], period: str, due: datetime) -> list[Planned]:
    """The administrators' channel only, when set; else each administrator's DM."""
    if settings.admin_channel_id:
        return [Planned(KIND_KPI, settings.admin_channel_id, period,
                        _payload(report, plan, settings.language, names, period), due)]
    return [Planned(KIND_KPI, str(a.slack_id), period,
                    _payload(report, plan, language(settings, a.language, a.slack_locale), names, period), due)
            for a in admins]


def _payload(report: KpiReport, plan: Plan, lang: str, names: dict[int, str], period: str) -> str:
    text, blocks = kpi_message(report, plan, lang, names=names, charts="thread")
    return json.dumps({"text": text, "blocks": blocks, "ref": {"period": period}}, ensure_ascii=False)


def chart_file(key: tuple[str, str, str], charts: bytes, now: datetime) -> dict[str, Any]:
    """The delivery_file row of one report's charts (named after its first chart)."""
    kind, recipient, period = key
    return {"kind": kind, "recipient": recipient, "period": period, "filename": chart_names(charts)[0],
            "title": CHARTS_TITLE, "sheets": charts, "status": FILE_PENDING, "created_at": now}
