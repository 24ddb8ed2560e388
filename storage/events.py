"""Slack event ids seen before: the first delivery of an event wins, retries are dropped."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from storage.models import ProcessedEvent


def first_time(session: Session, event_id: str, now: datetime) -> bool:
    """Record the event id; False when it was recorded before (a retry or a replay)."""
    session.add(ProcessedEvent(event_id=event_id[:64], received_at=now))
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        return False
    return True


def forget_before(session: Session, cutoff: datetime) -> int:
    """Drop ids older than Slack's retry window (housekeeping)."""
    result = session.execute(delete(ProcessedEvent).where(ProcessedEvent.received_at < cutoff))  # type: ignore[arg-type]
    session.commit()
    return int(result.rowcount or 0)


RETENTION = timedelta(days=2)
