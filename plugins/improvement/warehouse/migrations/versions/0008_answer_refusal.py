"""Answer refusals: each reviewer's answer that was not kept because its typed text held a
child's name, an id or a date of birth (who, when, which field and what kind, never the text),
beside the sign-off record of the answers that were kept.

Revision ID: 0008_answer_refusal
Revises: 0007_extract_columns
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_answer_refusal"
down_revision = "0007_extract_columns"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "answer_refusal",
        sa.Column("run_id", sa.String(250), primary_key=True),
        sa.Column("review_round", sa.Integer, primary_key=True),
        sa.Column("step", sa.String(32), primary_key=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), primary_key=True),
        sa.Column("period_end", sa.Date, nullable=False),
        sa.Column("person", sa.String(250), nullable=False),
        sa.Column("found", sa.Text, nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_answer_refusal_period_end", "answer_refusal", ["period_end"])


def downgrade() -> None:
    op.drop_index("ix_answer_refusal_period_end", table_name="answer_refusal")
    op.drop_table("answer_refusal")
