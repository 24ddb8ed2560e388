"""The delivery ledger (outbox): plan once, claim under a lease, record each outcome under that lease.

Every state change after a claim is conditional on `lease_owner`, so a process whose lease was taken over
changes nothing. Claiming is one UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED) … RETURNING on
PostgreSQL (SQLite has no row locks and ignores the clause; there the statement is atomic on its own).
Callers commit (storage.db.transaction).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, func, or_, update
from sqlalchemy import select as sa_select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, select

from storage.delivery_models import (
    CANCELLED,
    CLAIMED,
    FAILED,
    NORMAL,
    OPEN_STATES,
    PENDING,
    SENDER_STATE_ID,
    SENDING,
    SENT,
    Delivery,
    SenderState,
)

CHUNK = 500  # rows per multi-row INSERT on SQLite (well under its bound-parameter limit)
KEY = ("kind", "recipient", "period")
TABLE = Delivery.__table__  # the hot statements run on the table (Core): half the ORM's overhead per row
C = TABLE.c  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Planned:
    """A delivery to add: unique by (kind, recipient, period); payload is JSON text."""

    kind: str
    recipient: str
    period: str
    payload: str
    due_at: datetime
    priority: int = NORMAL  # URGENT: claimed before NORMAL rows that are also due (bulk sends wait)


@dataclass(frozen=True)
class Claimed:
    """A row this sender holds under a lease."""

    id: int
    kind: str
    recipient: str
    payload: str
    verify: bool
    attempts: int


def insert_for(session: Session) -> Any:
    """The dialect's INSERT (both have ON CONFLICT DO NOTHING)."""
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


def plan(session: Session, items: Sequence[Planned], now: datetime) -> dict[tuple[str, str, str], int]:
    """Add the deliveries not planned before; return the new ones' ids by key (existing keys: nothing).

    INSERT … ON CONFLICT DO NOTHING RETURNING on both dialects, for many rows per statement: on PostgreSQL
    the rows are COPYed into a temporary table first, on SQLite they go as batched multi-row VALUES.
    """
    if not items:
        return {}
    if session.get_bind().dialect.name == "postgresql":
        return _plan_postgresql(session, items, now)
    stmt = (sqlite.insert(TABLE).on_conflict_do_nothing(index_elements=list(KEY))
            .returning(C.id, C.kind, C.recipient, C.period))
    added: dict[tuple[str, str, str], int] = {}
    for start in range(0, len(items), CHUNK):
        rows = [_row(item, now) for item in items[start:start + CHUNK]]
        for rid, kind, recipient, period in session.execute(stmt, rows):
            added[(kind, recipient, period)] = rid
    return added


def _plan_postgresql(session: Session, items: Sequence[Planned], now: datetime) -> dict[tuple[str, str, str], int]:
    """PostgreSQL: COPY the rows into a temporary table, then one INSERT … SELECT … ON CONFLICT DO NOTHING."""
    with raw_cursor(session) as cur:
        cur.execute("CREATE TEMP TABLE IF NOT EXISTS delivery_in (kind text, recipient text, period text, "
                    "payload text, due_at timestamptz, priority integer) ON COMMIT DELETE ROWS")
        with cur.copy("COPY delivery_in (kind, recipient, period, payload, due_at, priority) FROM STDIN") as copy:
            for i in items:
                copy.write_row((i.kind, i.recipient, i.period, i.payload, i.due_at, i.priority))
        cur.execute("INSERT INTO delivery (kind, recipient, period, payload, created_at, due_at, status, attempts, "
                    "next_attempt_at, verify, reconciled, flagged, priority) "
                    "SELECT kind, recipient, period, payload, %(now)s, due_at, 'pending', 0, due_at, false, false, "
                    "false, priority FROM delivery_in ON CONFLICT (kind, recipient, period) DO NOTHING "
                    "RETURNING id, kind, recipient, period", {"now": now})
        added = {(kind, recipient, period): rid for rid, kind, recipient, period in cur.fetchall()}
        cur.execute("DELETE FROM delivery_in")
    return added


