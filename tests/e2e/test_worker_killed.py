"""A worker killed mid-task (issue 8), on ``airflow standalone`` with a PostgreSQL warehouse: the
process running ``measures`` and its task process are killed with SIGKILL while the task's
warehouse transaction is open, as when a machine or container dies. Airflow notices the missing
heartbeat, retries the task, and the week ends with exactly what an undisturbed run writes:
nothing half-written, nothing twice."""

from __future__ import annotations

import os
import signal
import time

import sqlalchemy as sa

from improvement.connections import DatabaseTarget
from improvement.county import load_county_config
from improvement.measures.catalogue import load_catalogue
from improvement.measures.run import measure_snapshot
from improvement.warehouse.tables import measure_result, snapshot
from tests.conftest import AS_OF
from tests.e2e.airflow import AirflowAPI, airflow_standalone
from tests.integration.helpers import fresh_database, new_warehouse, run_week

RUN_ID = "killed__2026-11-15"
TASK = f"/api/v2/dags/weekly_performance/dagRuns/{RUN_ID}/taskInstances"


def _results(engine: sa.Engine) -> list[tuple]:
    columns = [c for c in measure_result.c if c.name != "computed_at"]
    with engine.connect() as conn:
        return sorted(map(tuple, conn.execute(sa.select(*columns)).all()))


def _open_transactions(engine: sa.Engine, database: str) -> int:
    """Sessions on the warehouse database, other than this one, inside a transaction."""
    with engine.connect() as conn:
        return conn.execute(
            sa.text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = :db"
                " AND pid <> pg_backend_pid() AND xact_start IS NOT NULL"
            ),
            {"db": database},
        ).scalar()


def _parent(pid: int) -> int:
    with open(f"/proc/{pid}/stat") as stat:
        return int(stat.read().rsplit(")", 1)[1].split()[1])


def test_a_worker_killed_mid_task_is_retried_and_the_week_is_as_if_undisturbed(
    small_case_system, postgres_url, tmp_path, deadline
):
    from improvement.generator.plan import write_plan_register

    # What an undisturbed run of the week writes (the same steps, run directly).
    undisturbed = new_warehouse(fresh_database(postgres_url, "killed_reference"))
    case_system = DatabaseTarget.from_url(f"sqlite:///{small_case_system}")
    run_week(case_system, undisturbed, tmp_path / "reference", AS_OF)
    measure_snapshot(
        undisturbed.engine(), f"weekly/{AS_OF}", load_catalogue(), load_county_config()
    )
    expected = _results(undisturbed.engine())

    warehouse = new_warehouse(fresh_database(postgres_url, "killed_warehouse"))
    engine = warehouse.engine()
    plan = write_plan_register(tmp_path / "plan.csv", 7, AS_OF)
    settings = {
        "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT": "20",
        "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT_DETECTION_INTERVAL": "2",
        "IMPROVEMENT_RETRY_DELAY": "1",
    }
    with airflow_standalone(
        tmp_path, str(warehouse.url), plan, f"sqlite:///{small_case_system}", extra_env=settings,
        deadline=deadline,
    ) as (base, _env):  # fmt: skip
        api = AirflowAPI(base, deadline)
        api.trigger("weekly_performance", RUN_ID, "2026-11-16T06:00:00Z")

        # Wait until `measures` is running and holds its warehouse transaction open.
        kill_by = min(time.monotonic() + 300, deadline - 120)
        while True:
            measures = api.get(f"{TASK}/measures")
            running = measures.get("state") == "running" and measures.get("pid")
            if running and _open_transactions(engine, warehouse.url.database):
                break
            assert measures.get("state") not in ("success", "failed"), measures
            assert time.monotonic() < kill_by, (
                f"measures never held its warehouse transaction open (last state "
                f"{measures.get('state')})"
            )
            time.sleep(0.05)
        task_process = measures["pid"]
        worker = _parent(task_process)
        for pid in (worker, task_process):
            os.kill(pid, signal.SIGKILL)
        assert measures["try_number"] == 1

        state = api.wait_for_run("weekly_performance", RUN_ID)
        tasks = api.get(TASK)["task_instances"]

    assert state == "success", {t["task_id"]: t["state"] for t in tasks}
    tries = {t["task_id"]: t["try_number"] for t in tasks}
    assert tries["measures"] == 2, tries  # the killed try, then the retry that finished
    assert all(t["state"] == "success" for t in tasks)
    # The killed transaction left nothing: the results are exactly the undisturbed run's.
    assert _results(engine) == expected
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(snapshot)).scalar() == 1
    # The week's outputs were written once, whole: no temporary file is left beside them.
    written = [p for p in (tmp_path / "data").rglob("*") if p.is_file()]
    assert written and not [p for p in written if p.name.endswith(".part")]
    engine.dispose()
