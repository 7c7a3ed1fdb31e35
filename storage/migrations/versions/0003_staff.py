"""Staff desk: reminder claims, once-a-day job claims, links from staff-group messages to requests.

Revision ID: 0003_staff
Revises: 0002_requests
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

import storage.base

revision = "0003_staff"
down_revision = "0002_requests"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "staff_reminder_claims",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=32), nullable=False),
        sa.Column("claimed_at", storage.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"], ["requests.id"], name=op.f("fk_staff_reminder_claims_request_id_requests"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_reminder_claims")),
        sa.UniqueConstraint("request_id", "key", name="uq_staff_reminder_claims_request_id_key"),
    )
    op.create_table(
        "staff_job_claims",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("claimed_at", storage.base.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_staff_job_claims")),
    )
    op.create_table(
        "staff_links",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"], ["requests.id"], name=op.f("fk_staff_links_request_id_requests"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_links")),
        sa.UniqueConstraint("chat_id", "message_id", name="uq_staff_links_chat_id_message_id"),
    )
    op.create_index(op.f("ix_staff_links_request_id"), "staff_links", ["request_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_staff_links_request_id"), table_name="staff_links")
    op.drop_table("staff_links")
    op.drop_table("staff_job_claims")
    op.drop_table("staff_reminder_claims")
