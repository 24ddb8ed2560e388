"""The learning community: one open membership per person (joined with a sheet), preferences, events and
study groups, RSVPs with attendance, invitations.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

from storage.types import UTCDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def _str(length: int) -> sqlmodel.sql.sqltypes.AutoString:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def upgrade() -> None:
    with op.batch_alter_table("community_member") as batch:
        batch.add_column(sa.Column("sheet_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_community_member_sheet", "self_assessment", ["sheet_id"], ["id"])
    op.create_index("uq_community_member_open", "community_member", ["staff_id"], unique=True,
                    sqlite_where=sa.text("left_at IS NULL"), postgresql_where=sa.text("left_at IS NULL"))
    op.create_table(
        "community_pref",
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("announce_dm", sa.Boolean(), nullable=False),
        sa.Column("no_invites", sa.Boolean(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"]),
        sa.PrimaryKeyConstraint("staff_id"),
    )
    op.create_table(
        "community_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", _str(100), nullable=False),
        sa.Column("kind", _str(16), nullable=False),
        sa.Column("starts_at", UTCDateTime(), nullable=False),
        sa.Column("ends_at", UTCDateTime(), nullable=False),
        sa.Column("place", _str(200), nullable=False),
        sa.Column("online_url", _str(500), nullable=True),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("target_tier", sa.Integer(), nullable=True),
        sa.Column("hours", sa.Float(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("organiser_id", sa.Integer(), nullable=False),
        sa.Column("status", _str(16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("attendance_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["organiser_id"], ["staff.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_community_event_starts", "community_event", ["status", "starts_at"])
    op.create_table(
        "event_rsvp",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("status", _str(16), nullable=False),
        sa.Column("queued_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("attended", sa.Boolean(), nullable=True),
        sa.Column("hours", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(["event_id"], ["community_event.id"]),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("event_id", "staff_id", name="uq_event_rsvp"),
    )
    op.create_index("ix_event_rsvp_queue", "event_rsvp", ["event_id", "status", "queued_at"])
    op.create_index("ix_event_rsvp_staff", "event_rsvp", ["staff_id"])
    op.create_table(
        "community_invitation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("month", _str(7), nullable=False),
        sa.Column("invited_on", sa.Date(), nullable=False),
        sa.Column("reason", _str(16), nullable=False),
        sa.Column("delivery_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["delivery_id"], ["delivery.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("staff_id", "month", name="uq_community_invitation_month"),
    )
    op.create_index("ix_community_invitation_day", "community_invitation", ["invited_on"])


def downgrade() -> None:
    op.drop_index("ix_community_invitation_day", table_name="community_invitation")
    op.drop_table("community_invitation")
    op.drop_index("ix_event_rsvp_staff", table_name="event_rsvp")
    op.drop_index("ix_event_rsvp_queue", table_name="event_rsvp")
    op.drop_table("event_rsvp")
    op.drop_index("ix_community_event_starts", table_name="community_event")
    op.drop_table("community_event")
    op.drop_table("community_pref")
    op.drop_index("uq_community_member_open", table_name="community_member")
    with op.batch_alter_table("community_member") as batch:
        batch.drop_constraint("fk_community_member_sheet", type_="foreignkey")
        batch.drop_column("sheet_id")
