"""The CeleryExecutor for real (issue 22): Redis, PostgreSQL, ``docker/init.sh``, the API server,
scheduler, dag-processor and two ``airflow celery worker`` processes on this machine, each with
its service's environment from docker-compose.yml. ``regional_weekly`` runs two councils' weeks
across both workers; one worker is killed with SIGKILL (it and every process it started, as
when its machine dies) while it is part-way through a council's extract, with that council's
people's names and dates of birth staged on disk. Airflow notices the missing heartbeat and
the other worker runs the extract again; the week completes with exactly what an undisturbed
run writes, and no staged personal data is left behind.

Run on its own: ``./scripts/test -m celery tests/e2e/test_celery.py``."""

from __future__ import annotations

import json
import re
import shutil
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
import yaml

from improvement.connections import DatabaseTarget
from improvement.county import load_county_config
from improvement.extract import PARTIAL_MARK
from improvement.measures.catalogue import load_catalogue
from improvement.measures.run import measure_snapshot
from improvement.warehouse.tables import metadata
from tests.conftest import AS_OF
from tests.e2e.celery_cluster import (
    ROOT,
    ancestors,
    celery_airflow,
    filled_dotenv,
    holder_of,
    kill_tree,
    redis_server,
    request,
    wait_for,
)
from tests.integration.helpers import fresh_database, new_warehouse, run_week

pytestmark = [pytest.mark.celery, pytest.mark.postgres, pytest.mark.airflow]

COUNCILS = ("northshire", "southshire")
DAG = "regional_weekly"
RUN_ID = f"celery__{AS_OF}"
RUN = f"/api/v2/dags/{DAG}/dagRuns/{RUN_ID}"
EXTRACT = "council_week.extract"
# What differs between any two runs of the same week: times, and where and by what it ran.
VARYING = {
    "written_at", "finished_at", "extract_started_at", "computed_at", "extract_seconds",
    "validate_seconds", "snapshot_seconds", "source", "dag_id", "run_id",
}  # fmt: skip


def _contents(target: DatabaseTarget) -> dict[str, list]:
    """Every row of every warehouse table, less what varies from run to run, sorted."""
    engine = target.engine()
    try:
        with engine.connect() as conn:
            return {
                table.name: sorted(
                    tuple(map(repr, row))
                    for row in conn.execute(
                        sa.select(*[c for c in table.c if c.name not in VARYING])
                    )
                )
                for table in metadata.sorted_tables
            }
    finally:
        engine.dispose()


def _region(root: Path, small_case_system: Path, warehouse_url: str, password: str):
    """The region file, each council's configuration (the project's own files) and case system
    (a copy of the small county), and the councils' connections as the workers get them: each
    council's warehouse a schema of one PostgreSQL database."""
    folder = root / "region"
    connections = {}
    for council_id in COUNCILS:
        config = folder / "councils" / council_id
        config.mkdir(parents=True)
        # code_mappings.yaml too: each case system is a copy of the demo county's, which writes
        # its own wording (foster placements as F1-F6); without it they count as unknown codes.
        for name in ("county.yaml", "governance.yaml", "code_mappings.yaml"):
            shutil.copy(ROOT / "config" / name, config / name)
        case_system = root / f"{council_id}_case_system.sqlite"
        shutil.copy(small_case_system, case_system)
        connections[f"AIRFLOW_CONN_CASE_SYSTEM__{council_id.upper()}"] = json.dumps(
            {"conn_type": "generic", "extra": {"sqlalchemy_url": f"sqlite:///{case_system}"}}
        )
        connections[f"AIRFLOW_CONN_WAREHOUSE__{council_id.upper()}"] = json.dumps(
            {"conn_type": "generic", "password": password,
             "extra": {"sqlalchemy_url": warehouse_url, "schema": council_id}}
        )  # fmt: skip
    region_file = folder / "region.yaml"
    region_file.write_text(
        yaml.safe_dump(
            {
                "region_name": "Celery Test Alliance",
                "councils": [{"id": c, "name": f"{c.title()} Council"} for c in COUNCILS],
            }
        )
    )
    return region_file, connections


