"""Sustained load (issue 8): a two-year weekly backfill, 104 runs, four at a time, on
``airflow standalone`` with PostgreSQL for Airflow and the warehouse. Every task succeeds, no
row is duplicated, and every result equals the one computed for the same week in the
warehouse's single sequential history pass. About 15 minutes on a 2-core machine, so it is
not in the default run: ``./scripts/test -m soak tests/e2e/test_sustained_backfill.py``
(results in docs/reliability.md)."""

from __future__ import annotations

import datetime as dt
import subprocess

import httpx
import pytest
import sqlalchemy as sa

from improvement.connections import DatabaseTarget
from improvement.county import load_county_config
from improvement.measures.catalogue import load_catalogue
from improvement.measures.run import measure_snapshot
from improvement.warehouse.tables import measure_result, pipeline_run, snapshot
from tests.conftest import AS_OF
from tests.e2e.airflow import airflow_standalone, token
from tests.integration.helpers import fresh_database, new_warehouse, run_week

# About eight minutes of work, with the backfill command waiting up to an hour.
pytestmark = [pytest.mark.soak, pytest.mark.timeout(4200)]
WEEKS = 104
FIRST_WEEK = AS_OF - dt.timedelta(weeks=WEEKS - 1)


def _results(engine: sa.Engine) -> list[tuple]:
    columns = [c for c in measure_result.c if c.name != "computed_at"]
    with engine.connect() as conn:
        return sorted(map(tuple, conn.execute(sa.select(*columns)).all()))


def test_a_two_year_backfill_four_runs_at_a_time_matches_the_sequential_history(
    small_case_system, postgres_url, tmp_path
):
    from improvement.generator.plan import write_plan_register

    warehouse = new_warehouse(fresh_database(postgres_url, "soak_warehouse"))
    case_system = DatabaseTarget.from_url(f"sqlite:///{small_case_system}")
    run_week(case_system, warehouse, tmp_path / "seed", AS_OF)  # the latest week, as installed
    engine = warehouse.engine()
    measure_snapshot(engine, f"weekly/{AS_OF}", load_catalogue(), load_county_config())
    sequential = _results(engine)  # two years measured in one sequential pass

    plan = write_plan_register(tmp_path / "plan.csv", 7, AS_OF)
    with airflow_standalone(
        tmp_path, str(warehouse.url), plan, f"sqlite:///{small_case_system}",
        fresh_database(postgres_url, "soak_airflow"),
    ) as (base, env):  # fmt: skip
        done = subprocess.run(
            ["improvement", "backfill", "--first-week", str(FIRST_WEEK), "--last-week",
             str(AS_OF), "--max-active-runs", "4", "--wait", "--timeout", "3600"],
            env=env, capture_output=True, text=True, timeout=4000,
        )  # fmt: skip
        assert done.returncode == 0, done.stdout + done.stderr
        assert f"'success': {WEEKS}" in done.stdout, done.stdout
        runs = [  # the API gives at most 100 a page
            run
            for offset in (0, 100)
            for run in httpx.get(
                f"{base}/api/v2/dags/weekly_performance/dagRuns", headers=token(base),
                params={"limit": 100, "offset": offset},
            ).json()["dag_runs"]
        ]  # fmt: skip
        assert len(runs) == WEEKS
        failed = []
        for run in runs:
            tasks = httpx.get(
                f"{base}/api/v2/dags/weekly_performance/dagRuns/{run['dag_run_id']}"
                "/taskInstances", headers=token(base),
            ).json()["task_instances"]  # fmt: skip
            failed += [(run["dag_run_id"], t["task_id"]) for t in tasks if t["state"] != "success"]
            failed += [(run["dag_run_id"], t["task_id"]) for t in tasks if t["try_number"] != 1]
        assert failed == []  # no task failed, none even needed a retry

    with engine.connect() as conn:
        keys = conn.execute(sa.select(snapshot.c.snapshot_key)).scalars().all()
        runs_recorded = conn.execute(sa.select(sa.func.count()).select_from(pipeline_run)).scalar()
    assert sorted(keys) == [f"weekly/{FIRST_WEEK + dt.timedelta(weeks=n)}" for n in range(WEEKS)]
    assert runs_recorded == WEEKS + 1  # the backfill's runs and the installing run
    assert _results(engine) == sequential  # same rows, same values, nothing added twice
