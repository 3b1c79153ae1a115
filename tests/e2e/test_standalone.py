"""End to end on ``airflow standalone`` (scheduler, dag-processor, api-server, triggerer): a
monthly run triggered over REST, reviewers answering over HTTP with tokens from /auth/token,
packs published and the Slack stand-in receiving them."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from improvement.demo_reviewers import Responder, approve_all
from improvement.governance import load_groups, load_sign_off
from improvement.measures.catalogue import PRIORITY_AREAS
from improvement.warehouse.migrate import upgrade_warehouse
from improvement.warehouse.tables import publication

RUN_ID = "e2e__2026-10"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _token(base: str, user: str = "analyst") -> dict:
    reply = httpx.post(
        f"{base}/auth/token", json={"username": user, "password": f"{user}-password"}
    )
    reply.raise_for_status()
    return {"Authorization": f"Bearer {reply.json()['access_token']}"}


@pytest.fixture
def standalone(measured_county, slack, tmp_path):
    """A real Airflow on a temporary AIRFLOW_HOME, pointed at a copy of the measured county."""
    from improvement.generator.plan import write_plan_register

    home = tmp_path / "airflow"
    home.mkdir()
    warehouse = tmp_path / "warehouse.sqlite"
    shutil.copy(sa.make_url(measured_county).database, warehouse)
    upgrade_warehouse(sa.create_engine(f"sqlite:///{warehouse}"))
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
        # Only the run this test triggers: no scheduled runs of either DAG beside it.
        "AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": "False",
        "AIRFLOW__API__PORT": str(port),
        "AIRFLOW__API__BASE_URL": base,
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{base}/execution/",
        "AIRFLOW_CONN_WAREHOUSE": json.dumps(
            {"conn_type": "generic", "extra": {"sqlalchemy_url": f"sqlite:///{warehouse}"}}
        ),
        "IMPROVEMENT_DATA_DIR": str(tmp_path / "data"),
        "IMPROVEMENT_PLAN_REGISTER": str(
            write_plan_register(tmp_path / "plan.csv", 7, dt.date(2026, 11, 15))
        ),
    }
    subprocess.run(["airflow", "db", "migrate"], env=env, check=True, capture_output=True)
    log = (tmp_path / "standalone.log").open("w")
    process = subprocess.Popen(
        ["airflow", "standalone"], env=env, stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 240
        while True:
            try:
                health = httpx.get(f"{base}/api/v2/monitor/health", timeout=5).json()
                ready = all(
                    health.get(part, {}).get("status") == "healthy"
                    for part in ("metadatabase", "scheduler", "dag_processor", "triggerer")
                )
                if (
                    ready
                    and httpx.get(
                        f"{base}/api/v2/dags/monthly_governance", headers=_token(base), timeout=5
                    ).status_code
                    == 200
                ):
                    break
            except (httpx.HTTPError, ValueError):
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                pytest.fail(f"airflow standalone did not start: see {tmp_path / 'standalone.log'}")
            time.sleep(2)
        yield base, sa.create_engine(f"sqlite:///{warehouse}"), tmp_path / "data"
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        log.close()


def test_monthly_run_on_airflow_standalone_is_signed_off_over_http(standalone, slack):
    base, warehouse, data = standalone
    reply = httpx.post(
        f"{base}/api/v2/dags/monthly_governance/dagRuns",
        headers=_token(base),
        json={"dag_run_id": RUN_ID, "logical_date": "2026-11-05T07:00:00Z"},
    )
    assert reply.status_code == 200, reply.text
    reviewers = Responder(
        "monthly_governance", approve_all("Signed off end to end."), timeout=480, base_url=base,
        run_id=RUN_ID,
    )  # fmt: skip
    reviewers.start()
    deadline, state = time.monotonic() + 600, None
    while time.monotonic() < deadline:
        state = httpx.get(
            f"{base}/api/v2/dags/monthly_governance/dagRuns/{RUN_ID}", headers=_token(base)
        ).json()["state"]
        if state in ("success", "failed"):
            break
        time.sleep(3)
    reviewers.join(timeout=5)
    assert not reviewers.errors, reviewers.errors
    assert [status for _, status in reviewers.responses] == [200, 200, 200]
    assert state == "success"

    with warehouse.connect() as conn:
        published = {row.group_id: row for row in conn.execute(sa.select(publication))}
    groups = load_groups(PRIORITY_AREAS)
    due = {g for g, group in groups.items() if group.cadence == "monthly"}
    assert set(published) == due
    for group_id in due:
        assert (data / "packs" / "2026-10" / "published" / f"{group_id}-2026-10.pdf").exists()
        shares = [
            call for call in slack.calls("files.completeUploadExternal")
            if call.params.get("channel_id") == groups[group_id].slack_channel
        ]  # fmt: skip
        assert len(shares) == 1, group_id
    assert len(slack.messages(load_sign_off().review_channel)) == 3
