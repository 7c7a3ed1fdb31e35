"""Outbox: messages the bot sends on its own, written in the business transaction.

Revision ID: 0002_outbox
Revises: 0001_core
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

import storage.base

revision = "0002_outbox"
down_revision = "0001_core"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outbox_messages",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("created_at", storage.base.UTCDateTime(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("message_thread_id", sa.BigInteger(), nullable=True),
        sa.Column("method", sa.String(length=64), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("dedupe_key", sa.String(length=255), nullable=True),
        sa.Column("on_sent", sa.String(length=128), nullable=True),
        sa.Column("after_id", sa.Integer(), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", storage.base.UTCDateTime(), nullable=False),
        sa.Column("claimed_by", sa.String(length=64), nullable=True),
        sa.Column("claimed_until", storage.base.UTCDateTime(), nullable=True),
        sa.Column("last_error", sa.String(length=255), nullable=True),
        sa.Column("sent_at", storage.base.UTCDateTime(), nullable=True),
        sa.Column("result_message_id", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["after_id"],
            ["outbox_messages.id"],
            name=op.f("fk_outbox_messages_after_id_outbox_messages"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_messages")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_outbox_messages_dedupe_key")),
    )
    op.create_index(
        "ix_outbox_messages_state_next_attempt_at", "outbox_messages", ["state", "next_attempt_at"], unique=False
    )
    op.create_index(
        "ix_outbox_messages_chat_id_state_id", "outbox_messages", ["chat_id", "state", "id"], unique=False
    )
    op.create_index(
        "ix_outbox_messages_chat_id_sent_at", "outbox_messages", ["chat_id", "sent_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_outbox_messages_chat_id_sent_at", table_name="outbox_messages")
    op.drop_index("ix_outbox_messages_chat_id_state_id", table_name="outbox_messages")
    op.drop_index("ix_outbox_messages_state_next_attempt_at", table_name="outbox_messages")
    op.drop_table("outbox_messages")
