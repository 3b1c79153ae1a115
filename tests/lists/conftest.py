"""Hand-built cohorts for the weekly lists, run on SQLite and on PostgreSQL alike.

``lists(tables, as_at)`` loads ``tables`` (table name -> row dicts, as in
``tests/measures/conftest.py``) into a workspace as at ``as_at`` and returns
``(oversight, worklists)``: the oversight frames by list id and the stacked worklist.
``lists.measure(measure_id, tables, as_at)`` computes a measure on the same engine, to check
that a list holds exactly the records its measure counts. Every test using it runs on both
engines.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from improvement.lists import load_lists
from improvement.lists.weekly import compute_lists
from improvement.measures.catalogue import load_catalogue
from improvement.measures.engine import compute_measure
from improvement.measures.workspace import workspace
from improvement.warehouse.migrate import upgrade_warehouse
from tests.measures.conftest import CONFIG, frames_from_rows

DEFINITIONS = load_lists()
MEASURES = load_catalogue()


@pytest.fixture(scope="session")
def lists_sqlite(tmp_path_factory):
    engine = sa.create_engine(f"sqlite:///{tmp_path_factory.mktemp('lists') / 'warehouse.sqlite'}")
    upgrade_warehouse(engine)
    return engine


@pytest.fixture(scope="session")
def lists_postgresql(postgres_url):
    with sa.create_engine(postgres_url).begin() as conn:
        conn.execute(sa.text("drop schema if exists lists_test cascade"))
        conn.execute(sa.text("create schema lists_test"))
    engine = sa.create_engine(postgres_url, connect_args={"options": "-csearch_path=lists_test"})
    upgrade_warehouse(engine)
    return engine


@pytest.fixture(params=["sqlite", "postgresql"])
def lists(request):
    engine = request.getfixturevalue(f"lists_{request.param}")

    def run(tables: dict[str, list[dict]], as_at, config=CONFIG, definitions=DEFINITIONS):
        with engine.begin() as conn:
            return compute_lists(conn, frames_from_rows(tables), as_at, config, definitions)

    def measure(measure_id: str, tables: dict[str, list[dict]], as_at, config=CONFIG):
        """(numerator, denominator) for the whole county on ``as_at``."""
        with (
            engine.begin() as conn,
            workspace(conn, frames_from_rows(tables), [as_at], config) as ws,
        ):
            results = compute_measure(ws, MEASURES[measure_id], [as_at], config)
        [row] = results[results["breakdown"] == "all"].itertuples()
        return row.numerator, row.denominator

    run.measure = measure
    return run


def allocation(inv_id, person_id, team, start="2020-01-01", end=None, worker="W1"):
    """An allocated-social-worker involvement."""
    return {
        "invo_involvements_id": inv_id,
        "invo_person_id": person_id,
        "invo_professional_id": worker,
        "invo_professional_role_id": "Allocated Social Worker",
        "invo_professional_team": team,
        "invo_involvement_start_date": start,
        "invo_involvement_end_date": end,
    }


def person(person_id, forename="A", surname="B", dob="2015-01-01", **extra):
    return {
        "pers_person_id": person_id,
        "pers_forename": forename,
        "pers_surname": surname,
        "pers_dob": dob,
        "pers_ethnicity": "WBRI",
        **extra,
    }


def problems(worklists, check_id):
    """{(team_id, person_id, record_id): problem} for one check."""
    rows = worklists[worklists["check_id"] == check_id]
    return {(r.team_id, r.person_id, r.record_id): r.problem for r in rows.itertuples()}
