"""A month chosen by name: which month a monthly_governance run reports on."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pendulum
import pytest
import sqlalchemy as sa

from improvement.monthly import MONTH_PARAM, chosen_month
from improvement.warehouse.migrate import upgrade_warehouse
from improvement.warehouse.tables import snapshot


@pytest.fixture
def warehouse(tmp_path):
    """A warehouse whose only weekly snapshot is the week ending Sunday 15 November 2026."""
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'warehouse.sqlite'}")
    upgrade_warehouse(engine)
    moment = dt.datetime(2026, 11, 16, 6, tzinfo=dt.UTC)
    with engine.begin() as conn:
        conn.execute(
            snapshot.insert(),
            {"snapshot_key": "weekly/2026-11-15", "cadence": "weekly",
             "snapshot_date": dt.date(2026, 11, 15), "data_interval_start": moment,
             "data_interval_end": moment, "extract_hash": "0" * 64, "source": "test",
             "written_at": moment},
        )  # fmt: skip
    return engine


def _context(run_type: str, day: dt.date, month: str | None = None) -> dict:
    moment = pendulum.datetime(day.year, day.month, day.day, 7, tz="Europe/London")
    return {
        "params": {MONTH_PARAM: month},
        "data_interval_end": moment,
        "dag_run": SimpleNamespace(run_type=run_type, run_after=moment),
    }


@pytest.mark.parametrize(
    ("run_type", "day", "month", "reported"),
    [
        ("manual", dt.date(2026, 12, 20), "2026-09", dt.date(2026, 9, 30)),  # named: that month
        ("scheduled", dt.date(2026, 12, 5), "2026-02", dt.date(2026, 2, 28)),
        # Empty, manual: the last complete month with a snapshot taken after its end. In
        # December November has none yet, so October (not a month no snapshot can report).
        ("manual", dt.date(2026, 12, 20), None, dt.date(2026, 10, 31)),
        ("manual", dt.date(2026, 11, 20), None, dt.date(2026, 10, 31)),
        # Empty, scheduled: the month before the run, as always (prepare fails, saying which
        # snapshot is missing, if the weekly run has not stored it).
        ("scheduled", dt.date(2026, 12, 5), None, dt.date(2026, 11, 30)),
    ],
)
def test_the_month_reported_on(warehouse, run_type, day, month, reported):
    assert chosen_month(_context(run_type, day, month), warehouse) == reported


def test_the_trigger_form_asks_for_the_month_and_refuses_one_not_given_as_yyyy_mm():
    from airflow.dag_processing.dagbag import DagBag
    from airflow.sdk.definitions.param import ParamValidationError

    dag = DagBag(dag_folder="dags/monthly_governance.py").dags["monthly_governance"]
    form = dag.params.get_param(MONTH_PARAM)
    assert form.resolve("2026-09") == "2026-09"
    assert form.resolve(None) is None
    for wrong in ("2026/09", "2026-13", "September", "2026-9"):
        with pytest.raises(ParamValidationError):
            form.resolve(wrong)
    assert "Packs page" in form.schema["description_md"]
    assert dag.is_paused_upon_creation is False
