"""Stored tables by column: each column of a stored table content on its own (gzip-compressed
JSON), so a measure run on a warehouse that inserts rows reads only the columns it needs
(``improvement.warehouse.columns``). Contents stored before this revision are read from their
CSV until a snapshot stores them again.

Revision ID: 0007_extract_columns
Revises: 0006_rejected_extracts
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_extract_columns"
down_revision = "0006_rejected_extracts"
branch_labels = None
depends_on = None


def upgrade() -> None:
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


def downgrade() -> None:
    op.drop_table("extract_column")
