"""Warehouse tables as SQLAlchemy Core objects for queries. Alembic migrations create them."""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

calendar_day = sa.Table(
    "calendar_day",
    metadata,
    sa.Column("day", sa.Date, primary_key=True),
    sa.Column("iso_weekday", sa.Integer, nullable=False),
    sa.Column("is_bank_holiday", sa.Boolean, nullable=False),
    sa.Column("holiday_name", sa.String(100)),
    sa.Column("is_working_day", sa.Boolean, nullable=False),
    sa.Column("working_day_number", sa.Integer, nullable=False),
    sa.Column("day_serial", sa.Integer, nullable=False),
    sa.Column("minus_12m", sa.Date, nullable=False),
    sa.Column("minus_24m", sa.Date, nullable=False),
)

extract_blob = sa.Table(
    "extract_blob",
    metadata,
    sa.Column("content_hash", sa.String(64), primary_key=True),
    sa.Column("table_name", sa.String(64), nullable=False),
    sa.Column("row_count", sa.Integer, nullable=False),
    sa.Column("payload", sa.LargeBinary, nullable=False),
)

extract_parquet = sa.Table(
    "extract_parquet",
    metadata,
    sa.Column(
        "content_hash",
        sa.String(64),
        sa.ForeignKey("extract_blob.content_hash"),
        primary_key=True,
    ),
    sa.Column("payload", sa.LargeBinary, nullable=False),
)

snapshot = sa.Table(
    "snapshot",
    metadata,
    sa.Column("snapshot_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("snapshot_key", sa.String(64), nullable=False, unique=True),
    sa.Column("cadence", sa.String(16), nullable=False),
    sa.Column("snapshot_date", sa.Date, nullable=False),
    sa.Column("data_interval_start", sa.DateTime(timezone=True), nullable=False),
    sa.Column("data_interval_end", sa.DateTime(timezone=True), nullable=False),
    sa.Column("extract_hash", sa.String(64), nullable=False),
    sa.Column("source", sa.String(500), nullable=False),
    sa.Column("written_at", sa.DateTime(timezone=True), nullable=False),
)

snapshot_table = sa.Table(
    "snapshot_table",
    metadata,
    sa.Column("snapshot_id", sa.Integer, sa.ForeignKey("snapshot.snapshot_id"), primary_key=True),
    sa.Column("table_name", sa.String(64), primary_key=True),
    sa.Column(
        "content_hash", sa.String(64), sa.ForeignKey("extract_blob.content_hash"), nullable=False
    ),
    sa.Column("row_count", sa.Integer, nullable=False),
)

data_quality_finding = sa.Table(
    "data_quality_finding",
    metadata,
    sa.Column("snapshot_id", sa.Integer, sa.ForeignKey("snapshot.snapshot_id"), primary_key=True),
    sa.Column("check_name", sa.String(32), primary_key=True),
    sa.Column("table_name", sa.String(64), primary_key=True),
    sa.Column("column_name", sa.String(64), primary_key=True),
    sa.Column("severity", sa.String(8), nullable=False),
    sa.Column("row_count", sa.Integer, nullable=False),
    sa.Column("message", sa.String(500), nullable=False),
)

pipeline_run = sa.Table(
    "pipeline_run",
    metadata,
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

measure_result = sa.Table(
    "measure_result",
    metadata,
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

pack_version = sa.Table(
    "pack_version",
    metadata,
    sa.Column("run_id", sa.String(250), primary_key=True),
    sa.Column("review_round", sa.Integer, primary_key=True),
    sa.Column("group_id", sa.String(64), primary_key=True),
    sa.Column("period_end", sa.Date, nullable=False),
    sa.Column("content_hash", sa.String(64), nullable=False),
    sa.Column("html_path", sa.String(1000), nullable=False),
    sa.Column("pdf_path", sa.String(1000)),
    sa.Column("rendered_at", sa.DateTime(timezone=True), nullable=False),
)

pack_commentary = sa.Table(
    "pack_commentary",
    metadata,
    sa.Column("run_id", sa.String(250), primary_key=True),
    sa.Column("review_round", sa.Integer, primary_key=True),
    sa.Column("topic", sa.String(64), primary_key=True),
    sa.Column("period_end", sa.Date, nullable=False),
    sa.Column("text", sa.Text, nullable=False),
)

sign_off_record = sa.Table(
    "sign_off_record",
    metadata,
    sa.Column("run_id", sa.String(250), primary_key=True),
    sa.Column("review_round", sa.Integer, primary_key=True),
    sa.Column("step", sa.String(32), primary_key=True),
    sa.Column("period_end", sa.Date, nullable=False, index=True),
    sa.Column("person", sa.String(250), nullable=False),
    sa.Column("decision", sa.String(32), nullable=False),
    sa.Column("reason", sa.Text),
    sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("bundle_hash", sa.String(64), nullable=False),
)

publication = sa.Table(
    "publication",
    metadata,
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

slack_delivery = sa.Table(
    "slack_delivery",
    metadata,
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


def _figure_key() -> list[sa.Column]:
    """A measure result's key without its extract: which figure, at which date, for whom."""
    return [
        sa.Column("measure_id", sa.String(64), primary_key=True),
        sa.Column("as_at", sa.Date, primary_key=True),
        sa.Column("breakdown", sa.String(16), primary_key=True),
        sa.Column("breakdown_value", sa.String(100), primary_key=True),
    ]


published_figure = sa.Table(
    "published_figure",
    metadata,
    sa.Column("period_end", sa.Date, primary_key=True),
    sa.Column("group_id", sa.String(64), primary_key=True),
    sa.Column("content_hash", sa.String(64), primary_key=True),
    *_figure_key(),
    sa.Column("extract_hash", sa.String(64), nullable=False),
    sa.Column("numerator", sa.Float),
    sa.Column("denominator", sa.Float),
    sa.Column("value", sa.Float),
)

measure_revision = sa.Table(
    "measure_revision",
    metadata,
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

extract_change = sa.Table(
    "extract_change",
    metadata,
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

rejected_extract_finding = sa.Table(
    "rejected_extract_finding",
    metadata,
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

# A reviewer's answer refused because its typed text held personal data: who, when, where and
# what kind (improvement.answer_guard); never the text itself.
answer_refusal = sa.Table(
    "answer_refusal",
    metadata,
    sa.Column("run_id", sa.String(250), primary_key=True),
    sa.Column("review_round", sa.Integer, primary_key=True),
    sa.Column("step", sa.String(32), primary_key=True),
    sa.Column("answered_at", sa.DateTime(timezone=True), primary_key=True),
    sa.Column("period_end", sa.Date, nullable=False, index=True),
    sa.Column("person", sa.String(250), nullable=False),
    sa.Column("found", sa.Text, nullable=False),
    sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
)

# What the DfE's own validation rules made of a snapshot's return tables, rule by rule
# (improvement.returns.readiness): ran, not applicable (a table it reads is absent) or crashed
# (the exception's first line), with the number of failing records; codes and counts only.
returns_rule_result = sa.Table(
    "returns_rule_result",
    metadata,
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

# The failing records of each rule by the child's team ("(unallocated)" for none).
returns_team_count = sa.Table(
    "returns_team_count",
    metadata,
    sa.Column("snapshot_key", sa.String(64), primary_key=True),
    sa.Column("return_name", sa.String(16), primary_key=True),
    sa.Column("rule_code", sa.String(32), primary_key=True),
    sa.Column("team_id", sa.String(48), primary_key=True),
    sa.Column("failing_records", sa.Integer, nullable=False),
)
