"""Review and sign-off: the packs each round rendered, the analyst's commentary, every decision,
and what was published for which meeting.

Revision ID: 0004_sign_off
Revises: 0003_slack_delivery
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_sign_off"
down_revision = "0003_slack_delivery"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pack_version",
        sa.Column("run_id", sa.String(250), primary_key=True),
        sa.Column("review_round", sa.Integer, primary_key=True),
        sa.Column("group_id", sa.String(64), primary_key=True),
        sa.Column("period_end", sa.Date, nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("html_path", sa.String(1000), nullable=False),
        sa.Column("pdf_path", sa.String(1000)),
        sa.Column("rendered_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "pack_commentary",
        sa.Column("run_id", sa.String(250), primary_key=True),
        sa.Column("review_round", sa.Integer, primary_key=True),
        sa.Column("topic", sa.String(64), primary_key=True),
        sa.Column("period_end", sa.Date, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
    )
    op.create_table(
        "sign_off_record",
        sa.Column("run_id", sa.String(250), primary_key=True),
        sa.Column("review_round", sa.Integer, primary_key=True),
        sa.Column("step", sa.String(32), primary_key=True),
        sa.Column("period_end", sa.Date, nullable=False),
        sa.Column("person", sa.String(250), nullable=False),
        sa.Column("decision", sa.String(32), nullable=False),
        sa.Column("reason", sa.Text),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("bundle_hash", sa.String(64), nullable=False),
    )
    op.create_index("ix_sign_off_record_period", "sign_off_record", ["period_end"])
    op.create_table(
        "publication",
        sa.Column("period_end", sa.Date, primary_key=True),
        sa.Column("group_id", sa.String(64), primary_key=True),
        sa.Column("run_id", sa.String(250), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("meeting_date", sa.Date),
        sa.Column("papers_deadline", sa.Date),
        sa.Column("location", sa.String(1000)),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("publication")
    op.drop_index("ix_sign_off_record_period", "sign_off_record")
    op.drop_table("sign_off_record")
    op.drop_table("pack_commentary")
    op.drop_table("pack_version")