def _mid_extract(data: Path) -> Path | None:
    """A council's extract part-way through: its partial staging folder (in the run's own
    folder name, ``<date>.<run>``, ``improvement.pipeline.staging_path``) once the people table
    (names, dates of birth) is written whole and the next table has begun."""
    for partial in sorted(data.glob(f"councils/*/staging/weekly/{AS_OF}.*{PARTIAL_MARK}*")):
        try:
            files = {p.name for p in partial.iterdir()}
        except FileNotFoundError:  # that extract has just finished: its folder was renamed
            continue
        if "ssd_person.csv.gz" in files and len(files) > 1:
            return partial
    return None


def _staged_files(data: Path) -> list[Path]:
    return sorted(p for p in data.glob("councils/*/staging/**/*") if p.is_file())


def _workloads(log: Path) -> list[tuple[str, int, int]]:
    """(task id, map index, try number) of every task instance a worker was given, from its
    log's "Executing workload" lines."""
    found = re.findall(
        r"Executing workload in Celery: .*? task_id='([^']+)'.*? try_number=(\d+).*? "
        r"map_index=(-?\d+)",
        log.read_text(),
    )
    return [(task, int(index), int(attempt)) for task, attempt, index in found]


@pytest.mark.timeout(1200)
def test_a_celery_worker_killed_mid_extract_loses_no_week(
    small_case_system, postgres_url, tmp_path
):
    from improvement.generator.plan import write_plan_register

    started = time.monotonic()
    # What an undisturbed run of the week writes (the same steps, run directly).
    reference = new_warehouse(fresh_database(postgres_url, "celery_reference"))
    run_week(
        DatabaseTarget.from_url(f"sqlite:///{small_case_system}"), reference,
        tmp_path / "reference", AS_OF,
    )  # fmt: skip
    engine = reference.engine()
    measure_snapshot(engine, f"weekly/{AS_OF}", load_catalogue(), load_county_config())
    engine.dispose()
    expected = _contents(reference)

    warehouse_url = fresh_database(postgres_url, "celery_warehouse")
    values = filled_dotenv({"WAREHOUSE_URL": warehouse_url, "AIRFLOW_WORKER_CONCURRENCY": "1"})
    region_file, connections = _region(
        tmp_path, small_case_system, warehouse_url, values["WAREHOUSE_DB_PASSWORD"]
    )
    for council_id in COUNCILS:
        write_plan_register(
            tmp_path / "improvement" / "plan" / council_id / "improvement_plan.csv", 7, AS_OF
        )
    settings = {
        "IMPROVEMENT_REGION_CONFIG": str(region_file),
        # Only the run this test makes; a dead worker's task noticed in 20 s, not 5 minutes.
        "AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": "False",
        "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT": "20",
        "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT_DETECTION_INTERVAL": "2",
        "IMPROVEMENT_RETRY_DELAY": "1",
    }
    with (
        redis_server(tmp_path, values["REDIS_PASSWORD"]) as broker,
        celery_airflow(
            tmp_path, values, fresh_database(postgres_url, "celery_airflow"), broker,
            settings, connections,
        ) as cluster,
    ):  # fmt: skip
        ready = time.monotonic()
        data = Path(cluster.services["airflow-worker"]["IMPROVEMENT_DATA_DIR"])
        headers = cluster.headers()

        def parsed() -> bool:
            return request("GET", f"{cluster.base}/api/v2/dags/{DAG}", headers=headers).is_success

        wait_for(f"the dag-processor to parse {DAG}", parsed, 180, 2)
        # The DAGs start paused (docker-compose.yml), as in production: unpause, then run.
        reply = request("PATCH", f"{cluster.base}/api/v2/dags/{DAG}", headers=headers,
                        json={"is_paused": False})  # fmt: skip
        assert reply.status_code == 200, reply.text
        reply = request(
            "POST", f"{cluster.base}/api/v2/dags/{DAG}/dagRuns", headers=headers,
            json={"dag_run_id": RUN_ID, "logical_date": "2026-11-16T06:00:00Z"},
        )  # fmt: skip
        assert reply.status_code == 200, reply.text

        partial = wait_for(
            "a council's extract to be part-way, its people staged",
            lambda: _mid_extract(data), 300, 0.02,
        )  # fmt: skip
        task_process = holder_of(partial)
        assert task_process, f"no process holds the partial staging folder {partial.name}"
        lineage = ancestors(task_process)
        killed = next(
            (n for n in ("w1", "w2") if cluster.components[n].process.pid in lineage), None
        )
        assert killed, f"the extract's process {task_process} belongs to neither worker"
        survivor = next(name for name in ("w1", "w2") if name != killed)
        kill_tree(cluster.components[killed])
        assert partial.is_dir(), "the extract finished before the worker was killed"
        council = partial.relative_to(data).parts[1]
        index = COUNCILS.index(council)

        states: dict = {}

        def finished() -> bool:
            states.update(request("GET", f"{cluster.base}{RUN}", headers=headers).json())
            return states["state"] in ("success", "failed")

        wait_for(f"{DAG} run {RUN_ID} to finish after {killed} was killed", finished, 600, 3)
        instances = request("GET", f"{cluster.base}{RUN}/taskInstances", headers=headers).json()[
            "task_instances"
        ]
        tries = request(
            "GET", f"{cluster.base}{RUN}/taskInstances/{EXTRACT}/{index}/tries", headers=headers
        ).json()["task_instances"]
        summary = request(
            "GET", f"{cluster.base}{RUN}/taskInstances/summary/xcomEntries/return_value",
            headers=headers,
        ).json()["value"]  # fmt: skip
        logs = {name: cluster.components[name].log for name in ("w1", "w2")}
        finished_at = time.monotonic()

    print(
        f"Celery run: {ready - started:.0f} s to a healthy cluster, "
        f"{finished_at - ready:.0f} s for the week with {killed} killed, "
        f"{time.monotonic() - started:.0f} s in all"
    )
    by_task = {(t["task_id"], t["map_index"]): t for t in instances}
    assert states["state"] == "success", {k: t["state"] for k, t in by_task.items()}
    assert all(t["state"] == "success" for t in instances), by_task
    # The killed extract was tried again, once; nothing else needed a second try.
    assert {k: t["try_number"] for k, t in by_task.items() if t["try_number"] != 1} == {
        (EXTRACT, index): 2
    }
    assert [t["state"] for t in sorted(tries, key=lambda t: t["try_number"])] == [
        "failed", "success",
    ]  # fmt: skip
    # Both workers took tasks; the retry ran on the one left standing.
    given = {name: _workloads(log) for name, log in logs.items()}
    assert (EXTRACT, index, 1) in given[killed] and (EXTRACT, index, 2) in given[survivor], given
    every_try = given["w1"] + given["w2"]
    assert len(set(every_try)) == len(every_try) == len(instances) + 1, given  # each try once
    assert summary["councils"] == dict.fromkeys(COUNCILS, "measured")

    # Each council's warehouse holds exactly what an undisturbed run writes: nothing lost,
    # nothing twice (one snapshot, one set of results).
    for council_id in COUNCILS:
        target = DatabaseTarget(sa.make_url(warehouse_url), search_path=council_id)
        assert _contents(target) == expected, council_id

    # The killed worker's staged extract (people's names and dates of birth) is not left behind:
    # the retry removed the partial folder whose lock died with the killed worker.
    left = _staged_files(data)
    assert not left, sorted({str(p.parent.relative_to(data)) for p in left})
