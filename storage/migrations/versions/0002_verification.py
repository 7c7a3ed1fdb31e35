"""Email verification challenges (hashed codes only).

Revision ID: 0002_verification
Revises: 0001_core
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

import storage.base

revision = "0002_verification"
down_revision = "0001_core"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "email_challenges",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("requester_telegram_id", sa.BigInteger(), nullable=False),
        sa.Column("email_digest", sa.String(length=64), nullable=False),
        sa.Column("code_digest", sa.String(length=64), nullable=False),
        sa.Column("account_data", sa.Text(), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", storage.base.UTCDateTime(), nullable=False),
        sa.Column("expires_at", storage.base.UTCDateTime(), nullable=False),
        sa.Column("verified_at", storage.base.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_email_challenges")),
    )
    op.create_index(
        "ix_email_challenges_requester_created",
        "email_challenges",
        ["requester_telegram_id", "created_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_email_challenges_requester_created", table_name="email_challenges")
    op.drop_table("email_challenges")
