"""Run the weekly steps directly (no scheduler) and read the warehouse back for comparison."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import sqlalchemy as sa

from improvement import pipeline
from improvement.connections import DatabaseTarget
from improvement.warehouse.migrate import upgrade_warehouse
from improvement.warehouse.snapshots import RunRecord
from improvement.warehouse.tables import metadata

LONDON_MONDAY_0600 = dt.time(6, 0, tzinfo=dt.UTC)


def new_warehouse(url: str) -> DatabaseTarget:
    target = DatabaseTarget.from_url(url)
    engine = target.engine()
    upgrade_warehouse(engine)
    engine.dispose()
    return target


def run_week(
    case_system: DatabaseTarget,
    warehouse: DatabaseTarget,
    staging_root: Path,
    week_ending: dt.date,
    run_id: str = "manual__test",
) -> dict:
    """extract -> validate -> snapshot for the week ending ``week_ending``, as the DAG does."""
    destination = pipeline.staging_path(staging_root, "weekly", week_ending)
    manifest = pipeline.run_extract(case_system, destination)
    validation = pipeline.run_validate(manifest, warehouse, week_ending, max_row_drop=0.25)
    end = dt.datetime.combine(week_ending + dt.timedelta(days=1), LONDON_MONDAY_0600)
    run = RunRecord(
        dag_id="weekly_performance",
        run_id=run_id,
        cadence="weekly",
        snapshot_date=week_ending,
        data_interval_start=end - dt.timedelta(days=7),
        data_interval_end=end,
        validate_seconds=validation["seconds"],
    )
    return pipeline.run_snapshot(manifest, validation, warehouse, run)


def warehouse_contents(warehouse: DatabaseTarget, *, with_times: bool = True) -> dict[str, list]:
    """Every row of every warehouse table, sorted, for before/after comparisons."""
    timing = {
        "written_at", "finished_at", "extract_started_at", "computed_at",
        "extract_seconds", "validate_seconds", "snapshot_seconds",
    }  # fmt: skip
    engine = warehouse.engine()
    contents = {}
    with engine.connect() as conn:
        for table in metadata.sorted_tables:
            columns = [c for c in table.c if with_times or c.name not in timing]
            rows = conn.execute(sa.select(*columns)).all()
            contents[table.name] = sorted(tuple(map(repr, row)) for row in rows)
    engine.dispose()
    return contents
