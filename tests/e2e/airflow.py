"""A real Airflow (``airflow standalone``: scheduler, dag-processor, api-server, triggerer) on a
temporary AIRFLOW_HOME, for end-to-end tests; and tokens for its REST API."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def token(base: str, user: str = "analyst") -> dict:
    reply = httpx.post(
        f"{base}/auth/token", json={"username": user, "password": f"{user}-password"}
    )
    reply.raise_for_status()
    return {"Authorization": f"Bearer {reply.json()['access_token']}"}


@contextlib.contextmanager
def airflow_standalone(
    root: Path,
    warehouse_url: str,
    plan: Path,
    case_system_url: str | None = None,
    metadata_url: str | None = None,
    extra_env: dict[str, str] | None = None,
) -> Iterator[tuple[str, dict]]:
    """Start Airflow with the project's DAGs on these connections; yields its base URL and the
    environment (for ``airflow`` and ``improvement`` commands against it). Only runs the tests
    create are run: no scheduled runs beside them. Airflow's own database is SQLite unless
    ``metadata_url`` names another (PostgreSQL lets a second process, such as the ``airflow
    backfill`` command, write beside the scheduler, as in production). ``extra_env`` adds or
    overrides settings (such as Airflow's heartbeat timeout)."""
    home = root / "airflow"
    home.mkdir()
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": metadata_url or f"sqlite:///{home / 'airflow.db'}",
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
        "AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": "False",
        "AIRFLOW__API__PORT": str(port),
        "AIRFLOW__API__BASE_URL": base,
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{base}/execution/",
        "AIRFLOW_CONN_WAREHOUSE": json.dumps(
            {"conn_type": "generic", "extra": {"sqlalchemy_url": warehouse_url}}
        ),
        "IMPROVEMENT_DATA_DIR": str(root / "data"),
        "IMPROVEMENT_PLAN_REGISTER": str(plan),
    }
    env.update(extra_env or {})
    if case_system_url:
        env["AIRFLOW_CONN_CASE_SYSTEM"] = json.dumps(
            {"conn_type": "generic", "extra": {"sqlalchemy_url": case_system_url}}
        )
    subprocess.run(["airflow", "db", "migrate"], env=env, check=True, capture_output=True)
    log = (root / "standalone.log").open("w")
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
                dags_parsed = all(
                    httpx.get(f"{base}/api/v2/dags/{dag}", headers=token(base), timeout=5)
                    .status_code == 200
                    for dag in ("weekly_performance", "monthly_governance")
                )  # fmt: skip
                if ready and dags_parsed:
                    break
            except (httpx.HTTPError, ValueError):
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                pytest.fail(f"airflow standalone did not start: see {root / 'standalone.log'}")
            time.sleep(2)
        yield base, env
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        log.close()
