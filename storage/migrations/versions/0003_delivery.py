"""Delivery engine: the outbox, the sender's pause state, job slots, reminder preferences and log.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

from storage.types import UTCDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _str(length: int) -> sqlmodel.sql.sqltypes.AutoString:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def upgrade() -> None:
    op.create_table(
        "delivery",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", _str(64), nullable=False),
        sa.Column("recipient", _str(64), nullable=False),
        sa.Column("period", _str(128), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("due_at", UTCDateTime(), nullable=False),
        sa.Column("status", _str(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UTCDateTime(), nullable=False),
        sa.Column("verify", sa.Boolean(), nullable=False),
        sa.Column("lease_owner", _str(64), nullable=True),
        sa.Column("lease_until", UTCDateTime(), nullable=True),
        sa.Column("first_attempt_at", UTCDateTime(), nullable=True),
        sa.Column("sent_at", UTCDateTime(), nullable=True),
        sa.Column("sent_ts", _str(32), nullable=True),
        sa.Column("sent_channel", _str(32), nullable=True),
        sa.Column("reconciled", sa.Boolean(), nullable=False),
        sa.Column("last_error", _str(200), nullable=True),
        sa.Column("flagged", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("kind", "recipient", "period", name="uq_delivery_key"),
    )
    op.create_index("ix_delivery_status_next", "delivery", ["status", "next_attempt_at"])
    op.create_index("ix_delivery_status_lease", "delivery", ["status", "lease_until"])
    op.create_table(
        "sender_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("paused", sa.Boolean(), nullable=False),
        sa.Column("reason", _str(64), nullable=True),
        sa.Column("since", UTCDateTime(), nullable=True),
        sa.Column("checked_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "job_slot",
        sa.Column("job", _str(64), nullable=False),
        sa.Column("slot", UTCDateTime(), nullable=False),
        sa.Column("claimed_by", _str(64), nullable=False),
        sa.Column("claimed_at", UTCDateTime(), nullable=False),
        sa.Column("finished_at", UTCDateTime(), nullable=True),
        sa.Column("result", _str(500), nullable=False),
        sa.PrimaryKeyConstraint("job", "slot"),
    )
    op.create_table(
        "reminder_pref",
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("kind", _str(32), nullable=False),
        sa.Column("off", sa.Boolean(), nullable=False),
        sa.Column("snoozed_until", sa.Date(), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"]),
        sa.PrimaryKeyConstraint("staff_id", "kind"),
    )
    op.create_table(
        "reminder_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("kind", _str(32), nullable=False),
        sa.Column("subject", _str(64), nullable=False),
        sa.Column("planned_on", sa.Date(), nullable=False),
        sa.Column("delivery_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["delivery_id"], ["delivery.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_reminder_log_staff_day", "reminder_log", ["staff_id", "planned_on"])
    op.create_index("ix_reminder_log_day", "reminder_log", ["planned_on"])


def downgrade() -> None:
    op.drop_index("ix_reminder_log_day", table_name="reminder_log")
    op.drop_index("ix_reminder_log_staff_day", table_name="reminder_log")
    op.drop_table("reminder_log")
    op.drop_table("reminder_pref")
    op.drop_table("job_slot")
    op.drop_table("sender_state")
    op.drop_index("ix_delivery_status_lease", table_name="delivery")
    op.drop_index("ix_delivery_status_next", table_name="delivery")
    op.drop_table("delivery")
