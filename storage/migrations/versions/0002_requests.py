"""Requests, their hash-chained audit events and attachments.

Revision ID: 0002_requests
Revises: 0001_core
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

import storage.base

revision = "0002_requests"
down_revision = "0001_core"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "requests",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("reference", sa.String(length=16), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("jurisdiction", sa.String(length=16), nullable=False),
        sa.Column("regimes", sa.String(length=128), nullable=False),
        sa.Column("state", sa.String(length=32), nullable=False),
        sa.Column("priority", sa.Boolean(), nullable=False),
        sa.Column("requester_type", sa.String(length=16), nullable=False),
        sa.Column("is_processor_case", sa.Boolean(), nullable=False),
        sa.Column("details", sa.Text(), nullable=True),
        sa.Column("policy_promise", sa.JSON(), nullable=True),
        sa.Column("holiday_country", sa.String(length=8), nullable=True),
        sa.Column("received_at", storage.base.UTCDateTime(), nullable=False),
        sa.Column("clock_start_at", storage.base.UTCDateTime(), nullable=True),
        sa.Column("verified_at", storage.base.UTCDateTime(), nullable=True),
        sa.Column("verification_method", sa.String(length=32), nullable=True),
        sa.Column("paused_days", sa.Integer(), nullable=False),
        sa.Column("pause_started_at", storage.base.UTCDateTime(), nullable=True),
        sa.Column("extended", sa.Boolean(), nullable=False),
        sa.Column("extension_reason", sa.String(length=32), nullable=True),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("due_zone", sa.String(length=64), nullable=True),
        sa.Column("due_end_utc", storage.base.UTCDateTime(), nullable=True),
        sa.Column("deadline_reason", sa.Text(), nullable=True),
        sa.Column("extension_notice_due", sa.Date(), nullable=True),
        sa.Column("ack_due", sa.Date(), nullable=True),
        sa.Column("next_reminder_at", storage.base.UTCDateTime(), nullable=True),
        sa.Column("assignee_telegram_id", sa.BigInteger(), nullable=True),
        sa.Column("staff_chat_message_id", sa.BigInteger(), nullable=True),
        sa.Column("staff_topic_id", sa.BigInteger(), nullable=True),
        sa.Column("closed_at", storage.base.UTCDateTime(), nullable=True),
        sa.Column("outcome", sa.String(length=32), nullable=True),
        sa.Column("reject_reason", sa.String(length=32), nullable=True),
        sa.Column("audit_head", sa.String(length=64), nullable=True),
        sa.Column("event_count", sa.Integer(), nullable=False),
        sa.Column("created_at", storage.base.UTCDateTime(), nullable=False),
        sa.Column("updated_at", storage.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["subject_id"], ["subjects.id"], name=op.f("fk_requests_subject_id_subjects"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_requests")),
        sa.UniqueConstraint("reference", name=op.f("uq_requests_reference")),
    )
    op.create_index(op.f("ix_requests_subject_id"), "requests", ["subject_id"], unique=False)
    op.create_index(op.f("ix_requests_state"), "requests", ["state"], unique=False)
    op.create_index(op.f("ix_requests_due_end_utc"), "requests", ["due_end_utc"], unique=False)
    op.create_index(op.f("ix_requests_next_reminder_at"), "requests", ["next_reminder_at"], unique=False)
    op.create_index(
        "ix_requests_subject_id_kind_state", "requests", ["subject_id", "kind", "state"], unique=False
    )
    op.create_table(
        "request_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("at", storage.base.UTCDateTime(), nullable=False),
        sa.Column("actor_role", sa.String(length=16), nullable=False),
        sa.Column("actor_telegram_id", sa.BigInteger(), nullable=True),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["requests.id"],
            name=op.f("fk_request_events_request_id_requests"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_request_events")),
        sa.UniqueConstraint("request_id", "seq", name="uq_request_events_request_id_seq"),
    )
    op.create_table(
        "request_attachments",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("file_id", sa.String(length=255), nullable=False),
        sa.Column("file_unique_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("caption", sa.Text(), nullable=True),
        sa.Column("created_at", storage.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["requests.id"],
            name=op.f("fk_request_attachments_request_id_requests"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_request_attachments")),
    )
    op.create_index(
        op.f("ix_request_attachments_request_id"), "request_attachments", ["request_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_request_attachments_request_id"), table_name="request_attachments")
    op.drop_table("request_attachments")
    op.drop_table("request_events")
    op.drop_index("ix_requests_subject_id_kind_state", table_name="requests")
    op.drop_index(op.f("ix_requests_next_reminder_at"), table_name="requests")
    op.drop_index(op.f("ix_requests_due_end_utc"), table_name="requests")
    op.drop_index(op.f("ix_requests_state"), table_name="requests")
    op.drop_index(op.f("ix_requests_subject_id"), table_name="requests")
    op.drop_table("requests")
