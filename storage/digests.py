"""The weekly digest's own rows: headcount snapshots, each unit's channel, and the files to attach."""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, update
from sqlmodel import Session, select

from storage.delivery_models import CANCELLED, FAILED, SENT, Delivery
from storage.manager_models import (
    FILE_DONE,
    FILE_DROPPED,
    FILE_FAILED,
    FILE_PENDING,
    FILE_UPLOADING,
    DeliveryFile,
    DigestSnapshot,
    UnitChannel,
)
from storage.outbox import insert_for

CHUNK = 500


# ---- snapshots ----------------------------------------------------------------------------------------
def done_units(session: Session, week: str) -> set[int]:
    """Units whose digest of `week` was planned already."""
    return set(session.exec(select(DigestSnapshot.unit_id).where(DigestSnapshot.week == week)).all())


def previous_counts(session: Session, week: str, oldest: str) -> dict[int, dict[int, int]]:
    """Each unit's headcount by tier at its latest digest before `week` (not older than `oldest`)."""
    stmt = (select(DigestSnapshot.unit_id, DigestSnapshot.counts)
            .where(DigestSnapshot.week < week, DigestSnapshot.week >= oldest)
            .order_by(DigestSnapshot.week))  # type: ignore[arg-type]
    found: dict[int, dict[int, int]] = {}
    for unit_id, counts in session.exec(stmt):
        found[unit_id] = {int(k): int(v) for k, v in json.loads(counts).items()}
    return found


def save_snapshots(session: Session, week: str, counts: dict[int, dict[int, int]], at: datetime) -> None:
    """Record this week's headcounts (a second run of the same week adds nothing)."""
    rows = [{"unit_id": uid, "week": week, "counts": json.dumps({str(k): v for k, v in c.items()}), "taken_at": at}
            for uid, c in counts.items()]
    for start in range(0, len(rows), CHUNK):
        session.exec(insert_for(session)(DigestSnapshot).values(rows[start:start + CHUNK])  # type: ignore[call-overload]
                     .on_conflict_do_nothing(index_elements=["unit_id", "week"]))


# ---- channels -----------------------------------------------------------------------------------------
def channels(session: Session) -> dict[int, UnitChannel]:
    """Every unit's configured digest channel."""
    return {row.unit_id: row for row in session.exec(select(UnitChannel)).all()}


def set_channel(session: Session, unit_id: int, channel_id: str, by: str, at: datetime) -> UnitChannel:
    """Configure (or replace) a unit's channel, checked just now and found fit."""
    row = session.get(UnitChannel, unit_id) or UnitChannel(unit_id=unit_id, channel_id=channel_id, set_by=by,
                                                           set_at=at)
    row.channel_id, row.set_by, row.set_at, row.checked_at, row.problem = channel_id, by[:64], at, at, None
    session.add(row)
    return row


def clear_channel(session: Session, unit_id: int) -> bool:
    """Remove a unit's channel (its digest goes to the managers by DM); True when one was set."""
    return bool(session.exec(delete(UnitChannel).where(UnitChannel.unit_id == unit_id)).rowcount)  # type: ignore[call-overload, arg-type]


def record_check(session: Session, unit_id: int, problem: str | None, at: datetime) -> None:
    """Remember the outcome of a channel check."""
    session.exec(update(UnitChannel).where(UnitChannel.unit_id == unit_id)  # type: ignore[call-overload, arg-type]
                 .values(checked_at=at, problem=problem))


# ---- files to attach after a delivery ---------------------------------------------------------------
def add_files(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Files keyed like their delivery (kind, recipient, period); existing keys are kept."""
    for start in range(0, len(rows), CHUNK):
        session.exec(insert_for(session)(DeliveryFile).values(list(rows[start:start + CHUNK]))  # type: ignore[call-overload]
                     .on_conflict_do_nothing(index_elements=["kind", "recipient", "period"]))


def copy_file(session: Session, key: tuple[str, str, str], to: Sequence[tuple[str, str, str]], at: datetime) -> int:
    """Attach the file of one delivery to other deliveries too (a digest redirected to DMs)."""
    kind, recipient, period = key
    source = session.exec(select(DeliveryFile).where(DeliveryFile.kind == kind, DeliveryFile.recipient == recipient,
                                                     DeliveryFile.period == period)).first()
    if source is None or source.sheets is None or not to:
        return 0
    add_files(session, [{"kind": k, "recipient": r, "period": p, "filename": source.filename, "title": source.title,
                         "sheets": source.sheets, "status": FILE_PENDING, "created_at": at} for k, r, p in to])
    return len(to)


def files_ready(session: Session, limit: int) -> list[tuple[DeliveryFile, Delivery]]:
    """Pending (or interrupted) files whose delivery was sent, with that delivery."""
    key = and_(Delivery.kind == DeliveryFile.kind, Delivery.recipient == DeliveryFile.recipient,
               Delivery.period == DeliveryFile.period)
    stmt = (select(DeliveryFile, Delivery).join(Delivery, key)
            .where(DeliveryFile.status.in_((FILE_PENDING, FILE_UPLOADING)), Delivery.status == SENT)  # type: ignore[attr-defined]
            .order_by(DeliveryFile.id).limit(limit))  # type: ignore[arg-type]
    return [(f, d) for f, d in session.exec(stmt).all()]


def drop_orphans(session: Session) -> int:
    """Files whose delivery was cancelled or failed will never be attached: drop their data."""
    gone = (select(Delivery.id).where(Delivery.kind == DeliveryFile.kind, Delivery.recipient == DeliveryFile.recipient,
                                      Delivery.period == DeliveryFile.period,
                                      Delivery.status.in_((CANCELLED, FAILED))).exists())  # type: ignore[attr-defined]
    stmt = (update(DeliveryFile).where(DeliveryFile.status == FILE_PENDING, gone)  # type: ignore[arg-type]
            .values(status=FILE_DROPPED, sheets=None))
    return int(session.exec(stmt).rowcount)  # type: ignore[call-overload]


def mark_file(session: Session, file_id: int, status: str, at: datetime, *, slack_file: str | None = None,
              error: str | None = None, expect: Collection[str] = (FILE_PENDING, FILE_UPLOADING)) -> bool:
    """Move a file to `status` if it is in one of `expect`; done and failed drop its data."""
    values: dict[str, Any] = {"status": status, "last_error": error[:200] if error else None}
    if status in (FILE_DONE, FILE_FAILED):
        values.update(sheets=None, uploaded_at=at if status == FILE_DONE else None, file_id=slack_file)
    stmt = (update(DeliveryFile).where(DeliveryFile.id == file_id, DeliveryFile.status.in_(list(expect)))  # type: ignore[attr-defined, arg-type]
            .values(**values))
    return bool(session.exec(stmt).rowcount == 1)  # type: ignore[call-overload]
