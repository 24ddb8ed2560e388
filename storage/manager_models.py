"""Rows of the managers' features: roles, digest channels, recommendations, 働きかけ, community, digests."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Index, LargeBinary, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime

ROLE_ADMIN, ROLE_COMMUNITY_LEAD, ROLE_MENTOR = "admin", "community_lead", "mentor"
ROLES: tuple[str, ...] = (ROLE_ADMIN, ROLE_COMMUNITY_LEAD, ROLE_MENTOR)
REC_STEP_UP, REC_COMMUNITY = "step_up", "community"
REC_KINDS: tuple[str, ...] = (REC_STEP_UP, REC_COMMUNITY)
# Attachment states: pending → uploading (a file may have reached Slack) → done | failed | dropped.
FILE_PENDING, FILE_UPLOADING, FILE_DONE, FILE_FAILED, FILE_DROPPED = (
    "pending", "uploading", "done", "failed", "dropped")


def _utc(nullable: bool = False) -> Column:  # type: ignore[type-arg]
    return Column(UTCDateTime(), nullable=nullable)


class StaffRole(SQLModel, table=True):
    """A staff role granted by an administrator: admin (sees everyone), community_lead, mentor."""

    __tablename__ = "staff_role"
    staff_id: int = Field(foreign_key="staff.id", primary_key=True)
    role: str = Field(max_length=32, primary_key=True)
    granted_at: datetime = Field(sa_column=_utc())
    granted_by: str = Field(max_length=64)  # staff:<id> | cli


class UnitChannel(SQLModel, table=True):
    """Which private channel receives a unit's weekly digest, and the last check of its members."""

    __tablename__ = "unit_channel"
    unit_id: int = Field(foreign_key="org_unit.id", primary_key=True)
    channel_id: str = Field(max_length=32)
    set_by: str = Field(max_length=64)
    set_at: datetime = Field(sa_column=_utc())
    checked_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    problem: str | None = Field(default=None, max_length=64)  # None: fit for the digest when checked


class Recommendation(SQLModel, table=True):
    """推薦: a manager recommends a person for a step-up or the community (once per kind per week)."""

    __tablename__ = "recommendation"
    __table_args__ = (UniqueConstraint("staff_id", "kind", "week", name="uq_recommendation_week"),)
    id: int | None = Field(default=None, primary_key=True)
    staff_id: int = Field(foreign_key="staff.id", index=True)
    kind: str = Field(max_length=16)  # step_up | community
    by_staff_id: int = Field(foreign_key="staff.id")
    week: str = Field(max_length=10)  # ISO week, e.g. 2026-W48
    at: datetime = Field(sa_column=_utc())
    note: str = Field(default="", max_length=1000)


class Nudge(SQLModel, table=True):
    """働きかけ: a kind message from a manager; at most one per person per ISO week."""

    __tablename__ = "nudge"
    __table_args__ = (UniqueConstraint("staff_id", "week", name="uq_nudge_week"),)
    id: int | None = Field(default=None, primary_key=True)
    staff_id: int = Field(foreign_key="staff.id")
    by_staff_id: int = Field(foreign_key="staff.id")
    week: str = Field(max_length=10)
    at: datetime = Field(sa_column=_utc())
    note: str = Field(default="", max_length=300)


class StepUpApproval(SQLModel, table=True):
    """A manager's approval waiting for an administrator's confirmation (STEP_UP_ADMIN_CONFIRM)."""

    __tablename__ = "step_up_approval"
    request_id: int = Field(foreign_key="step_up_request.id", primary_key=True)
    manager_id: int = Field(foreign_key="staff.id")
    comment: str = Field(default="", max_length=1000)
    at: datetime = Field(sa_column=_utc())


class CommunityMember(SQLModel, table=True):
    """Membership of the learning community: joined with a self-assessment sheet, left at any time.

    Every spell is kept; at most one is open (left_at NULL) per person.
    """

    __tablename__ = "community_member"
    __table_args__ = (Index("uq_community_member_open", "staff_id", unique=True,
                            sqlite_where=text("left_at IS NULL"), postgresql_where=text("left_at IS NULL")),)
    id: int | None = Field(default=None, primary_key=True)
    staff_id: int = Field(foreign_key="staff.id", index=True)
    joined_at: datetime = Field(sa_column=_utc())
    left_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    sheet_id: int | None = Field(default=None, foreign_key="self_assessment.id")  # the sheet joined with


class DigestSnapshot(SQLModel, table=True):
    """Headcount by tier of a unit when its weekly digest was planned: the base of "change since last week"."""

    __tablename__ = "digest_snapshot"
    unit_id: int = Field(foreign_key="org_unit.id", primary_key=True)
    week: str = Field(max_length=10, primary_key=True)
    counts: str = Field(max_length=500)  # JSON {"1": 12, "2": 3}
    taken_at: datetime = Field(sa_column=_utc())


class DeliveryFile(SQLModel, table=True):
    """An .xlsx to upload after the delivery with the same key was sent (the digest's full list).

    `sheets` holds the workbook as data (bot.services.manager_export.pack); it is rendered at upload time
    and dropped once the file is attached (or will never be).
    """

    __tablename__ = "delivery_file"
    __table_args__ = (UniqueConstraint("kind", "recipient", "period", name="uq_delivery_file_key"),
                      Index("ix_delivery_file_status", "status"))
    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=64)
    recipient: str = Field(max_length=64)
    period: str = Field(max_length=128)
    filename: str = Field(max_length=200)
    title: str = Field(max_length=200)
    sheets: bytes | None = Field(default=None, sa_column=Column(LargeBinary(), nullable=True))  # packed sheet data
    status: str = Field(default=FILE_PENDING, max_length=16)
    file_id: str | None = Field(default=None, max_length=32)
    last_error: str | None = Field(default=None, max_length=200)
    created_at: datetime = Field(sa_column=_utc())
    uploaded_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))


__all__ = ["FILE_DONE", "FILE_DROPPED", "FILE_FAILED", "FILE_PENDING", "FILE_UPLOADING", "REC_COMMUNITY",
           "REC_KINDS", "REC_STEP_UP", "ROLES", "ROLE_ADMIN", "ROLE_COMMUNITY_LEAD", "ROLE_MENTOR",
           "CommunityMember", "DeliveryFile", "DigestSnapshot", "Nudge", "Recommendation", "StaffRole",
           "StepUpApproval", "UnitChannel"]
