"""Rejected extracts: every finding of an extract that validation refused, so the performance
team has a lasting data-quality record of what blocked a period and when, beside the warnings
each accepted snapshot keeps in ``data_quality_finding``.

Revision ID: 0006_rejected_extracts
Revises: 0005_revisions
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_rejected_extracts"
down_revision = "0005_revisions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rejected_extract_finding",
        sa.Column("cadence", sa.String(16), primary_key=True),
        sa.Column("snapshot_date", sa.Date, primary_key=True),
        sa.Column("extract_hash", sa.String(64), primary_key=True),
        sa.Column("check_name", sa.String(32), primary_key=True),
        sa.Column("table_name", sa.String(64), primary_key=True),
        sa.Column("column_name", sa.String(64), primary_key=True),
        sa.Column("severity", sa.String(8), nullable=False),
        sa.Column("row_count", sa.Integer, nullable=False),
        sa.Column("message", sa.String(500), nullable=False),
        sa.Column("source", sa.String(500), nullable=False),
        sa.Column("dag_id", sa.String(250), nullable=False),
        sa.Column("run_id", sa.String(250), nullable=False),
        sa.Column("detected_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("rejected_extract_finding")
