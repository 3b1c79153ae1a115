"""Scripted reviewers who give up end the run they were answering, naming the step, instead of
leaving ``dag.test`` waiting for input forever."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from improvement.demo_reviewers import Answer
from tests.reviewers import reviewers_answering


def test_reviewers_who_give_up_end_the_waiting_run_naming_the_step_they_waited_for(
    airflow_db, measured_county, tmp_path, monkeypatch
):
    import json
    import shutil

    import sqlalchemy as sa
    from airflow.dag_processing.dagbag import DagBag

    from improvement.generator.plan import write_plan_register
    from improvement.warehouse.migrate import upgrade_warehouse

    shutil.copy(sa.make_url(measured_county).database, tmp_path / "warehouse.sqlite")
    url = f"sqlite:///{tmp_path / 'warehouse.sqlite'}"
    upgrade_warehouse(sa.create_engine(url))
    monkeypatch.setenv(
        "AIRFLOW_CONN_WAREHOUSE",
        json.dumps({"conn_type": "generic", "extra": {"sqlalchemy_url": url}}),
    )
    monkeypatch.setenv("IMPROVEMENT_DATA_DIR", str(tmp_path / "data"))
    plan = write_plan_register(tmp_path / "plan.csv", 7, dt.date(2026, 11, 15))
    monkeypatch.setenv("IMPROVEMENT_PLAN_REGISTER", str(plan))
    dag = DagBag(dag_folder="dags/monthly_governance.py").dags["monthly_governance"]

    # The analyst's step is asked for and waits; the script waits for another step that
    # never comes, and gives up after 40 s.
    never_asked = Answer("round_9.analyst", "analyst", "OK", {})
    started = time.monotonic()
    with (
        pytest.raises(AssertionError, match=r"gave up .* waiting for step round_9\.analyst"),
        reviewers_answering("monthly_governance", [never_asked], time.monotonic() + 40),
    ):
        run = dag.test(logical_date=dt.datetime(2026, 11, 5, 7, tzinfo=dt.UTC))
    assert run.state == "failed"
    assert time.monotonic() - started < 300
