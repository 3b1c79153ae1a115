"""Shared fixtures: an isolated Airflow home, a real PostgreSQL server, generated counties.

Airflow reads its configuration at import, so the environment is set here, before any test
module imports it.
"""

from __future__ import annotations

import datetime as dt
import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from improvement.answer_guard import AUDIT_LOG_MASKED_FIELDS

ROOT = Path(__file__).resolve().parents[1]
AIRFLOW_HOME = Path(tempfile.mkdtemp(prefix="improvement-airflow-"))
REVIEWERS = ("analyst", "head_of_service", "chief_officer", "improvement_director")
os.environ.update(
    {
        "AIRFLOW_HOME": str(AIRFLOW_HOME),
        "AIRFLOW__CORE__DAGS_FOLDER": str(ROOT / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(ROOT / "plugins"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{AIRFLOW_HOME / 'airflow.db'}",
        "IMPROVEMENT_DATA_DIR": str(AIRFLOW_HOME / "data"),
        "IMPROVEMENT_RETRY_DELAY": "1",  # seconds between task retries in dag.test runs
        # The demo reviewers of config/governance.yaml, as simple-auth-manager users with known
        # passwords, so tests answer human-in-the-loop steps over the REST API as each of them.
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": ",".join(f"{u}:admin" for u in REVIEWERS),
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(AIRFLOW_HOME / "passwords.json"),
        "AIRFLOW__API_AUTH__JWT_SECRET": "test-secret-of-sufficient-length-for-hs512-signing-0123456789",
        # As every deployment: the audit log keeps "***" for what reviewers type.
        "AIRFLOW__CORE__SENSITIVE_VAR_CONN_NAMES": AUDIT_LOG_MASKED_FIELDS,
    }
)
(AIRFLOW_HOME / "passwords.json").write_text(
    "{" + ", ".join(f'"{u}": "{u}-password"' for u in REVIEWERS) + "}"
)
for variable in (
    "AIRFLOW_CONN_CASE_SYSTEM",
    "AIRFLOW_CONN_WAREHOUSE",
    "AIRFLOW_CONN_SLACK_API_DEFAULT",
):
    os.environ.pop(variable, None)

AS_OF = dt.date(2026, 11, 15)  # a Sunday: the week ending it is run on Monday 2026-11-16


def pytest_sessionfinish(session, exitstatus):
    shutil.rmtree(AIRFLOW_HOME, ignore_errors=True)


@pytest.fixture(scope="session")
def airflow_db() -> Path:
    """Airflow's metadata database, migrated once for the session."""
    subprocess.run(
        [str(Path(sys.executable).parent / "airflow"), "db", "migrate"],
        check=True,
        capture_output=True,
        env=os.environ.copy(),
    )
    return AIRFLOW_HOME


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def postgres_url():
    """A throwaway PostgreSQL server from the Debian packages (scripts/test installs them)."""
    initdb = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not initdb:
        pytest.fail("PostgreSQL server binaries not found: run the tests through scripts/test")
    bindir = Path(initdb[-1]).parent
    datadir = Path(tempfile.mkdtemp(prefix="improvement-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:  # initdb refuses to run as root: use the packages' postgres user
        shutil.chown(datadir, "postgres", "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    port = _free_port()
    subprocess.run(
        [
            *as_user,
            str(bindir / "initdb"),
            "-D",
            str(datadir / "db"),
            "-A",
            "trust",
            "-U",
            "postgres",
        ],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [
            *as_user,
            str(bindir / "pg_ctl"),
            "-D",
            str(datadir / "db"),
            "-w",
            "-l",
            str(datadir / "server.log"),
            "-o",
            f"-p {port} -k {datadir} -c listen_addresses=127.0.0.1",
            "start",
        ],
        check=True,
        capture_output=True,
    )
    try:
        yield f"postgresql+psycopg2://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            [
                *as_user,
                str(bindir / "pg_ctl"),
                "-D",
                str(datadir / "db"),
                "-m",
                "immediate",
                "stop",
            ],
            capture_output=True,
        )
        shutil.rmtree(datadir, ignore_errors=True)


@pytest.fixture(scope="session")
def small_county():
    """A generated county at 5 % scale: every table filled, quick to extract."""
    from improvement.generator import generate_county

    return generate_county(seed=7, as_of=AS_OF, scale=0.05)


@pytest.fixture(scope="session")
def small_case_system(small_county, tmp_path_factory) -> Path:
    """The small county loaded into a SQLite case-system file (copy it before changing it)."""
    from improvement.generator import load_case_system

    path = tmp_path_factory.mktemp("case-system") / "case_system.sqlite"
    load_case_system(small_county, f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def measured_county(small_case_system, tmp_path_factory):
    """A warehouse holding the small county's snapshot and measured history (its URL)."""
    from improvement.connections import DatabaseTarget
    from improvement.county import load_county_config
    from improvement.measures.catalogue import load_catalogue
    from improvement.measures.run import measure_snapshot
    from tests.integration.helpers import new_warehouse, run_week

    root = tmp_path_factory.mktemp("measured-county")
    warehouse = new_warehouse(f"sqlite:///{root / 'warehouse.sqlite'}")
    run_week(DatabaseTarget.from_url(f"sqlite:///{small_case_system}"), warehouse, root, AS_OF)
    engine = warehouse.engine()
    measure_snapshot(engine, f"weekly/{AS_OF}", load_catalogue(), load_county_config())
    engine.dispose()
    return str(warehouse.url)


@pytest.fixture
def slack(monkeypatch):
    """The local Slack stand-in with every channel of config/governance.yaml, as the Airflow
    connection ``slack_api_default``: internal channels private, the public group's public."""
    import json

    from improvement.governance import load_groups, load_sign_off
    from improvement.measures.catalogue import PRIORITY_AREAS
    from tests.slack_stub import SlackStub

    team = load_sign_off()
    channels = {
        channel: "private"
        for channel in (
            team.performance_channel, team.escalation_channel, team.review_channel,
            team.senior_leaders_channel, team.team_managers_channel,
        )
    }  # fmt: skip
    for group in load_groups(PRIORITY_AREAS).values():
        channels[group.slack_channel] = "public" if group.is_public else "private"
    with SlackStub(channels=channels) as stub:
        monkeypatch.setenv(
            "AIRFLOW_CONN_SLACK_API_DEFAULT",
            json.dumps(
                {"conn_type": "slack", "password": stub.token, "extra": {"base_url": stub.base_url}}
            ),
        )
        yield stub
