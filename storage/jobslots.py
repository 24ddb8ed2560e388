"""Job slots: each scheduled firing of a job is claimed by exactly one replica (the primary key decides).

A slot whose runner died before finishing may be claimed again once it is `stale_after` old; the jobs
themselves are idempotent (the outbox's unique key), so a rerun adds nothing that is already there.
`exclusive` is the other guard: a PostgreSQL advisory lock (one holder across replicas) or, on SQLite
(one replica), a lock inside the process.
"""

from __future__ import annotations

import threading
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from sqlalchemy import delete, func, text, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from storage.delivery_models import JobSlot
from storage.outbox import insert_for

_LOCAL_LOCKS: dict[str, threading.Lock] = {}
_LOCAL_GUARD = threading.Lock()


def claim(session: Session, job: str, slot: datetime, owner: str, now: datetime,
          stale_after: timedelta) -> bool:
    """Claim one firing of a job; True for exactly one claimant (or a later one, once the first is stale)."""
    stmt = (insert_for(session)(JobSlot).values(job=job, slot=slot, claimed_by=owner, claimed_at=now, result="")
            .on_conflict_do_nothing(index_elements=["job", "slot"]).returning(JobSlot.job))
    if session.exec(stmt).first() is not None:  # type: ignore[call-overload]
        return True
    retake = (update(JobSlot).where(JobSlot.job == job, JobSlot.slot == slot,  # type: ignore[arg-type]
                                    JobSlot.finished_at.is_(None),  # type: ignore[union-attr]
                                    JobSlot.claimed_at < now - stale_after)  # type: ignore[operator]
              .values(claimed_by=owner, claimed_at=now))
    return bool(session.exec(retake).rowcount == 1)  # type: ignore[call-overload]


def finish(session: Session, job: str, slot: datetime, owner: str, now: datetime, result: str) -> None:
    """Mark a claimed firing done, with a short summary of what it did."""
    session.exec(update(JobSlot).where(JobSlot.job == job, JobSlot.slot == slot,  # type: ignore[call-overload, arg-type]
                                       JobSlot.claimed_by == owner)
                 .values(finished_at=now, result=result[:500]))


def last_runs(session: Session) -> dict[str, JobSlot]:
    """The latest claimed firing of each job."""
    latest = select(JobSlot.job, func.max(JobSlot.slot).label("slot")).group_by(JobSlot.job).subquery()
    stmt = select(JobSlot).join(latest, (JobSlot.job == latest.c.job) & (JobSlot.slot == latest.c.slot))  # type: ignore[arg-type]
    return {row.job: row for row in session.exec(stmt).all()}


def slots_of(session: Session, job: str) -> list[JobSlot]:
    """Every claimed firing of one job, oldest first."""
    return list(session.exec(select(JobSlot).where(JobSlot.job == job).order_by(JobSlot.slot)).all())  # type: ignore[arg-type]


def purge(session: Session, before: datetime) -> int:
    """Forget firings older than `before`."""
    return int(session.exec(delete(JobSlot).where(JobSlot.slot < before)).rowcount)  # type: ignore[call-overload, arg-type]


def lock_key(name: str) -> int:
    """A stable signed 64-bit key for pg_try_advisory_lock."""
    value = zlib.crc32(f"toyonaka-bot:{name}".encode())
    return value - (1 << 32) if value >= (1 << 31) else value


@contextmanager
def exclusive(engine: Engine, name: str) -> Iterator[bool]:
    """Yield True when this process holds the named lock (PostgreSQL: across replicas), else False."""
    if engine.dialect.name != "postgresql":
        with _LOCAL_GUARD:
            lock = _LOCAL_LOCKS.setdefault(name, threading.Lock())
        got = lock.acquire(blocking=False)
        try:
            yield got
        finally:
            if got:
                lock.release()
        return
    with engine.connect() as conn:
        got = bool(conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": lock_key(name)}).scalar())
        conn.commit()
        try:
            yield got
        finally:
            if got:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": lock_key(name)})
                conn.commit()
