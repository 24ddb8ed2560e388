"""The rest of the record: qualifications held (資格) and On-JT entries.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

from storage.types import UTCDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def _str(length: int) -> sqlmodel.sql.sqltypes.AutoString:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def upgrade() -> None:
    op.create_table(
        "qualification_held",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("qualification_id", _str(64), nullable=False),
        sa.Column("obtained_on", sa.Date(), nullable=False),
        sa.Column("evidence_url", _str(500), nullable=True),
        sa.Column("source", _str(16), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("staff_id", "qualification_id", name="uq_qualification_held_staff_qual"),
    )
    op.create_table(
        "onjt_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("opportunity_id", _str(64), nullable=False),
        sa.Column("role", _str(32), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("note", _str(200), nullable=False),
        sa.Column("source", _str(16), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("staff_id", "opportunity_id", "role", "started_on", name="uq_onjt_entry_key"),
    )


def downgrade() -> None:
    op.drop_table("onjt_entry")
    op.drop_table("qualification_held")
