"""Measure results, and calendar columns for windows relative to a record's own date.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

from improvement.warehouse.calendar import refresh_calendar

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("calendar_day") as batch:
        batch.add_column(sa.Column("day_serial", sa.Integer, nullable=False, server_default="0"))
        batch.add_column(sa.Column("minus_12m", sa.Date, nullable=True))
        batch.add_column(sa.Column("minus_24m", sa.Date, nullable=True))
    refresh_calendar(op.get_bind())
    op.create_table(
        "measure_result",
        sa.Column("measure_id", sa.String(64), primary_key=True),
        sa.Column("as_at", sa.Date, primary_key=True),
        sa.Column("breakdown", sa.String(16), primary_key=True),
        sa.Column("breakdown_value", sa.String(100), primary_key=True),
        sa.Column("extract_hash", sa.String(64), primary_key=True),
        sa.Column("numerator", sa.Float),
        sa.Column("denominator", sa.Float),
        sa.Column("value", sa.Float),
        sa.Column("definition_version", sa.Integer, nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_measure_result_as_at", "measure_result", ["as_at", "measure_id"])


def downgrade() -> None:
    op.drop_index("ix_measure_result_as_at", "measure_result")
    op.drop_table("measure_result")
    with op.batch_alter_table("calendar_day") as batch:
        batch.drop_column("minus_24m")
        batch.drop_column("minus_12m")
        batch.drop_column("day_serial")
