"""Attach files to sent deliveries: files_upload_v2 into the same conversation.

Two kinds of attachment: the weekly digest's full list (one .xlsx, beside the digest) and the monthly KPI
report's charts (the burn-ups and progress by 部局, PNGs drawn now from the data stored when the report
was planned, in one upload as a thread reply to the report).

The outbox posts text and blocks only; a delivery that needs a file has a delivery_file row with the
same key. Once the delivery is sent, this job uploads the file(s) into the channel (or DM) the message
went to. The row moves pending → uploading before the upload; a row found 'uploading' (a crash or an
ambiguous failure) is first looked for in the conversation (its history, or the report's thread) by its
file name, so the files are uploaded once. Files of cancelled or failed deliveries are dropped.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from slack_sdk import WebClient

from bot.charts import chart_uploads
from bot.services.manager_export import render, unpack
from jobs.kpi_report import KIND_KPI
from jobs.slack_outcomes import AMBIGUOUS, AUTH, OK, RATE_LIMITED, Outcome, run_call
from storage import digests
from storage.db import SessionFactory, transaction
from storage.delivery_models import Delivery
from storage.manager_models import FILE_DONE, FILE_FAILED, FILE_PENDING, FILE_UPLOADING, DeliveryFile

log = logging.getLogger(__name__)
BATCH = 20
HISTORY_LIMIT = 200


@dataclass
class FilesReport:
    """What one upload run did."""

    uploaded: int = 0
    found: int = 0
    failed: int = 0
    dropped: int = 0
    stopped: str = ""

    def summary(self) -> str:
        """One line for logs and the CLI."""
        return (f"uploaded={self.uploaded} found={self.found} failed={self.failed} dropped={self.dropped}"
                + (f" stopped({self.stopped})" if self.stopped else ""))


def upload_files(sessions: SessionFactory, client: WebClient, clock: Callable[[], datetime]) -> FilesReport:
    """Upload every file whose delivery was sent (in batches), until none is left or Slack says stop."""
    report = FilesReport()
    with transaction(sessions) as session:
        report.dropped = digests.drop_orphans(session)
    while not report.stopped:
        with sessions() as session:
            ready = digests.files_ready(session, BATCH)
        if not ready:
            break
        for file, delivery in ready:
            if not _one(sessions, client, clock, file, _Target.of(file, delivery), report):
                break
    return report


@dataclass(frozen=True)
class _Target:
    """Where a file goes: the conversation its delivery went to, and the thread (the report's) if any."""

    channel: str
    thread_ts: str | None

    @classmethod
    def of(cls, file: DeliveryFile, delivery: Delivery) -> _Target:
        threaded = file.kind == KIND_KPI and delivery.sent_ts
        return cls(delivery.sent_channel or delivery.recipient, delivery.sent_ts if threaded else None)


def _uploads(file: DeliveryFile) -> list[dict[str, Any]]:
    """files_upload_v2's file_uploads: the report's charts, or the digest's workbook."""
    if file.kind == KIND_KPI:
        return chart_uploads(file.sheets or b"")
    return [{"file": render(unpack(file.sheets or b"")), "filename": file.filename, "title": file.title}]


def _one(sessions: SessionFactory, client: WebClient, clock: Callable[[], datetime], file: DeliveryFile,
         target: _Target, report: FilesReport) -> bool:
    """Attach one file (or set of charts); False when uploading must stop for now (rate limit, token)."""
    assert file.id is not None
    channel = target.channel
    if file.status == FILE_UPLOADING:
        found = _find(client, target, file.filename)
        if found.kind == OK and found.data:
            with transaction(sessions) as session:
                digests.mark_file(session, file.id, FILE_DONE, clock(), slack_file=found.data["id"])
            report.found += 1
            return True
    with transaction(sessions) as session:
        if not digests.mark_file(session, file.id, FILE_UPLOADING, clock()):
            return True
    uploads = _uploads(file)
    thread = {"thread_ts": target.thread_ts} if target.thread_ts else {}
    outcome = run_call(lambda: client.files_upload_v2(channel=channel, file_uploads=uploads, **thread))
    with transaction(sessions) as session:
        if outcome.kind == OK:
            data = outcome.data or {}
            slack_file = (data.get("file") or next(iter(data.get("files") or []), None) or {}).get("id")  # the first
            digests.mark_file(session, file.id, FILE_DONE, clock(), slack_file=slack_file)
            report.uploaded += 1
        elif outcome.kind in (RATE_LIMITED, AUTH):
            digests.mark_file(session, file.id, FILE_PENDING, clock(), error=outcome.error)
            report.stopped = outcome.error
            return False
        elif outcome.kind == AMBIGUOUS:
            digests.mark_file(session, file.id, FILE_UPLOADING, clock(), error=outcome.error)
            report.stopped = outcome.error  # look for it next run before uploading again
            return False
        else:
            digests.mark_file(session, file.id, FILE_FAILED, clock(), error=outcome.error)
            report.failed += 1
            log.warning("file %s (%s) for %s not attached: %s", file.filename, file.kind, channel, outcome.error)
    return True


def _find(client: WebClient, target: _Target, filename: str) -> Outcome:
    """OK with data {'id'} when a file of that name is among the conversation's (or thread's) latest messages."""
    channel, ts = target.channel, target.thread_ts
    if ts:  # replies are not in conversations.history
        page = run_call(lambda: client.conversations_replies(channel=channel, ts=ts, limit=HISTORY_LIMIT))
    else:
        page = run_call(lambda: client.conversations_history(channel=channel, limit=HISTORY_LIMIT))
    if page.kind != OK:
        return page
    for message in (page.data or {}).get("messages") or []:
        for shared in message.get("files") or []:
            if shared.get("name") == filename:
                return Outcome(OK, data={"id": shared.get("id")})
    return Outcome(OK)
