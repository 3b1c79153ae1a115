"""Backfills and revisions: the figures each published pack showed, the revisions found when a
recomputation changed one of them, and what changed between a snapshot's old and new extract.

Revision ID: 0005_revisions
Revises: 0004_sign_off
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_revisions"
down_revision = "0004_sign_off"
branch_labels = None
depends_on = None


def _figure_key() -> list[sa.Column]:
    return [
        sa.Column("measure_id", sa.String(64), primary_key=True),
        sa.Column("as_at", sa.Date, primary_key=True),
        sa.Column("breakdown", sa.String(16), primary_key=True),
        sa.Column("breakdown_value", sa.String(100), primary_key=True),
    ]


def upgrade() -> None:
    op.create_table(
        "published_figure",
        sa.Column("period_end", sa.Date, primary_key=True),
        sa.Column("group_id", sa.String(64), primary_key=True),
        sa.Column("content_hash", sa.String(64), primary_key=True),
        *_figure_key(),
        sa.Column("extract_hash", sa.String(64), nullable=False),
        sa.Column("numerator", sa.Float),
        sa.Column("denominator", sa.Float),
        sa.Column("value", sa.Float),
    )
    op.create_index("ix_published_figure_as_at", "published_figure", ["as_at"])
    op.create_table(
        "measure_revision",
        sa.Column("period_end", sa.Date, primary_key=True),
        sa.Column("group_id", sa.String(64), primary_key=True),
        sa.Column("content_hash", sa.String(64), primary_key=True),
        *_figure_key(),
        sa.Column("new_extract_hash", sa.String(64), primary_key=True),
        sa.Column("old_extract_hash", sa.String(64), nullable=False),
        sa.Column("old_numerator", sa.Float),
        sa.Column("old_denominator", sa.Float),
        sa.Column("old_value", sa.Float),
        sa.Column("new_numerator", sa.Float),
        sa.Column("new_denominator", sa.Float),
        sa.Column("new_value", sa.Float),
        sa.Column("beyond_threshold", sa.Boolean, nullable=False),
        sa.Column("dag_id", sa.String(250), nullable=False),
        sa.Column("run_id", sa.String(250), nullable=False),
        sa.Column("detected_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "extract_change",
        sa.Column("snapshot_key", sa.String(64), primary_key=True),
        sa.Column("old_extract_hash", sa.String(64), primary_key=True),
        sa.Column("new_extract_hash", sa.String(64), primary_key=True),
        sa.Column("table_name", sa.String(64), primary_key=True),
        sa.Column("rows_before", sa.Integer, nullable=False),
        sa.Column("rows_after", sa.Integer, nullable=False),
        sa.Column("rows_added", sa.Integer, nullable=False),
        sa.Column("rows_removed", sa.Integer, nullable=False),
        sa.Column("rows_changed", sa.Integer, nullable=False),
        sa.Column("changed_columns", sa.Text, nullable=False),
        sa.Column("dag_id", sa.String(250), nullable=False),
        sa.Column("run_id", sa.String(250), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("extract_change")
    op.drop_table("measure_revision")
    op.drop_index("ix_published_figure_as_at", table_name="published_figure")
    op.drop_table("published_figure")
