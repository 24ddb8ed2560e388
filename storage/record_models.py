"""Rows of the rest of a person's record: qualifications held (資格) and On-JT entries."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime

SOURCE_SELF, SOURCE_IMPORT = "self", "import"
NOTE_MAX = 200  # an On-JT entry's note (メモ)


def _utc() -> Column:  # type: ignore[type-arg]
    return Column(UTCDateTime(), nullable=False)


class QualificationHeld(SQLModel, table=True):
    """A qualification (an id of the plan's list) a person holds: one row per person and qualification."""

    __tablename__ = "qualification_held"
    __table_args__ = (UniqueConstraint("staff_id", "qualification_id", name="uq_qualification_held_staff_qual"),)
    id: int | None = Field(default=None, primary_key=True)
    staff_id: int = Field(foreign_key="staff.id")  # the unique key's first column serves lookups by person
    qualification_id: str = Field(max_length=64)
    obtained_on: date  # 取得日
    evidence_url: str | None = Field(default=None, max_length=500)
    source: str = Field(max_length=16)  # self | import
    recorded_at: datetime = Field(sa_column=_utc())


class OnJTEntry(SQLModel, table=True):
    """One On-JT entry: an opportunity of the plan, the person's role, the period and a short note.

    (person, opportunity, role, start) is unique: importing a file twice, or submitting a form twice,
    records an entry once.
    """

    __tablename__ = "onjt_entry"
    __table_args__ = (UniqueConstraint("staff_id", "opportunity_id", "role", "started_on", name="uq_onjt_entry_key"),)
    id: int | None = Field(default=None, primary_key=True)
    staff_id: int = Field(foreign_key="staff.id")  # the unique key's first column serves lookups by person
    opportunity_id: str = Field(max_length=64)
    role: str = Field(max_length=32)
    started_on: date
    ended_on: date | None = None  # None: still going on
    note: str = Field(default="", max_length=NOTE_MAX)
    source: str = Field(max_length=16)  # self | import
    recorded_at: datetime = Field(sa_column=_utc())
