"""Database rows (SQLModel). Times are UTC; dates are calendar dates in the city's time zone."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime


def _utc(nullable: bool = False) -> Column:  # type: ignore[type-arg]
    return Column(UTCDateTime(), nullable=nullable)


class OrgUnit(SQLModel, table=True):
    """部局 > 課 > 係. `digital` is the unit's own flag; sub-units inherit it (see storage.org)."""

    __tablename__ = "org_unit"
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=32, unique=True)
    name: str = Field(max_length=200)
    parent_id: int | None = Field(default=None, foreign_key="org_unit.id", index=True)
    digital: bool = False


class Staff(SQLModel, table=True):
    """A member of staff (職員). Tier and track are the current ones; history is in tier_change."""

    __tablename__ = "staff"
    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(max_length=32, unique=True)  # 職員番号
    name: str = Field(max_length=200)
    email: str | None = Field(default=None, max_length=254, unique=True)
    slack_id: str | None = Field(default=None, max_length=32, unique=True)
    position: str = Field(default="", max_length=100)  # 役職 (current)
    joined_fy: int | None = None  # 入庁年度 (fiscal year)
    tier: int = 1
    track: str | None = Field(default=None, max_length=8)
    language: str | None = Field(default=None, max_length=8)  # chosen by the person
    slack_locale: str | None = Field(default=None, max_length=16)  # remembered from users.info
    active: bool = True


class StaffGroup(SQLModel, table=True):
    """Candidate-group membership (【ICT人材候補者】 …) of a member of staff."""

    __tablename__ = "staff_group"
    staff_id: int = Field(foreign_key="staff.id", primary_key=True)
    group_key: str = Field(max_length=64, primary_key=True)


class Membership(SQLModel, table=True):
    """Effective-dated unit membership: valid_from <= day < valid_to (None: still valid)."""

    __tablename__ = "membership"
    __table_args__ = (Index("ix_membership_unit_dates", "unit_id", "valid_from"),)
    id: int | None = Field(default=None, primary_key=True)
    staff_id: int = Field(foreign_key="staff.id", index=True)
    unit_id: int = Field(foreign_key="org_unit.id")
    position: str = Field(default="", max_length=100)
    valid_from: date
    valid_to: date | None = None


class Enrolment(SQLModel, table=True):
    """One person and one course: 受講中 → 修了 (or withdrawn). One row per person and course."""

    __tablename__ = "enrolment"
    __table_args__ = (UniqueConstraint("staff_id", "course_id", name="uq_enrolment_staff_course"),)
    id: int | None = Field(default=None, primary_key=True)
    staff_id: int = Field(foreign_key="staff.id", index=True)
    course_id: str = Field(max_length=64, index=True)
    status: str = Field(max_length=16)  # enrolled | completed | withdrawn
    enrolled_on: date | None = None
    completed_on: date | None = None
    hours: float | None = None
    source: str = Field(max_length=16)  # self | import | approval | event
    evidence_url: str | None = Field(default=None, max_length=500)
    updated_at: datetime = Field(sa_column=_utc())


class SelfAssessment(SQLModel, table=True):
    """A submitted self-assessment sheet (自己評価シート); every submission is kept."""

    __tablename__ = "self_assessment"
    __table_args__ = (Index("ix_self_assessment_staff_at", "staff_id", "submitted_at"),)
    id: int | None = Field(default=None, primary_key=True)
    staff_id: int = Field(foreign_key="staff.id")
    purpose: str = Field(max_length=16)  # step_up | community
    target_tier: int
    target_track: str | None = Field(default=None, max_length=8)
    submitted_at: datetime = Field(sa_column=_utc())


class SelfAssessmentRating(SQLModel, table=True):
    """One rating (1..4) of one skill-map row in a sheet."""

    __tablename__ = "self_assessment_rating"
    assessment_id: int = Field(foreign_key="self_assessment.id", primary_key=True)
    row: int = Field(primary_key=True)
    rating: int


class TierChange(SQLModel, table=True):
    """A change of tier and track, with who approved it."""

    __tablename__ = "tier_change"
    id: int | None = Field(default=None, primary_key=True)
    staff_id: int = Field(foreign_key="staff.id", index=True)
    from_tier: int | None = None
    from_track: str | None = Field(default=None, max_length=8)
    to_tier: int
    to_track: str | None = Field(default=None, max_length=8)
    approved_by: int | None = Field(default=None, foreign_key="staff.id")
    source: str = Field(max_length=16)  # import | approval | admin
    comment: str = Field(default="", max_length=1000)
    changed_at: datetime = Field(sa_column=_utc())


class AuditLog(SQLModel, table=True):
    """Append-only log of reads and changes of people's records (triggers forbid UPDATE/DELETE)."""

    __tablename__ = "audit_log"
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(sa_column=_utc())
    actor: str = Field(max_length=64)  # staff:<id> | cli | system
    action: str = Field(max_length=64)
    subject_staff_id: int | None = Field(default=None, index=True)
    detail: str = Field(default="", max_length=4000)


class ProcessedEvent(SQLModel, table=True):
    """Slack event ids already handled, so a retried event never causes a second side effect."""

    __tablename__ = "processed_event"
    event_id: str = Field(max_length=64, primary_key=True)
    received_at: datetime = Field(sa_column=_utc())


class StepUpRequest(SQLModel, table=True):
    """ステップアップ申請: pending until a manager decides; at most one pending per person."""

    __tablename__ = "step_up_request"
    __table_args__ = (
        Index("uq_step_up_pending", "staff_id", unique=True,
              sqlite_where=text("status = 'pending'"), postgresql_where=text("status = 'pending'")),
    )
    id: int | None = Field(default=None, primary_key=True)
    staff_id: int = Field(foreign_key="staff.id", index=True)
    from_tier: int
    to_tier: int
    to_track: str | None = Field(default=None, max_length=8)
    assessment_id: int | None = Field(default=None, foreign_key="self_assessment.id")
    status: str = Field(default="pending", max_length=16)  # pending | approved | declined | withdrawn
    requested_at: datetime = Field(sa_column=_utc())
    decided_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    decided_by: int | None = Field(default=None, foreign_key="staff.id")
    comment: str = Field(default="", max_length=1000)


from storage.community_models import CommunityEvent, EventRsvp  # noqa: E402,F401  (the community's tables)
from storage.delivery_models import Delivery, JobSlot, ReminderLog, ReminderPref, SenderState  # noqa: E402,F401
from storage.manager_models import StaffRole, UnitChannel  # noqa: E402,F401  (registers all the managers' tables)
from storage.record_models import OnJTEntry, QualificationHeld  # noqa: E402,F401  (qualifications and On-JT)
