"""Hand-built cohorts for measure tests, computed beside a SQLite and a PostgreSQL warehouse.

``measure(engine_name)`` gives a function ``compute(measure_id, tables, as_at)``: ``tables``
maps SSD/extension table names to lists of row dicts (dates as ``YYYY-MM-DD`` strings or
``date`` objects; unspecified columns are missing), ``as_at`` is one date or a list. It
returns the results frame (``as_at``, ``breakdown``, ``breakdown_value``, ``numerator``,
``denominator``, ``value``). Every test using it runs on both engines. For a measure with a
``reference.sql`` it first checks that the fast query gives exactly the reference's rows on
the cohort: every cohort test of such a measure is also a test of its fast query.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
import sqlalchemy as sa

from improvement.county import CountyConfig, Team
from improvement.measures.catalogue import load_catalogue
from improvement.measures.engine import compute_measure
from improvement.measures.workspace import WORK_TABLES, workspace
from improvement.ssd.canonical import canonical_table
from improvement.warehouse.migrate import upgrade_warehouse
from tests.measures.references import assert_as_reference

TEAMS = (
    Team("T1", "North Initial Response", "North", "Initial Response"),
    Team("T2", "North Children and Families", "North", "Children and Families"),
    Team("T3", "South Permanency and Transition", "South", "Permanency and Transition"),
)
CONFIG = CountyConfig(
    child_population_0_17=10_000,
    allocated_worker_roles=("Allocated Social Worker",),
    supervision_interval_days=28,
    teams=TEAMS,
)
CATALOGUE = load_catalogue()


def frames_from_rows(tables: dict[str, list[dict]]) -> dict[str, pd.DataFrame]:
    """Canonical frames, as a snapshot holds them, from hand-written rows."""
    frames = {}
    for name, rows in tables.items():
        columns = [c.name for c in WORK_TABLES[name].extracted]
        unknown = {key for row in rows for key in row} - set(columns)
        assert not unknown, f"{name} has no column(s) {sorted(unknown)}"
        raw = pd.DataFrame(
            [{c: row.get(c) for c in columns} for row in rows], columns=columns, dtype=object
        )
        # The same canonical form the extract gives: placeholders become missing.
        frames[name] = canonical_table(raw, list(WORK_TABLES[name].extracted)).frame
    return frames


@pytest.fixture(scope="session")
def sqlite_warehouse(tmp_path_factory):
    engine = sa.create_engine(f"sqlite:///{tmp_path_factory.mktemp('wh') / 'warehouse.sqlite'}")
    upgrade_warehouse(engine)
    return engine


@pytest.fixture(scope="session")
def postgresql_warehouse(postgres_url):
    engine = sa.create_engine(postgres_url)
    with engine.begin() as conn:
        conn.execute(sa.text("drop schema if exists measures_test cascade"))
        conn.execute(sa.text("create schema measures_test"))
    engine = sa.create_engine(postgres_url, connect_args={"options": "-csearch_path=measures_test"})
    upgrade_warehouse(engine)
    return engine


@pytest.fixture(params=["sqlite", "postgresql"])
def compute(request):
    engine = request.getfixturevalue(f"{request.param}_warehouse")

    def run(measure_id: str, tables: dict[str, list[dict]], as_at, config=CONFIG) -> pd.DataFrame:
        dates = [as_at] if isinstance(as_at, dt.date) else list(as_at)
        measure = CATALOGUE[measure_id]
        # Only the columns the measure's SQL names are loaded, as in a measure run.
        frames = frames_from_rows(tables)
        queries = [measure.sql, *([measure.reference_sql] if measure.reference_sql else [])]
        with (
            engine.begin() as conn,
            workspace(conn, frames, dates, config, queries=queries) as ws,
        ):
            if measure.reference_sql:
                assert_as_reference(ws, measure)
            return compute_measure(ws, measure, dates, config)

    return run


def overall(results: pd.DataFrame, as_at: dt.date | None = None) -> tuple:
    """(numerator, denominator, value) for the whole county on one as-at date."""
    rows = results[results["breakdown"] == "all"]
    if as_at is not None:
        rows = rows[rows["as_at"] == as_at]
    [row] = rows.itertuples()
    return row.numerator, row.denominator, row.value
