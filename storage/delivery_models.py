"""Rows of the delivery engine: the outbox, the sender's pause state, job slots and reminder preferences."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime

# Delivery states. pending → claimed (leased, not yet attempted) → sending (a post may have reached Slack)
# → sent | failed (flagged for the administrator) | cancelled (no longer wanted when its turn came).
PENDING, CLAIMED, SENDING, SENT, FAILED, CANCELLED = "pending", "claimed", "sending", "sent", "failed", "cancelled"
OPEN_STATES: tuple[str, ...] = (PENDING, CLAIMED, SENDING)
URGENT, NORMAL = 0, 1  # Delivery.priority
SENDER_STATE_ID = 1


def _utc(nullable: bool = False) -> Column:  # type: ignore[type-arg]
    return Column(UTCDateTime(), nullable=nullable)


class Delivery(SQLModel, table=True):
    """One message the bot sends on its own; (kind, recipient, period) is planned at most once."""

    __tablename__ = "delivery"
    __table_args__ = (
        UniqueConstraint("kind", "recipient", "period", name="uq_delivery_key"),
        Index("ix_delivery_status_next", "status", "next_attempt_at"),
        Index("ix_delivery_status_lease", "status", "lease_until"),
    )
    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=64)  # e.g. reminder.course
    recipient: str = Field(max_length=64)  # Slack user ID (DM) or channel ID
    period: str = Field(max_length=128)  # what makes this occurrence unique, e.g. "<course>:<date>"
    payload: str = Field(sa_column=Column(Text(), nullable=False))  # JSON: text, blocks, ref
    created_at: datetime = Field(sa_column=_utc())
    due_at: datetime = Field(sa_column=_utc())
    status: str = Field(default=PENDING, max_length=16)
    attempts: int = 0  # attempts that may have reached Slack (connection errors, 5xx)
    next_attempt_at: datetime = Field(sa_column=_utc())
    verify: bool = False  # an earlier attempt may have been posted: look in the channel before posting
    lease_owner: str | None = Field(default=None, max_length=64)  # also kept after sending: who sent it
    lease_until: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    first_attempt_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    sent_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    sent_ts: str | None = Field(default=None, max_length=32)
    sent_channel: str | None = Field(default=None, max_length=32)
    reconciled: bool = False  # found already posted by a crashed or cut-off attempt
    last_error: str | None = Field(default=None, max_length=200)
    flagged: bool = False  # needs the administrator (recipient gone, retries exhausted, refused)
    priority: int = 1  # URGENT (0) goes before the rest when both are due: an hour-before reminder, a freed seat


class SenderState(SQLModel, table=True):
    """One row: whether all sending is paused because Slack refused the token, since when and why."""

    __tablename__ = "sender_state"
    id: int = Field(default=SENDER_STATE_ID, primary_key=True)
    paused: bool = False
    reason: str | None = Field(default=None, max_length=64)  # invalid_auth | token_revoked
    since: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    checked_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))


class JobSlot(SQLModel, table=True):
    """A scheduled firing of a job, claimed by the one replica that runs it."""

    __tablename__ = "job_slot"
    job: str = Field(max_length=64, primary_key=True)
    slot: datetime = Field(sa_column=Column(UTCDateTime(), primary_key=True))
    claimed_by: str = Field(max_length=64)
    claimed_at: datetime = Field(sa_column=_utc())
    finished_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    result: str = Field(default="", max_length=500)


class ReminderPref(SQLModel, table=True):
    """A person's choice for one kind of reminder: off, or snoozed until a day (city calendar)."""

    __tablename__ = "reminder_pref"
    staff_id: int = Field(foreign_key="staff.id", primary_key=True)
    kind: str = Field(max_length=32, primary_key=True)  # course | required | sheet
    off: bool = False
    snoozed_until: date | None = None  # no reminder of this kind before this day
    updated_at: datetime = Field(sa_column=_utc())


class ReminderLog(SQLModel, table=True):
    """A reminder planned for a person (for the repeat interval and the weekly cap)."""

    __tablename__ = "reminder_log"
    __table_args__ = (Index("ix_reminder_log_staff_day", "staff_id", "planned_on"),
                      Index("ix_reminder_log_day", "planned_on"))
    id: int | None = Field(default=None, primary_key=True)
    staff_id: int = Field(foreign_key="staff.id")
    kind: str = Field(max_length=32)
    subject: str = Field(max_length=64)  # course id, "tier<N>" or ""
    planned_on: date
    delivery_id: int | None = Field(default=None, foreign_key="delivery.id", ondelete="SET NULL")


__all__ = ["CANCELLED", "CLAIMED", "FAILED", "NORMAL", "OPEN_STATES", "PENDING", "SENDER_STATE_ID", "SENDING", "SENT",
           "URGENT", "Delivery", "JobSlot", "ReminderLog", "ReminderPref", "SenderState"]
