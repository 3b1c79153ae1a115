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


# A busy api-server (two cores running a scheduler, workers and the suite) can take many
# seconds to answer; every call waits this long, and reads are retried until the deadline.
CALL_TIMEOUT = 30


def token(base: str, user: str = "analyst") -> dict:
    """Bearer headers for ``user`` (demo password), asked for up to three times."""
    for attempt in range(3):
        try:
            reply = httpx.post(
                f"{base}/auth/token",
                json={"username": user, "password": f"{user}-password"},
                timeout=CALL_TIMEOUT,
            )
            reply.raise_for_status()
            return {"Authorization": f"Bearer {reply.json()['access_token']}"}
        except httpx.TransportError as error:
            if attempt == 2:
                pytest.fail(f"no token for {user} from {base}/auth/token: {error!r}")
    raise AssertionError("unreachable")


class AirflowAPI:
    """The REST API of a test's Airflow, every call bounded by the test's ``deadline`` (a
    ``time.monotonic()``): reads are retried while the api-server is slow or restarting, and
    a wait that runs out fails naming what it waited for."""

    def __init__(self, base: str, deadline: float, user: str = "analyst"):
        self.base, self.deadline, self.user = base, deadline, user
        self._headers: dict | None = None

    def _auth(self) -> dict:
        if self._headers is None:
            self._headers = token(self.base, self.user)
        return self._headers

    def get(self, path: str, **params) -> dict:
        last = None
        while time.monotonic() < self.deadline:
            try:
                reply = httpx.get(
                    f"{self.base}{path}", params=params, headers=self._auth(),
                    timeout=CALL_TIMEOUT,
                )  # fmt: skip
                if reply.status_code == 401:  # token expired: log in again
                    self._headers = None
                    continue
                if reply.status_code < 500:
                    reply.raise_for_status()
                    return reply.json()
                last = f"HTTP {reply.status_code}"
            except httpx.TransportError as error:
                last = repr(error)
            time.sleep(1)
        pytest.fail(f"GET {path} got no answer before the test's deadline (last: {last})")

    def post(self, path: str, body: dict) -> httpx.Response:
        """One request: a POST is not repeated (it may have been applied)."""
        return httpx.post(
            f"{self.base}{path}", json=body, headers=self._auth(), timeout=CALL_TIMEOUT
        )

    def trigger(self, dag_id: str, run_id: str, logical_date: str) -> None:
        reply = self.post(
            f"/api/v2/dags/{dag_id}/dagRuns", {"dag_run_id": run_id, "logical_date": logical_date}
        )
        assert reply.status_code == 200, f"triggering {dag_id}: {reply.status_code} {reply.text}"

    def wait_for_run(self, dag_id: str, run_id: str, interval: float = 3) -> str:
        """The run's final state; fails, with its tasks' states, if it is still going at the
        test's deadline."""
        path = f"/api/v2/dags/{dag_id}/dagRuns/{run_id}"
        while True:
            state = self.get(path)["state"]
            if state in ("success", "failed"):
                return state
            if time.monotonic() + interval >= self.deadline:
                tasks = self.get(f"{path}/taskInstances")["task_instances"]
                pytest.fail(
                    f"{dag_id} run {run_id} still {state} at the test's deadline: "
                    f"{ {t['task_id']: t['state'] for t in tasks} }"
                )
            time.sleep(interval)


def wait_for_executor_report(
    log: Path, dag_id: str, run_id: str, task_id: str, deadline: float
) -> None:
    """Until the scheduler has processed the executor's report that the task's process ended
    (its "Received executor event" line in the standalone log). A human-in-the-loop step must
    not be answered before: the report of the parked process would then race the resumed task.
    Fails naming the task if the report has not come by the test's deadline."""
    expected = (
        "Received executor event with state success for task instance "
        f"TaskInstanceKey(dag_id='{dag_id}', task_id='{task_id}', run_id='{run_id}',"
    )
    while time.monotonic() < deadline:
        if expected in log.read_text(errors="replace"):
            return
        time.sleep(0.5)
    pytest.fail(f"the scheduler never reported {task_id}'s parked process ended: see {log}")


@contextlib.contextmanager
def airflow_standalone(
    root: Path,
    warehouse_url: str,
    plan: Path,
    case_system_url: str | None = None,
    metadata_url: str | None = None,
    extra_env: dict[str, str] | None = None,
    deadline: float | None = None,
) -> Iterator[tuple[str, dict]]:
    """Start Airflow with the project's DAGs on these connections; yields its base URL and the
    environment (for ``airflow`` and ``improvement`` commands against it). Only runs the tests
    create are run: no scheduled runs beside them. Airflow's own database is SQLite unless
    ``metadata_url`` names another (PostgreSQL lets a second process, such as the ``airflow
    backfill`` command, write beside the scheduler, as in production). ``extra_env`` adds or
    overrides settings (such as Airflow's heartbeat timeout). Starting waits until ``deadline`` (a
    ``time.monotonic()``; at most five minutes)."""
    home = root / "airflow"
    home.mkdir()
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "AIRFLOW_HOME": str(home),
        "PYTHONUNBUFFERED": "1",  # the log is read while it runs (wait_for_executor_report)
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": metadata_url or f"sqlite:///{home / 'airflow.db'}",
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
        "AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": "False",
        "AIRFLOW__API__PORT": str(port),
        # Two standalones side by side (one per test worker) each need their own log servers.
        "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(_free_port()),
        "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(_free_port()),
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
    subprocess.run(
        ["airflow", "db", "migrate"], env=env, check=True, capture_output=True, timeout=300
    )
    log = (root / "standalone.log").open("w")
    process = subprocess.Popen(
        ["airflow", "standalone"], env=env, stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip
    try:
        started, headers = time.monotonic(), None
        ready_by = min(started + 300, deadline or started + 300)
        while True:
            try:
                health = httpx.get(f"{base}/api/v2/monitor/health", timeout=10).json()
                ready = all(
                    health.get(part, {}).get("status") == "healthy"
                    for part in ("metadatabase", "scheduler", "dag_processor", "triggerer")
                )
                if ready:
                    headers = headers or token(base)
                    if all(
                        httpx.get(f"{base}/api/v2/dags/{dag}", headers=headers, timeout=10)
                        .status_code == 200
                        for dag in ("weekly_performance", "monthly_governance")
                    ):  # fmt: skip
                        break
            except (httpx.HTTPError, ValueError):
                pass
            if process.poll() is not None:
                pytest.fail(
                    f"airflow standalone exited while starting: see {root / 'standalone.log'}"
                )
            if time.monotonic() > ready_by:
                pytest.fail(
                    f"airflow standalone not ready (health and DAGs) after "
                    f"{time.monotonic() - started:.0f} s: see {root / 'standalone.log'}"
                )
            time.sleep(2)
        yield base, env
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        log.close()
