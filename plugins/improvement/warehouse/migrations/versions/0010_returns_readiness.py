"""Returns readiness: what the DfE's own validation rules made of each snapshot's statutory
return tables, rule by rule (ran, not applicable or crashed, and how many records failed),
and the failing records counted by team (counts and codes only; the records themselves stay in
the restricted worklists).

Revision ID: 0010_returns_readiness
Revises: 0009_parquet_tables
Create Date: 2026-12-08
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_returns_readiness"
down_revision = "0009_parquet_tables"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "returns_rule_result",
        sa.Column("snapshot_key", sa.String(64), primary_key=True),
        sa.Column("return_name", sa.String(16), primary_key=True),
        sa.Column("rule_code", sa.String(32), primary_key=True),
        sa.Column("collection_year", sa.Integer, nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("severity", sa.String(8), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("error", sa.String(500)),
        sa.Column("failing_records", sa.Integer, nullable=False),
        sa.Column("package", sa.String(64), nullable=False),
        sa.Column("package_version", sa.String(32), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "returns_team_count",
        sa.Column("snapshot_key", sa.String(64), primary_key=True),
        sa.Column("return_name", sa.String(16), primary_key=True),
        sa.Column("rule_code", sa.String(32), primary_key=True),
        sa.Column("team_id", sa.String(48), primary_key=True),
        sa.Column("failing_records", sa.Integer, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("returns_team_count")
    op.drop_table("returns_rule_result")
