"""Managers: staff roles, digest channels, recommendations, 働きかけ, step-up approvals, community, digests.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

from storage.types import UTCDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _str(length: int) -> sqlmodel.sql.sqltypes.AutoString:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def upgrade() -> None:
    op.create_table(
        "staff_role",
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("role", _str(32), nullable=False),
        sa.Column("granted_at", UTCDateTime(), nullable=False),
        sa.Column("granted_by", _str(64), nullable=False),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"]),
        sa.PrimaryKeyConstraint("staff_id", "role"),
    )
    op.create_table(
        "unit_channel",
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("channel_id", _str(32), nullable=False),
        sa.Column("set_by", _str(64), nullable=False),
        sa.Column("set_at", UTCDateTime(), nullable=False),
        sa.Column("checked_at", UTCDateTime(), nullable=True),
        sa.Column("problem", _str(64), nullable=True),
        sa.ForeignKeyConstraint(["unit_id"], ["org_unit.id"]),
        sa.PrimaryKeyConstraint("unit_id"),
    )
    op.create_table(
        "recommendation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("kind", _str(16), nullable=False),
        sa.Column("by_staff_id", sa.Integer(), nullable=False),
        sa.Column("week", _str(10), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("note", _str(1000), nullable=False),
        sa.ForeignKeyConstraint(["by_staff_id"], ["staff.id"]),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("staff_id", "kind", "week", name="uq_recommendation_week"),
    )
    op.create_index("ix_recommendation_staff_id", "recommendation", ["staff_id"])
    op.create_table(
        "nudge",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("by_staff_id", sa.Integer(), nullable=False),
        sa.Column("week", _str(10), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("note", _str(300), nullable=False),
        sa.ForeignKeyConstraint(["by_staff_id"], ["staff.id"]),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("staff_id", "week", name="uq_nudge_week"),
    )
    op.create_table(
        "step_up_approval",
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("manager_id", sa.Integer(), nullable=False),
        sa.Column("comment", _str(1000), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["manager_id"], ["staff.id"]),
        sa.ForeignKeyConstraint(["request_id"], ["step_up_request.id"]),
        sa.PrimaryKeyConstraint("request_id"),
    )
    op.create_table(
        "community_member",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("joined_at", UTCDateTime(), nullable=False),
        sa.Column("left_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_community_member_staff_id", "community_member", ["staff_id"])
    op.create_table(
        "digest_snapshot",
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("week", _str(10), nullable=False),
        sa.Column("counts", _str(500), nullable=False),
        sa.Column("taken_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["unit_id"], ["org_unit.id"]),
        sa.PrimaryKeyConstraint("unit_id", "week"),
    )
    op.create_table(
        "delivery_file",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", _str(64), nullable=False),
        sa.Column("recipient", _str(64), nullable=False),
        sa.Column("period", _str(128), nullable=False),
        sa.Column("filename", _str(200), nullable=False),
        sa.Column("title", _str(200), nullable=False),
        sa.Column("sheets", sa.LargeBinary(), nullable=True),
        sa.Column("status", _str(16), nullable=False),
        sa.Column("file_id", _str(32), nullable=True),
        sa.Column("last_error", _str(200), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("uploaded_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("kind", "recipient", "period", name="uq_delivery_file_key"),
    )
    op.create_index("ix_delivery_file_status", "delivery_file", ["status"])


def downgrade() -> None:
    op.drop_index("ix_delivery_file_status", table_name="delivery_file")
    op.drop_table("delivery_file")
    op.drop_table("digest_snapshot")
    op.drop_index("ix_community_member_staff_id", table_name="community_member")
    op.drop_table("community_member")
    op.drop_table("step_up_approval")
    op.drop_table("nudge")
    op.drop_index("ix_recommendation_staff_id", table_name="recommendation")
    op.drop_table("recommendation")
    op.drop_table("unit_channel")
    op.drop_table("staff_role")