@contextmanager
def raw_cursor(session: Session) -> Iterator[Any]:
    """A psycopg cursor on the session's own connection and transaction (for COPY)."""
    dbapi = session.connection().connection.dbapi_connection
    assert dbapi is not None
    with dbapi.cursor() as cur:
        yield cur


def _row(item: Planned, now: datetime) -> dict[str, Any]:
    return {"kind": item.kind, "recipient": item.recipient, "period": item.period, "payload": item.payload,
            "created_at": now, "due_at": item.due_at, "status": PENDING, "attempts": 0,
            "next_attempt_at": item.due_at, "verify": False, "reconciled": False, "flagged": False,
            "priority": item.priority}


def claim(session: Session, owner: str, now: datetime, lease: timedelta, limit: int) -> list[Claimed]:
    """Lease up to `limit` due rows: pending ones, and leased ones whose lease ran out; URGENT ones first.

    A row found in 'sending' (an attempt of a process that died or was cut off) comes back with
    verify=True: the sender must look for it in Slack before posting again.
    """
    due = or_(and_(C.status == PENDING, C.next_attempt_at <= now),
              and_(C.status.in_((CLAIMED, SENDING)), C.lease_until <= now))
    pick = (sa_select(C.id).where(due).order_by(C.priority, C.next_attempt_at, C.id)
            .limit(limit).with_for_update(skip_locked=True))
    stmt = (update(TABLE).where(C.id.in_(pick.scalar_subquery()))
            .values(status=CLAIMED, lease_owner=owner, lease_until=now + lease,
                    verify=or_(C.verify, C.status == SENDING))
            .returning(C.id, C.kind, C.recipient, C.payload, C.verify, C.attempts, C.next_attempt_at, C.priority))
    rows = sorted(session.exec(stmt), key=lambda r: (r[7], r[6], r[0]))  # type: ignore[call-overload]
    return [Claimed(r[0], r[1], r[2], r[3], bool(r[4]), r[5]) for r in rows]


def _change(session: Session, delivery_id: int, owner: str, **values: Any) -> bool:
    """Change a row only while this owner holds it."""
    ours = and_(C.id == delivery_id, C.lease_owner == owner, C.status.in_((CLAIMED, SENDING)))
    return bool(session.exec(update(TABLE).where(ours).values(**values)).rowcount == 1)  # type: ignore[call-overload]


def begin_send(session: Session, delivery_id: int, owner: str, now: datetime, lease: timedelta) -> bool:
    """Fence: still ours? Then mark it 'sending' (a post may reach Slack from here on) and renew the lease."""
    return _change(session, delivery_id, owner, status=SENDING, lease_until=now + lease,
                   first_attempt_at=func.coalesce(C.first_attempt_at, now))


def mark_sent(session: Session, delivery_id: int, owner: str, now: datetime, ts: str, channel: str,
              reconciled: bool = False) -> bool:
    """Record the message Slack stored (found again by reconciliation when `reconciled`)."""
    return _change(session, delivery_id, owner, status=SENT, sent_at=now, sent_ts=ts, sent_channel=channel,
                   reconciled=reconciled, lease_until=None, verify=False, last_error=None)


def mark_retry(session: Session, delivery_id: int, owner: str, at: datetime, error: str, *,
               maybe_posted: bool, count_attempt: bool) -> bool:
    """Back to pending until `at`; `maybe_posted` makes the next attempt look in Slack first."""
    values: dict[str, Any] = {"status": PENDING, "next_attempt_at": at, "lease_owner": None,
                              "lease_until": None, "last_error": error[:200]}
    if maybe_posted:
        values["verify"] = True
    if count_attempt:
        values["attempts"] = C.attempts + 1
    return _change(session, delivery_id, owner, **values)


def mark_failed(session: Session, delivery_id: int, owner: str, error: str, *, count_attempt: bool = False) -> bool:
    """Give up and flag the row for the administrator."""
    values: dict[str, Any] = {"status": FAILED, "flagged": True, "lease_until": None, "last_error": error[:200]}
    if count_attempt:
        values["attempts"] = C.attempts + 1
    return _change(session, delivery_id, owner, **values)


