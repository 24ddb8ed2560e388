"""`/mytraining kpi` (administrators): the summary in the command's answer, the charts by DM after it; and the
line about it in `/mytraining help` (administrators only)."""

from __future__ import annotations

from typing import Any

from slack_sdk import WebClient

from bot.blocks.kit import Block, section
from bot.blocks.kpi import kpi_message
from bot.blocks.staff import notice_message
from bot.i18n import t
from bot.services import kpi
from bot.services.deps import Deps, UserError
from handlers.common import Who

WORD = "kpi"


def command_answer(deps: Deps, session: Any, person: Who) -> tuple[str, list[Block], kpi.KpiView | None]:
    """The summary and the view to chart, or a polite refusal (no view) for anyone but an administrator."""
    try:
        view = kpi.kpi_view(deps, session, person.staff)
    except UserError as err:
        return *notice_message(person.lang, err.key, **err.values), None
    return *kpi_message(view.report, deps.plan, person.lang, names=view.departments), view


def help_blocks(deps: Deps, session: Any, person: Who) -> list[Block]:  # noqa: ARG001  (the same shape as managers')
    """`/mytraining kpi` in the help, for administrators only (nothing for anyone else)."""
    try:
        kpi.require_admin(session, person.staff)
    except UserError:
        return []
    return [section(t(person.lang, "help_kpi"))]


def send_charts(deps: Deps, client: WebClient, person: Who, view: kpi.KpiView) -> None:
    """Upload the charts to the administrator's DM (after the command was answered)."""
    dm = client.conversations_open(users=person.user_id)["channel"]["id"]
    client.files_upload_v2(channel=dm, file_uploads=kpi.chart_files(deps, view),
                           initial_comment=t(person.lang, "kpi_charts", day=view.report.today.isoformat()))
