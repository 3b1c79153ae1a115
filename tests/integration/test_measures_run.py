"""Measures computed from a stored snapshot of the generated county, end to end."""

from __future__ import annotations

import sqlalchemy as sa

from improvement.connections import DatabaseTarget
from improvement.county import load_county_config
from improvement.measures.asat import history_dates
from improvement.measures.catalogue import load_catalogue
from improvement.measures.run import measure_snapshot
from improvement.warehouse.tables import measure_result
from tests.conftest import AS_OF
from tests.integration.helpers import new_warehouse, run_week
from tests.measures.references import assert_as_reference

KEY = f"weekly/{AS_OF}"


def _results(engine: sa.Engine) -> list[tuple]:
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(
                measure_result.c.measure_id,
                measure_result.c.as_at,
                measure_result.c.breakdown,
                measure_result.c.breakdown_value,
                measure_result.c.extract_hash,
                measure_result.c.numerator,
                measure_result.c.denominator,
                measure_result.c.value,
            )
        ).all()
    return sorted((r[0], str(r[1]), *r[2:]) for r in rows)


def _snapshot(case_system_url: str, warehouse_url: str, staging, schema=None) -> sa.Engine:
    warehouse = new_warehouse(warehouse_url)
    run_week(DatabaseTarget.from_url(case_system_url, schema), warehouse, staging, AS_OF)
    return warehouse.engine()


def test_first_run_measures_two_years_then_only_its_week(small_case_system, tmp_path):
    engine = _snapshot(
        f"sqlite:///{small_case_system}", f"sqlite:///{tmp_path / 'w.sqlite'}", tmp_path
    )
    catalogue, config = load_catalogue(), load_county_config()
    first = measure_snapshot(engine, KEY, catalogue, config)
    assert first.as_at_dates == tuple(history_dates(AS_OF)) and len(first.as_at_dates) >= 120
    assert first.measures == len(catalogue)
    stored = _results(engine)
    assert {row[0] for row in stored} == set(catalogue)
    again = measure_snapshot(engine, KEY, catalogue, config)
    assert again.as_at_dates == (AS_OF,)
    assert _results(engine) == stored, "re-running a week changed or duplicated results"


def test_sqlite_and_postgres_compute_identical_results(
    small_county, small_case_system, postgres_url, tmp_path
):
    from improvement.generator import load_case_system

    load_case_system(small_county, postgres_url, schema="ssd_measures")
    catalogue, config = load_catalogue(), load_county_config()
    dates = [AS_OF, history_dates(AS_OF)[0]]
    sqlite_engine = _snapshot(
        f"sqlite:///{small_case_system}", f"sqlite:///{tmp_path / 'w.sqlite'}", tmp_path / "a"
    )
    with sa.create_engine(postgres_url).begin() as conn:
        conn.execute(sa.text("drop schema if exists warehouse_measures cascade"))
        conn.execute(sa.text("create schema warehouse_measures"))
    postgres_engine = _snapshot(
        postgres_url,
        postgres_url + "?options=-csearch_path%3Dwarehouse_measures",
        tmp_path / "b",
        schema="ssd_measures",
    )
    measure_snapshot(sqlite_engine, KEY, catalogue, config, as_at_dates=dates)
    measure_snapshot(postgres_engine, KEY, catalogue, config, as_at_dates=dates)
    on_sqlite, on_postgres = _results(sqlite_engine), _results(postgres_engine)
    assert len(on_sqlite) > len(catalogue)
    assert on_postgres == on_sqlite


def test_measure_command_recomputes_a_stored_week(small_case_system, tmp_path, capsys):
    from improvement.cli import main

    url = f"sqlite:///{tmp_path / 'w.sqlite'}"
    _snapshot(f"sqlite:///{small_case_system}", url, tmp_path)
    assert main(["measure", "--key", KEY, "--url", url]) == 0
    assert main(["show-snapshot", "--key", KEY, "--url", url]) == 0
    out = capsys.readouterr().out
    assert f"{len(load_catalogue())} measures for 1 as-at date(s) from {KEY}" in out
    assert "assessments_45wd" in out and "re_referrals_12m" in out


def test_monthly_computation_measures_a_month_end_only(small_case_system, tmp_path):
    import datetime as dt

    import pytest

    from improvement.measures.run import measure_month_end

    engine = _snapshot(
        f"sqlite:///{small_case_system}", f"sqlite:///{tmp_path / 'w.sqlite'}", tmp_path
    )
    catalogue, config = load_catalogue(), load_county_config()
    with pytest.raises(ValueError, match="not the last day of a month"):
        measure_month_end(engine, KEY, dt.date(2026, 10, 30), catalogue, config)
    with pytest.raises(ValueError, match="not measurable yet"):
        measure_month_end(engine, KEY, dt.date(2026, 11, 30), catalogue, config)
    run = measure_month_end(engine, KEY, dt.date(2026, 10, 31), catalogue, config)
    assert run.as_at_dates == (dt.date(2026, 10, 31),)
    assert {row[1] for row in _results(engine)} == {"2026-10-31"}


def test_parquet_copies_give_the_results_the_stored_csv_gives(
    small_case_system, tmp_path, monkeypatch
):
    import improvement.warehouse.stored as stored_module
    from improvement.warehouse.tables import extract_parquet, snapshot_table

    engine = _snapshot(
        f"sqlite:///{small_case_system}", f"sqlite:///{tmp_path / 'w.sqlite'}", tmp_path
    )
    with engine.connect() as conn:
        tables = conn.execute(sa.select(snapshot_table.c.content_hash)).scalars().all()
        with_parquet = conn.execute(sa.select(extract_parquet.c.content_hash)).scalars().all()
    assert len(tables) > 20 and set(with_parquet) == set(tables)

    catalogue, config = load_catalogue(), load_county_config()
    dates = [AS_OF, history_dates(AS_OF)[0]]
    from_csv = stored_module.from_canonical_csv

    def refuse(*args, **kwargs):
        raise AssertionError("a stored table was parsed from its CSV, not read from Parquet")

    monkeypatch.setattr(stored_module, "from_canonical_csv", refuse)
    measure_snapshot(engine, KEY, catalogue, config, as_at_dates=dates)
    from_parquet = _results(engine)

    monkeypatch.setattr(stored_module, "from_canonical_csv", from_csv)
    with engine.begin() as conn:  # as a warehouse that stored its tables before Parquet
        conn.execute(measure_result.delete())
        conn.execute(extract_parquet.delete())
    measure_snapshot(engine, KEY, catalogue, config, as_at_dates=dates)
    assert len(from_parquet) > len(catalogue) and _results(engine) == from_parquet


def test_fast_queries_give_their_references_rows_over_the_generated_history(
    small_case_system, tmp_path
):
    from improvement.measures.workspace import workspace
    from improvement.warehouse.stored import open_snapshot

    engine = _snapshot(
        f"sqlite:///{small_case_system}", f"sqlite:///{tmp_path / 'w.sqlite'}", tmp_path
    )
    measures = [m for m in load_catalogue().values() if m.reference_sql]
    assert len(measures) >= 6
    queries = [q for m in measures for q in (m.sql, m.reference_sql)]
    with (
        engine.begin() as conn,
        workspace(
            conn, open_snapshot(conn, KEY), history_dates(AS_OF), load_county_config(), queries
        ) as ws,
    ):
        for measure in measures:
            assert ws.rows(f"select count(*) from ({measure.reference_sql})")[0][0] > 100
            assert_as_reference(ws, measure)
