"""Snapshots of the extract, calendar of working days, run metadata.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

from improvement.warehouse.calendar import refresh_calendar

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "calendar_day",
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("iso_weekday", sa.Integer, nullable=False),
        sa.Column("is_bank_holiday", sa.Boolean, nullable=False),
        sa.Column("holiday_name", sa.String(100)),
        sa.Column("is_working_day", sa.Boolean, nullable=False),
        sa.Column("working_day_number", sa.Integer, nullable=False),
    )
    op.create_table(
        "extract_blob",
        sa.Column("content_hash", sa.String(64), primary_key=True),
        sa.Column("table_name", sa.String(64), nullable=False),
        sa.Column("row_count", sa.Integer, nullable=False),
        sa.Column("payload", sa.LargeBinary, nullable=False),
    )
    op.create_table(
        "snapshot",
        sa.Column("snapshot_id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("snapshot_key", sa.String(64), nullable=False, unique=True),
        sa.Column("cadence", sa.String(16), nullable=False),
        sa.Column("snapshot_date", sa.Date, nullable=False, index=True),
        sa.Column("data_interval_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("data_interval_end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("extract_hash", sa.String(64), nullable=False),
        sa.Column("source", sa.String(500), nullable=False),
        sa.Column("written_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "snapshot_table",
        sa.Column(
            "snapshot_id", sa.Integer, sa.ForeignKey("snapshot.snapshot_id"), primary_key=True
        ),
        sa.Column("table_name", sa.String(64), primary_key=True),
        sa.Column(
            "content_hash",
            sa.String(64),
            sa.ForeignKey("extract_blob.content_hash"),
            nullable=False,
        ),
        sa.Column("row_count", sa.Integer, nullable=False),
    )
    op.create_table(
        "data_quality_finding",
        sa.Column(
            "snapshot_id", sa.Integer, sa.ForeignKey("snapshot.snapshot_id"), primary_key=True
        ),
        sa.Column("check_name", sa.String(32), primary_key=True),
        sa.Column("table_name", sa.String(64), primary_key=True),
        sa.Column("column_name", sa.String(64), primary_key=True),
        sa.Column("severity", sa.String(8), nullable=False),
        sa.Column("row_count", sa.Integer, nullable=False),
        sa.Column("message", sa.String(500), nullable=False),
    )
    op.create_table(
        "pipeline_run",
        sa.Column("dag_id", sa.String(250), primary_key=True),
        sa.Column("run_id", sa.String(250), primary_key=True),
        sa.Column("snapshot_id", sa.Integer, sa.ForeignKey("snapshot.snapshot_id"), nullable=False),
        sa.Column("data_interval_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("data_interval_end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("extract_hash", sa.String(64), nullable=False),
        sa.Column("extract_started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("extract_seconds", sa.Float, nullable=False),
        sa.Column("validate_seconds", sa.Float, nullable=False),
        sa.Column("snapshot_seconds", sa.Float, nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=False),
    )
    refresh_calendar(op.get_bind())


def downgrade() -> None:
    for table in (
        "pipeline_run",
        "data_quality_finding",
        "snapshot_table",
        "snapshot",
        "extract_blob",
        "calendar_day",
    ):
        op.drop_table(table)
