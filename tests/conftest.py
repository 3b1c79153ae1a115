"""Shared fixtures: an isolated Airflow home, a real PostgreSQL server, generated counties.

Airflow reads its configuration at import, so the environment is set here, before any test
module imports it.
"""

from __future__ import annotations

import datetime as dt
import faulthandler
import glob
import os
import pickle
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest
from filelock import FileLock

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
        # Monthly runs review and publish HTML only: PDF layout is most of a round's time. The
        # tests about PDFs set it back to "1".
        "IMPROVEMENT_DRAW_PDFS": "0",
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

T = TypeVar("T")
# How long a worker waits for another to build a shared fixture (``built_once``) before failing.
BUILD_ONCE_TIMEOUT = 300

AS_OF = dt.date(2026, 11, 15)  # a Sunday: the week ending it is run on Monday 2026-11-16


def pytest_sessionfinish(session, exitstatus):
    shutil.rmtree(AIRFLOW_HOME, ignore_errors=True)


STARTED = pytest.StashKey[float]()

# The longest modules start first, so that under pytest-xdist the short ones fill in around
# them instead of one worker finishing an Airflow run alone at the end.
LONGEST_FIRST = ("tests/e2e/", "tests/dags/", "tests/reports/", "tests/integration/")


# What a test needs, by the fixtures it uses or where it lives: the markers the fast lane
# (docs/reliability.md, "The fast lane") leaves out.
AIRFLOW_PLACES = ("tests/e2e/", "tests/dags/")
BROWSER_FILES = ("tests/reports/test_accessibility.py", "tests/reports/test_chromium.py")
PDF_FILES = ("tests/reports/test_disk_full.py", "tests/reports/test_breakdown_alignment.py",
             "tests/reports/test_pdf_drawing.py")  # fmt: skip


def _needs(item, path: str) -> set[str]:
    needs = set()
    fixtures = set(getattr(item, "fixturenames", ()))
    if "airflow_db" in fixtures or path.startswith(AIRFLOW_PLACES):
        needs.add("airflow")
    callspec = getattr(item, "callspec", None)
    if "postgres_url" in fixtures or (callspec and "postgresql" in callspec.id):
        needs.add("postgres")
    if path.startswith(BROWSER_FILES):
        needs.add("browser")
    if "county_packs" in fixtures or path.startswith(PDF_FILES):
        needs.add("pdf")
    return needs


def pytest_collection_modifyitems(items):
    def rank(item) -> int:
        path = Path(str(item.fspath)).relative_to(ROOT).as_posix()
        return next((i for i, prefix in enumerate(LONGEST_FIRST) if path.startswith(prefix)),
                    len(LONGEST_FIRST))  # fmt: skip

    for item in items:
        path = Path(str(item.fspath)).relative_to(ROOT).as_posix()
        for need in _needs(item, path):
            item.add_marker(need)
    items.sort(key=rank)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_protocol(item, nextitem):
    """When the test began, as pytest-timeout counts it (setup included)."""
    item.stash[STARTED] = time.monotonic()


def timeout_of(item: pytest.Item) -> float:
    """The test's time limit in seconds: its ``timeout`` marker, else ``--timeout``, else the
    ``timeout`` of pyproject.toml."""
    marker = item.get_closest_marker("timeout")
    if marker is not None:
        return float(marker.args[0] if marker.args else marker.kwargs["timeout"])
    return float(item.config.getoption("timeout") or item.config.getini("timeout") or 0)


# pytest-timeout's thread method ends a stuck test's process, and under pytest-xdist its own
# report (written to the worker's terminal) is lost with it: a second timer, due a moment before
# pytest-timeout's, writes which test ran over and every thread's stack to this folder, and the
# summary at the end of the run prints them.
OVERRUNS = Path(
    os.environ.setdefault("IMPROVEMENT_TEST_OVERRUNS", tempfile.mkdtemp(prefix="overruns-"))
)
OVERRUNS.mkdir(parents=True, exist_ok=True)


@pytest.hookimpl(tryfirst=True)
def pytest_timeout_set_timer(item, settings):
    if settings.timeout <= 0:
        return None

    def record() -> None:
        with (OVERRUNS / f"{os.getpid()}-{time.monotonic_ns()}.txt").open("w") as out:
            out.write(f"{item.nodeid} ran over its time limit of {settings.timeout:.0f} s\n")
            out.flush()
            faulthandler.dump_traceback(out, all_threads=True)

    timer = threading.Timer(max(settings.timeout - 1, settings.timeout * 0.9), record)
    timer.daemon = True
    item.stash[OVERRUN_TIMER] = timer
    timer.start()
    return None  # pytest-timeout sets its own timer too


@pytest.hookimpl(tryfirst=True)
def pytest_timeout_cancel_timer(item):
    timer = item.stash.get(OVERRUN_TIMER, None)
    if timer is not None:
        timer.cancel()
    return None


def pytest_terminal_summary(terminalreporter):
    if hasattr(terminalreporter.config, "workerinput"):  # a pytest-xdist worker: the main prints
        return
    for report in sorted(OVERRUNS.glob("*.txt")):
        lines = report.read_text(errors="replace").splitlines()
        terminalreporter.section(f"Timeout: {lines[0]}", sep="+")
        terminalreporter.write_line("\n".join(lines[1:60]))


OVERRUN_TIMER = pytest.StashKey[threading.Timer]()


@pytest.fixture
def deadline(request) -> float:
    """The ``time.monotonic()`` by which this test's own waits must give up: a little before its
    time limit, so a wait that expires fails with a message naming what it waited for rather
    than with the bare per-test timeout."""
    limit = timeout_of(request.node)
    if limit <= 0:
        pytest.fail("the suite runs with a per-test timeout: set timeout in pyproject.toml")
    return request.node.stash[STARTED] + limit - max(20.0, limit * 0.1)


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


def built_once(tmp_path_factory, worker_id: str, name: str, build: Callable[[Path], T]) -> T:
    """``build(folder)``'s value, built by the first test worker that asks and unpickled by the
    others: pytest-xdist runs each worker's session fixtures on its own, and some take a minute.
    ``build`` writes its files into ``folder``, shared by the workers, which only read them."""
    shared = tmp_path_factory.getbasetemp()
    if worker_id != "master":
        shared = shared.parent  # the run's folder, above each worker's own
    folder, value_file = shared / name, shared / f"{name}.pickle"
    with FileLock(shared / f"{name}.lock", timeout=BUILD_ONCE_TIMEOUT):
        if value_file.exists():
            return pickle.loads(value_file.read_bytes())  # noqa: S301 - our own run's pickle
        shutil.rmtree(folder, ignore_errors=True)  # a worker that failed building leaves a part
        folder.mkdir()
        value = build(folder)
        value_file.write_bytes(pickle.dumps(value))
        return value


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
