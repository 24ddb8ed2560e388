"""Rows of the learning community: preferences, events and study groups, RSVPs (with attendance), invitations.

Membership itself is `community_member` (storage.manager_models): one open row (left_at NULL) per person.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime

KIND_STUDY, KIND_WORKSHOP, KIND_EVENT = "study_group", "workshop", "event"
EVENT_KINDS: tuple[str, ...] = (KIND_STUDY, KIND_WORKSHOP, KIND_EVENT)
SCHEDULED, CANCELLED = "scheduled", "cancelled"
GOING, WAITING, DECLINED = "going", "waiting", "declined"
TITLE_MAX, PLACE_MAX, URL_MAX, DESCRIPTION_MAX = 100, 200, 500, 2000
CAPACITY_MAX = 500
HOURS_MAX = 24.0


def _utc(nullable: bool = False) -> Column:  # type: ignore[type-arg]
    return Column(UTCDateTime(), nullable=nullable)


class CommunityPref(SQLModel, table=True):
    """A person's community choices: events by DM (members), and no more invitations (anyone)."""

    __tablename__ = "community_pref"
    staff_id: int = Field(foreign_key="staff.id", primary_key=True)
    announce_dm: bool = False
    no_invites: bool = False
    updated_at: datetime = Field(sa_column=_utc())


class CommunityEvent(SQLModel, table=True):
    """勉強会, ワークショップ or イベント, created by an organiser (administrator or community lead)."""

    __tablename__ = "community_event"
    __table_args__ = (Index("ix_community_event_starts", "status", "starts_at"),)
    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=TITLE_MAX)
    kind: str = Field(max_length=16)
    starts_at: datetime = Field(sa_column=_utc())
    ends_at: datetime = Field(sa_column=_utc())
    place: str = Field(default="", max_length=PLACE_MAX)
    online_url: str | None = Field(default=None, max_length=URL_MAX)
    capacity: int
    target_tier: int | None = None  # None: everyone
    hours: float = 0.0  # hours that count toward an attendee's record
    description: str = Field(default="", sa_column=Column(Text(), nullable=False))
    organiser_id: int = Field(foreign_key="staff.id")
    status: str = Field(default=SCHEDULED, max_length=16)
    version: int = 1  # +1 on every change that attendees are told about
    created_at: datetime = Field(sa_column=_utc())
    updated_at: datetime = Field(sa_column=_utc())
    attendance_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))


class EventRsvp(SQLModel, table=True):
    """One person's answer to one event: going, waiting (in `queued_at` order) or declined; then attendance."""

    __tablename__ = "event_rsvp"
    __table_args__ = (UniqueConstraint("event_id", "staff_id", name="uq_event_rsvp"),
                      Index("ix_event_rsvp_queue", "event_id", "status", "queued_at"),
                      Index("ix_event_rsvp_staff", "staff_id"))
    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="community_event.id")
    staff_id: int = Field(foreign_key="staff.id")
    status: str = Field(max_length=16)
    queued_at: datetime = Field(sa_column=_utc())  # when the person (last) asked for a seat
    updated_at: datetime = Field(sa_column=_utc())
    attended: bool | None = None  # None until the organiser marks attendance
    hours: float | None = None  # hours credited to the record when attended


class CommunityInvitation(SQLModel, table=True):
    """An invitation to join the community, sent once a month at most to people likely to benefit."""

    __tablename__ = "community_invitation"
    __table_args__ = (UniqueConstraint("staff_id", "month", name="uq_community_invitation_month"),
                      Index("ix_community_invitation_day", "invited_on"))
    id: int | None = Field(default=None, primary_key=True)
    staff_id: int = Field(foreign_key="staff.id")
    month: str = Field(max_length=7)  # YYYY-MM
    invited_on: date
    reason: str = Field(max_length=16)  # tier_done | recommended | sheet_near
    delivery_id: int | None = Field(default=None, foreign_key="delivery.id", ondelete="SET NULL")


__all__ = ["CANCELLED", "DECLINED", "EVENT_KINDS", "GOING", "SCHEDULED", "WAITING", "CommunityEvent",
           "CommunityInvitation", "CommunityPref", "EventRsvp"]
