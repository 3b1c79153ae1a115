"""Run the weekly steps directly (no scheduler) and read the warehouse back for comparison."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import sqlalchemy as sa

from improvement import pipeline
from improvement.connections import DatabaseTarget
from improvement.county import load_county_config
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
    destination = pipeline.staging_path(staging_root, "weekly", week_ending, run_id)
    manifest = pipeline.run_extract(case_system, destination)
    county = load_county_config()
    validation = pipeline.run_validate(
        manifest,
        warehouse,
        week_ending,
        *pipeline.validation_inputs(),
        codes=county.codes,
        teams=[(team.team_id, team.name) for team in county.teams],
    )
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
        "written_at", "finished_at", "extract_started_at", "computed_at", "recorded_at",
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


def correct_assessment_dates(
    case_system: Path, authorised_from: dt.date, authorised_to: dt.date
) -> int:
    """A data fix: assessments authorised in the window more than 70 days after they started
    had their authorisation back-dated in the case system to 14 days after the start (as a
    team correcting late-entered authorisations would). Returns how many rows changed."""
    import sqlite3

    with sqlite3.connect(case_system) as conn:
        changed = conn.execute(
            """
            UPDATE ssd_cin_assessments
            SET cina_assessment_auth_date = datetime(cina_assessment_start_date, '+14 days')
            WHERE date(cina_assessment_auth_date) BETWEEN ? AND ?
              AND julianday(cina_assessment_auth_date) - julianday(cina_assessment_start_date) > 70
            """,
            (authorised_from.isoformat(), authorised_to.isoformat()),
        ).rowcount
    return changed


def add_late_referrals(
    case_system: Path, received_from: dt.date, received_to: dt.date, count: int
) -> int:
    """Referrals received in the window but recorded only now: copies of ``count`` referrals of
    the window under new ids, one day later, for the same children and teams."""
    import sqlite3

    with sqlite3.connect(case_system) as conn:
        columns = [row[1] for row in conn.execute("PRAGMA table_info(ssd_cin_episodes)")]
        chosen = ", ".join(
            "'LATE' || cine_referral_id" if c == "cine_referral_id"
            else "datetime(cine_referral_date, '+1 day')" if c == "cine_referral_date"
            else c
            for c in columns
        )  # fmt: skip
        added = conn.execute(
            f"INSERT INTO ssd_cin_episodes ({', '.join(columns)}) "  # noqa: S608 - test data
            f"SELECT {chosen} FROM ssd_cin_episodes "
            "WHERE date(cine_referral_date) BETWEEN ? AND ? ORDER BY cine_referral_id LIMIT ?",
            (received_from.isoformat(), received_to.isoformat(), count),
        ).rowcount
    return added


def fresh_database(server_url: str, name: str) -> str:
    """A new, empty database called ``name`` on the PostgreSQL server (dropped first if there);
    returns its URL."""
    server = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.execute(sa.text(f"DROP DATABASE IF EXISTS {name}"))
        conn.execute(sa.text(f"CREATE DATABASE {name}"))
    server.dispose()
    return sa.make_url(server_url).set(database=name).render_as_string(False)