def cancel(session: Session, ids: Iterable[int], owner: str, reason: str) -> int:
    """Drop claimed rows that are no longer wanted (never attempted under this claim)."""
    ids = list(ids)
    if not ids:
        return 0
    stmt = (update(TABLE).where(C.id.in_(ids), C.lease_owner == owner, C.status == CLAIMED)
            .values(status=CANCELLED, lease_until=None, last_error=reason[:200]))
    return int(session.exec(stmt).rowcount)  # type: ignore[call-overload]


def release(session: Session, owner: str) -> int:
    """Give back the rows this sender claimed but never attempted (pause, deadline)."""
    stmt = update(TABLE).where(C.lease_owner == owner, C.status == CLAIMED).values(
        status=PENDING, lease_owner=None, lease_until=None)
    return int(session.exec(stmt).rowcount)  # type: ignore[call-overload]


def next_wake(session: Session) -> datetime | None:
    """The earliest moment an open row may become claimable (a retry, or another sender's lease)."""
    retry = session.exec(select(func.min(Delivery.next_attempt_at)).where(Delivery.status == PENDING)).one()
    lease = session.exec(select(func.min(Delivery.lease_until))
                         .where(Delivery.status.in_((CLAIMED, SENDING)))).one()  # type: ignore[attr-defined]
    moments = [m for m in (retry, lease) if m is not None]
    return min(moments) if moments else None


def status_counts(session: Session) -> dict[str, int]:
    """How many deliveries are in each state."""
    rows = session.exec(select(Delivery.status, func.count()).group_by(Delivery.status)).all()
    return {status: int(n) for status, n in rows}


def flagged(session: Session, limit: int = 100) -> list[Delivery]:
    """Failed deliveries waiting for the administrator, newest first."""
    stmt = (select(Delivery).where(Delivery.flagged, Delivery.status == FAILED)
            .order_by(Delivery.id.desc()).limit(limit))  # type: ignore[union-attr]
    return list(session.exec(stmt).all())


def open_count(session: Session) -> int:
    """Deliveries not yet finished (pending, claimed or sending)."""
    return int(session.exec(select(func.count()).select_from(Delivery)
                            .where(Delivery.status.in_(OPEN_STATES))).one())  # type: ignore[attr-defined]


def purge(session: Session, before: datetime) -> int:
    """Delete sent and cancelled deliveries created before `before` (failed ones stay for the administrator)."""
    stmt = delete(Delivery).where(Delivery.status.in_((SENT, CANCELLED)), Delivery.created_at < before)  # type: ignore[attr-defined]
    return int(session.exec(stmt).rowcount)  # type: ignore[call-overload]


# ---- the sender's pause state (invalid_auth / token_revoked) ---------------------------------------------
def sender_state(session: Session) -> SenderState:
    """The one state row (created on first use; concurrent creators do not collide)."""
    state = session.get(SenderState, SENDER_STATE_ID)
    if state is None:
        session.exec(insert_for(session)(SenderState).values(id=SENDER_STATE_ID, paused=False)  # type: ignore[call-overload]
                     .on_conflict_do_nothing(index_elements=["id"]))
        state = session.get(SenderState, SENDER_STATE_ID)
        assert state is not None
    return state


def pause(session: Session, reason: str, now: datetime) -> SenderState:
    """Stop all sending: Slack refused the token. `since` keeps the first refusal."""
    state = sender_state(session)
    if not state.paused:
        state.paused, state.since = True, now
    state.reason, state.checked_at = reason, now
    session.add(state)
    return state


def resume(session: Session, now: datetime) -> SenderState:
    """The token works again: sending may continue."""
    state = sender_state(session)
    state.paused, state.reason, state.since, state.checked_at = False, None, None, now
    session.add(state)
    return state


def checked(session: Session, now: datetime) -> None:
    """Remember when the paused token was last tried."""
    state = sender_state(session)
    state.checked_at = now
    session.add(state)


__all__ = ["CANCELLED", "FAILED", "SENT", "Claimed", "Planned", "begin_send", "cancel", "checked", "claim",
           "flagged", "mark_failed", "mark_retry", "mark_sent", "next_wake", "open_count", "pause", "plan", "purge",
           "release", "resume", "sender_state", "status_counts"]
