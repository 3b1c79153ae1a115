"""Stored tables as Parquet: each stored table content also as a typed Parquet file, which
measure and list runs read column by column (``improvement.warehouse.parquet``). It replaces
the per-column JSON store of revision 0007. Contents stored before this revision are converted
from their canonical CSV when a run reads them.

Revision ID: 0009_parquet_tables
Revises: 0008_answer_refusal
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_parquet_tables"
down_revision = "0008_answer_refusal"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "extract_parquet",
        sa.Column(
            "content_hash",
            sa.String(64),
            sa.ForeignKey("extract_blob.content_hash"),
            primary_key=True,
        ),
        sa.Column("payload", sa.LargeBinary, nullable=False),
    )
    op.drop_table("extract_column")


def downgrade() -> None:
    op.create_table(
        "extract_column",
        sa.Column(
            "content_hash",
            sa.String(64),
            sa.ForeignKey("extract_blob.content_hash"),
            primary_key=True,
        ),
        sa.Column("column_name", sa.String(64), primary_key=True),
        sa.Column("payload", sa.LargeBinary, nullable=False),
    )
    op.drop_table("extract_parquet")
