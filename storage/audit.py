"""The append-only audit log: who read or changed whose record, what, and when.

Database triggers (migration 0001) refuse UPDATE and DELETE, so the app can only add rows. Reads of
another person's record are written with an action starting ``read.`` (READ_* below).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import insert
from sqlmodel import Session, select

from storage.models import AuditLog

READ_DIGEST, READ_TEAM, READ_RECORD, READ_EXPORT, READ_SEARCH = (
    "read.digest", "read.team", "read.record", "read.export", "read.search")
READS: tuple[str, ...] = (READ_DIGEST, READ_TEAM, READ_RECORD, READ_EXPORT, READ_SEARCH)
AUDIT = AuditLog.__table__


def actor_staff(staff_id: int | None) -> str:
    """The actor name of a member of staff."""
    return f"staff:{staff_id}"


def _detail(detail: dict[str, object]) -> str:
    return json.dumps(detail, ensure_ascii=False, default=str)[:4000]


def write(session: Session, at: datetime, actor: str, action: str, subject_id: int | None,
          **detail: object) -> None:
    """Add one entry."""
    session.add(AuditLog(at=at, actor=actor[:64], action=action[:64], subject_staff_id=subject_id,
                         detail=_detail(detail)))


def write_reads(session: Session, at: datetime, actor: str, action: str, subject_ids: Iterable[int],
                viewer_id: int | None = None, **detail: object) -> int:
    """One entry per person read (the viewer's own record is not another's); in chunks. Returns the count."""
    rows = read_rows(at, actor, action, subject_ids, viewer_id, **detail)
    write_rows(session, rows)
    return len(rows)


def read_rows(at: datetime, actor: str, action: str, subject_ids: Iterable[int], viewer_id: int | None = None,
              **detail: object) -> list[dict[str, object]]:
    """The rows `write_reads` would add, to write many groups in one statement (`write_rows`)."""
    text = _detail(detail)
    return [{"at": at, "actor": actor[:64], "action": action, "subject_staff_id": sid, "detail": text}
            for sid in dict.fromkeys(subject_ids) if sid != viewer_id]


def write_rows(session: Session, rows: Sequence[dict[str, object]]) -> None:
    """Add prepared rows (one executemany; the driver batches it)."""
    if rows:
        session.execute(insert(AUDIT), list(rows))


def entries(session: Session, *, subject_id: int | None = None, actor: str | None = None,
            actions: Sequence[str] | None = None) -> list[AuditLog]:
    """Entries filtered by subject, actor and actions, oldest first (for administrators and tests)."""
    stmt = select(AuditLog)
    if subject_id is not None:
        stmt = stmt.where(AuditLog.subject_staff_id == subject_id)
    if actor is not None:
        stmt = stmt.where(AuditLog.actor == actor)
    if actions is not None:
        stmt = stmt.where(AuditLog.action.in_(list(actions)))  # type: ignore[attr-defined]
    return list(session.exec(stmt.order_by(AuditLog.id)).all())  # type: ignore[arg-type]
