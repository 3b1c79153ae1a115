"""Ledger of Slack deliveries, so a retried task never posts twice.

Revision ID: 0003_slack_delivery
Revises: 0002
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_slack_delivery"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "slack_delivery",
        sa.Column("delivery_key", sa.String(250), primary_key=True),
        sa.Column("method", sa.String(40), nullable=False),
        sa.Column("channel_id", sa.String(32), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("first_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("file_id", sa.String(32)),
        sa.Column("message_ts", sa.String(32)),
        sa.Column("delivered_at", sa.DateTime(timezone=True)),
        sa.Column("confirmed_by", sa.String(16)),
    )


def downgrade() -> None:
    op.drop_table("slack_delivery")
