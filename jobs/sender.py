"""Drain the outbox: every planned message reaches Slack once — no loss, no duplicate — whatever fails.

How exactly-once is kept (the ledger is storage.outbox; states pending → claimed → sending → sent):

1. **Claim under a lease.** A batch of due rows is leased in one statement (PostgreSQL:
   ``FOR UPDATE SKIP LOCKED``, so two senders never take the same row). Every later change is
   conditional on ``lease_owner``: a sender whose lease was taken over changes nothing.
2. **Fence, then post.** Just before posting, the row moves to 'sending' and its lease is renewed — only
   if it is still ours. From then on the row says "a post may have reached Slack".
3. **The post carries its delivery id** in message metadata (``event_type`` ``bot_delivery``,
   ``event_payload.delivery_id``). Slack stores it with the message.
4. **Reconcile before any second post.** A row that comes back in 'sending' with an expired lease (the
   process died mid-post: kill -9, power loss) or after an ambiguous failure (connection error, timeout,
   5xx: Slack may have stored the message) has ``verify`` set. Before posting it again, the sender reads
   the recipient's channel (``conversations.open`` for a user, then ``conversations.history`` with
   ``include_all_metadata``, newest first) and, if a message with its delivery id is there, records that
   message instead of posting. Rows that were only 'claimed' were never attempted and need no check.
5. **Record.** A successful post is recorded in the same transaction as the next row's fence (one
   commit a message); a crash before that leaves the row in 'sending', which step 4 resolves.

Before a batch is sent, an optional `guard` cancels rows no longer wanted (a reminder whose course was
finished since it was planned), and an optional `render` turns a planned row into its message as of now.

Failures: 429 → wait at least ``Retry-After`` (all sending waits: the limit is the workspace's), then try
the same row again; 5xx and connection errors → retry with exponential backoff up to
``SEND_MAX_ATTEMPTS``, then give up and flag; recipient gone → no retry, flag for the administrator;
other refusals (invalid blocks …) → flag; ``invalid_auth`` / ``token_revoked`` → pause ALL sending (state
row + an ERROR log line), give back unattempted claims, and on a later run resume once ``auth.test``
succeeds — rows waiting meanwhile are still pending, so nothing is lost or sent twice.

The remaining window: a sender stalled longer than its lease between the fence and Slack's answer
(HTTP timeout 10 s ≪ lease 120 s) could be overtaken by another one. The lease is renewed per row.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from slack_sdk import WebClient
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from jobs.send_policy import DrainReport, Pacer, SendPolicy, new_owner
from jobs.slack_outcomes import AMBIGUOUS, AUTH, GONE, OK, RATE_LIMITED, Outcome, run_call
from storage import outbox
from storage.db import SessionFactory, transaction
from storage.outbox import Claimed

log = logging.getLogger(__name__)

EVENT_TYPE = "bot_delivery"
HISTORY_PAGES = 5  # newest 1,000 messages: a crashed attempt is among the latest in its channel
MAX_RATE_WAITS = 20  # 429s in a row on one row before it is deferred to a later run
DB_OUTAGE_SECONDS = 60.0  # a drain waits this long for a lost database (restart, failover) before giving up
DB_BACKOFF_SECONDS = (0.25, 4.0)  # first wait between reconnection attempts, and the longest (doubling)
Guard = Callable[[Session, list[Claimed], datetime], dict[int, str]]  # ids → why no longer wanted
Render = Callable[[Claimed, dict[str, Any], datetime], dict[str, Any] | None]  # None: post the payload as is


class Sender:
    """One sender: claims, posts, reconciles and records (see the module docstring)."""

    def __init__(self, sessions: SessionFactory, client: WebClient, clock: Callable[[], datetime],
                 policy: SendPolicy, *, owner: str | None = None, guard: Guard | None = None,
                 render: Render | None = None, sleep: Callable[[float], None] = time.sleep,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.sessions, self.client, self.clock, self.policy = sessions, client, clock, policy
        self.owner = owner or new_owner()
        self.guard, self.render, self.sleep, self.monotonic = guard, render, sleep, monotonic
        self.pacer = Pacer(policy.rate_per_second, monotonic, sleep)
        self._sent: list[tuple[Claimed, Outcome]] = []  # posted, recorded with the next write (one commit a row)
        self._db: SessionFactory = sessions

    # ---- the loop -------------------------------------------------------------------------------------
    def drain(self, max_idle: float = 0.0, max_seconds: float | None = None) -> DrainReport:
        """Send everything due; wait for retries due within `max_idle` s; stop after `max_seconds`."""
        report, started = DrainReport(), self.monotonic()
        deadline = None if max_seconds is None else started + max_seconds
        outage: list[float] = []  # when the database was lost, and each wait since
        while True:
            try:
                with self._one_connection():
                    if outage:
                        self._resume_after_outage(report)
                        outage.clear()
                    if self._ready(report):
                        self._loop(report, max_idle, deadline)
                        self._flush_now(report)
                break
            except OperationalError as exc:
                self._wait_for_database(exc, outage, report)
        report.elapsed = self.monotonic() - started
        log.info("send: %s", report.summary())
        return report

    @contextmanager
    def _one_connection(self) -> Iterator[None]:
        """The whole drain on one database connection: no pool checkout (and ping) for every step."""
        with self.sessions() as probe:
            engine = probe.get_bind()
        with engine.connect() as conn:
            self._db = lambda: Session(bind=conn, expire_on_commit=False)
            try:
                yield
            finally:
                self._db = self.sessions

    def _wait_for_database(self, exc: OperationalError, outage: list[float], report: DrainReport) -> None:
        """The database went away mid-drain: wait (doubling) and let the drain reconnect, for at most
        DB_OUTAGE_SECONDS. Safe to go on: every change is conditional on this sender's lease, a post happens only
        after its fence committed, and posts not yet recorded are still held here (one whose record was lost in
        a commit cut off midway stays 'sending' and is found in Slack once its lease ends)."""
        now = self.monotonic()
        outage.append(now)
        if now - outage[0] > DB_OUTAGE_SECONDS:
            raise exc
        error = f"database: {type(exc.orig).__name__}"
        report.errors[error] = report.errors.get(error, 0) + 1
        log.warning("send: lost the database (%s); reconnecting (%d)", type(exc.orig).__name__, len(outage))
        first, longest = DB_BACKOFF_SECONDS
        self.sleep(min(longest, first * 2 ** (len(outage) - 1)))

    def _resume_after_outage(self, report: DrainReport) -> None:
        """Back after an outage: record the posts made before it, give back the rows claimed but not attempted
        (the batch being sent was abandoned), then carry on."""
        with transaction(self._db) as session:
            self._flush(session, report)
            outbox.release(session, self.owner)
        log.warning("send: the database is back; sending resumes")

    def _loop(self, report: DrainReport, max_idle: float, deadline: float | None) -> None:
        while deadline is None or self.monotonic() < deadline:
            batch = self._claim(report)
            if batch:
                for row in batch:
                    late = deadline is not None and self.monotonic() >= deadline
                    if late or not self._deliver(row, report, deadline):
                        with transaction(self._db) as session:
                            self._flush(session, report)
                            outbox.release(session, self.owner)
                        return
                continue
            self._flush_now(report)
            if not self._idle(max_idle, deadline):
                return

    def _idle(self, max_idle: float, deadline: float | None) -> bool:
        """Sleep until the next retry or foreign lease ends, if that is within `max_idle`; else False."""
        with self._db() as session:
            wake = outbox.next_wake(session)
        if wake is None:
            return False
        delay = max(0.0, (wake - self.clock()).total_seconds()) + 0.01
        if delay > max_idle or (deadline is not None and self.monotonic() + delay > deadline):
            return False
        self.sleep(delay)
        return True

    def _claim(self, report: DrainReport) -> list[Claimed]:
        """Lease a batch; drop the rows the guard says are no longer wanted."""
        with transaction(self._db) as session:
            self._flush(session, report)
            now = self.clock()
            batch = outbox.claim(session, self.owner, now, self.policy.lease, self.policy.batch)
            unwanted = self.guard(session, batch, now) if self.guard and batch else {}
            for delivery_id, reason in unwanted.items():
                report.cancelled += outbox.cancel(session, [delivery_id], self.owner, reason)
        return [row for row in batch if row.id not in unwanted]

    def _ready(self, report: DrainReport) -> bool:
        """Not paused, or paused and auth.test now succeeds (then resume)."""
        with self._db() as session:
            state = outbox.sender_state(session)
            paused, reason = state.paused, state.reason
            session.commit()
        if not paused:
            return True
        outcome = run_call(lambda: self.client.auth_test())
        with transaction(self._db) as session:
            if outcome.kind == OK:
                outbox.resume(session, self.clock())
                log.warning("send: Slack accepts the token again; sending resumes")
                return True
            outbox.checked(session, self.clock())
        report.paused = reason
        return False

    # ---- one row --------------------------------------------------------------------------------------
    def _deliver(self, row: Claimed, report: DrainReport, deadline: float | None = None) -> bool:
        """Deliver one claimed row; False when all sending must stop (auth).

        After a 429 the same row is tried again once Retry-After has passed — unless that wait would outlast
        a quarter of the lease or the drain's deadline: then the row goes back to pending until then.
        """
        wait = 0.0
        for _ in range(MAX_RATE_WAITS):
            self.pacer.wait()
            with transaction(self._db) as session:
                self._flush(session, report)
                if not outbox.begin_send(session, row.id, self.owner, self.clock(), self.policy.lease):
                    report.lost_lease += 1
                    return True
            outcome = self._attempt(row)
            if outcome.kind == OK:
                self._sent.append((row, outcome))
                return True
            if outcome.kind != RATE_LIMITED:
                return self._record(row, outcome, report)
            report.rate_limited += 1
            self.pacer.hold(outcome.retry_after)
            wait = outcome.retry_after
            if wait > self.policy.lease.total_seconds() / 4 or (deadline is not None and self.pacer.next_at > deadline):
                break
        with transaction(self._db) as session:
            self._flush(session, report)
            outbox.mark_retry(session, row.id, self.owner, self.clock() + timedelta(seconds=wait), "ratelimited",
                              maybe_posted=False, count_attempt=False)
        report.retried += 1
        return True

    def _attempt(self, row: Claimed) -> Outcome:
        """Look for an earlier post first when one may exist; else post."""
        if row.verify:
            found = self._find_posted(row)
            if found.kind != OK or found.data:
                return found
        payload = json.loads(row.payload)
        message = (self.render(row, payload, self.clock()) if self.render else None) or payload
        metadata = {"event_type": EVENT_TYPE, "event_payload": {"delivery_id": row.id}}
        return run_call(lambda: self.client.chat_postMessage(
            channel=row.recipient, text=message.get("text", ""), blocks=message.get("blocks"),
            metadata=metadata, unfurl_links=False, unfurl_media=False))

    def _find_posted(self, row: Claimed) -> Outcome:
        """OK with data {'ts','channel','reconciled'} when the row's message is in Slack, OK without if not."""
        channel = row.recipient
        if channel[:1] in ("U", "W"):
            opened = run_call(lambda: self.client.conversations_open(users=row.recipient))
            if opened.kind != OK:
                return opened
            channel = opened.data["channel"]["id"]
        cursor = None
        for _ in range(HISTORY_PAGES):
            page = run_call(lambda c=cursor: self.client.conversations_history(  # type: ignore[misc]
                channel=channel, include_all_metadata=True, limit=200, cursor=c))
            if page.kind != OK:
                return page
            for message in page.data.get("messages") or []:
                if _delivery_id(message) == row.id:
                    return Outcome(OK, data={"ts": message["ts"], "channel": channel, "reconciled": True})
            cursor = (page.data.get("response_metadata") or {}).get("next_cursor")
            if not page.data.get("has_more") or not cursor:
                break
        return Outcome(OK)

    def _flush(self, session: Session, report: DrainReport) -> None:
        """Record the posts not yet recorded (inside the caller's transaction)."""
        now = self.clock()
        for row, outcome in self._sent:
            self._record_sent(session, row, outcome, report, now)
        self._sent.clear()

    def _flush_now(self, report: DrainReport) -> None:
        """Record the posts not yet recorded, in a transaction of their own."""
        if self._sent:
            with transaction(self._db) as session:
                self._flush(session, report)

    def _record(self, row: Claimed, outcome: Outcome, report: DrainReport) -> bool:
        """Write a failed attempt's outcome (with any unrecorded posts); False when sending must stop."""
        now = self.clock()
        with transaction(self._db) as session:
            self._flush(session, report)
            if outcome.kind == AUTH:
                outbox.mark_retry(session, row.id, self.owner, now, outcome.error, maybe_posted=False,
                                  count_attempt=False)
                outbox.pause(session, outcome.error, now)
            elif outcome.kind == AMBIGUOUS and row.attempts + 1 < self.policy.max_attempts:
                outbox.mark_retry(session, row.id, self.owner, now + self.policy.backoff_after(row.attempts + 1),
                                  outcome.error, maybe_posted=True, count_attempt=True)
                report.retried += 1
            else:
                self._record_failed(session, row, outcome, report)
        if outcome.error:
            report.errors[outcome.error] = report.errors.get(outcome.error, 0) + 1
        if outcome.kind == AUTH:
            report.paused = outcome.error
            log.error("ALERT send: Slack refused the bot token (%s); ALL sending is paused until auth.test "
                      "succeeds. Fix SLACK_BOT_TOKEN.", outcome.error)
            return False
        return True

    def _record_sent(self, session: Session, row: Claimed, outcome: Outcome, report: DrainReport,
                     now: datetime) -> None:
        data = outcome.data or {}
        reconciled = bool(data.get("reconciled"))
        if outbox.mark_sent(session, row.id, self.owner, now, data["ts"], data["channel"], reconciled):
            report.reconciled += reconciled
            report.sent += not reconciled
            report.posts += not reconciled
        else:
            log.error("send: delivery %s was posted after its lease was taken over", row.id)

    def _record_failed(self, session: Session, row: Claimed, outcome: Outcome, report: DrainReport) -> None:
        reason = outcome.error
        if outcome.kind == AMBIGUOUS:
            reason = f"{reason}: gave up after {row.attempts + 1} attempts (may have been posted)"
        outbox.mark_failed(session, row.id, self.owner, reason, count_attempt=outcome.kind == AMBIGUOUS)
        report.failed += 1
        level = logging.WARNING if outcome.kind == GONE else logging.ERROR
        log.log(level, "send: delivery %s to %s flagged for the administrator: %s", row.id, row.recipient, reason)


def _delivery_id(message: dict[str, Any]) -> int | None:
    """The delivery id in a message's metadata, if the bot put one there."""
    meta = message.get("metadata") or {}
    if meta.get("event_type") != EVENT_TYPE:
        return None
    value = (meta.get("event_payload") or {}).get("delivery_id")
    return int(value) if isinstance(value, int | str) and str(value).isdigit() else None
