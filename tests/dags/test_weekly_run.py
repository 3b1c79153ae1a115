"""The weekly DAG run by real Airflow (``dag.test``) against the generated county."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sqlite3

import pytest
import sqlalchemy as sa

from improvement.measures.catalogue import load_catalogue
from improvement.measures.summary import describe_measures
from improvement.warehouse.report import describe_snapshot
from tests.conftest import AS_OF
from tests.integration.helpers import new_warehouse, warehouse_contents

RUN_AFTER = dt.datetime.combine(AS_OF + dt.timedelta(days=1), dt.time(6), tzinfo=dt.UTC)


def _connection(url: str) -> str:
    return json.dumps({"conn_type": "generic", "extra": {"sqlalchemy_url": url}})


@pytest.fixture
def environment(airflow_db, small_case_system, tmp_path, monkeypatch):
    case_system = tmp_path / "case_system.sqlite"
    shutil.copy(small_case_system, case_system)
    warehouse = new_warehouse(f"sqlite:///{tmp_path / 'warehouse.sqlite'}")
    monkeypatch.setenv("AIRFLOW_CONN_CASE_SYSTEM", _connection(f"sqlite:///{case_system}"))
    monkeypatch.setenv("AIRFLOW_CONN_WAREHOUSE", _connection(str(warehouse.url)))
    monkeypatch.setenv("IMPROVEMENT_DATA_DIR", str(tmp_path / "data"))
    return case_system, warehouse


def _run_weekly():
    from airflow.dag_processing.dagbag import DagBag
    from airflow.models import DagRun
    from airflow.utils.session import create_session

    dag = DagBag(dag_folder="dags/weekly_performance.py").dags["weekly_performance"]
    run = dag.test(logical_date=RUN_AFTER)
    with create_session() as session:
        stored = session.query(DagRun).filter_by(dag_id=dag.dag_id, run_id=run.run_id).one()
        states = {ti.task_id: ti.state for ti in stored.get_task_instances(session=session)}
        return stored.state, states, stored.data_interval_end


def test_weekly_run_snapshots_the_week_ending_on_sunday(environment):
    _, warehouse = environment
    state, states, interval_end = _run_weekly()
    assert (state, states) == (
        "success",
        {
            "extract": "success",
            "validate": "success",
            "snapshot": "success",
            "measures": "success",
            "weekly_outputs": "success",
            "returns_tables": "success",
            "dfe_rules": "success",
            "returns_readiness": "success",
        },
    )
    assert interval_end == RUN_AFTER
    summary = describe_snapshot(warehouse.engine(), f"weekly/{AS_OF}")
    assert summary.startswith(f"Snapshot weekly/{AS_OF} (as at {AS_OF})")
    assert "30 tables" in summary
    measures = describe_measures(warehouse.engine(), f"weekly/{AS_OF}", load_catalogue())
    # First run on an empty warehouse: the week and its two years of history.
    assert f"Measures as at {AS_OF} ({len(load_catalogue())} measures; 125 as-at dates" in measures
    # Beside them, what the DfE's own rules made of the year's SSDA903 tables, rule by rule.
    with warehouse.engine().connect() as conn:
        outcomes = dict(
            conn.execute(
                sa.text("select outcome, count(*) from returns_rule_result group by outcome")
            ).all()
        )
    assert set(outcomes) == {"ran", "not_applicable", "crashed"} and outcomes["ran"] > 100


def test_failed_validation_stops_the_run_and_writes_nothing_but_its_record(environment):
    case_system, warehouse = environment
    with sqlite3.connect(case_system) as db:
        db.execute("ALTER TABLE ssd_cin_episodes DROP COLUMN cine_referral_date")
    before = warehouse_contents(warehouse)
    state, states, _ = _run_weekly()
    assert state == "failed"
    assert states == {
        "extract": "success",
        "validate": "failed",
        "snapshot": "upstream_failed",
        "measures": "upstream_failed",
        "weekly_outputs": "upstream_failed",
        "returns_tables": "upstream_failed",
        "dfe_rules": "upstream_failed",
        "returns_readiness": "upstream_failed",
    }
    after = warehouse_contents(warehouse)
    assert len(after.pop("rejected_extract_finding")) == 1  # only the data-quality record
    del before["rejected_extract_finding"]
    assert after == before


def test_an_unreachable_case_system_is_retried_with_backoff_then_fails_cleanly(
    environment, slack, monkeypatch
):
    import socket

    from airflow.models import TaskInstance
    from airflow.utils.session import create_session

    from improvement.governance import load_sign_off

    _, warehouse = environment
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv(
        "AIRFLOW_CONN_CASE_SYSTEM",
        _connection(f"postgresql+psycopg2://reporting@127.0.0.1:{port}/ssd?connect_timeout=2"),
    )
    before = warehouse_contents(warehouse)
    state, states, _ = _run_weekly()
    assert state == "failed"
    assert states["extract"] == "failed" and states["snapshot"] == "upstream_failed"
    with create_session() as session:
        extract = (
            session.query(TaskInstance)
            .filter_by(dag_id="weekly_performance", task_id="extract")
            .order_by(TaskInstance.start_date.desc())
            .first()
        )
        assert extract.try_number == 3  # the first try and two retries, with backoff
    # The performance team hears of it once, when the retries are spent; the notice itself is
    # the only row the failed run leaves in the warehouse (its Slack ledger).
    (notice,) = slack.messages(load_sign_off().performance_channel)
    assert "*Task failed: weekly_performance › extract*" in notice["text"]
    assert "after 3 tries" in notice["text"] and "|Open the task's log>" in notice["text"]
    # The error's first line, with the address it quoted left out.
    assert (
        "Error: OperationalError: (psycopg2.OperationalError) connection to server at '…', port"
        in notice["text"]
    )
    assert "127.0.0.1" not in notice["text"]
    after = warehouse_contents(warehouse)
    assert [row[0] for row in after.pop("slack_delivery")] == [
        repr(f"failed/weekly_performance/{extract.run_id}/extract/-1/3")
    ]
    del before["slack_delivery"]
    assert after == before


def test_an_unreachable_warehouse_fails_the_run_after_retries(environment, slack, monkeypatch):
    import socket

    from improvement.governance import load_sign_off

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv(
        "AIRFLOW_CONN_WAREHOUSE",
        _connection(f"postgresql+psycopg2://improvement@127.0.0.1:{port}/w?connect_timeout=2"),
    )
    state, states, _ = _run_weekly()
    assert state == "failed"
    assert (states["extract"], states["validate"]) == ("success", "failed")
    assert states["snapshot"] == states["measures"] == "upstream_failed"
    # The warehouse keeps the Slack ledger, yet the failure is still announced.
    (notice,) = slack.messages(load_sign_off().performance_channel)
    assert "*Task failed: weekly_performance › validate*" in notice["text"]
    # The staged extract (personal data) does not outlive the failed run.
    from improvement.settings import load_settings

    staged = load_settings().staging_dir / "weekly"
    assert not staged.exists() or list(staged.iterdir()) == []


def test_a_blocked_extract_is_recorded_and_reported_to_the_performance_team(
    environment, slack, small_case_system, capsys
):
    from improvement.cli import main
    from improvement.governance import load_sign_off
    from improvement.warehouse.rejections import read_rejections

    case_system, warehouse = environment
    with sqlite3.connect(case_system) as db:
        db.execute("ALTER TABLE ssd_cin_episodes DROP COLUMN cine_referral_date")
    before = warehouse_contents(warehouse)
    assert _run_weekly()[0] == "failed"
    (message,) = slack.messages(load_sign_off().performance_channel)
    assert f"Weekly extract for the week ending {AS_OF} blocked" in message["text"]
    assert "ssd_cin_episodes.cine_referral_date: required column not found" in message["text"]
    after = warehouse_contents(warehouse)
    recorded = after.pop("rejected_extract_finding")
    del before["slack_delivery"], after["slack_delivery"]  # the message's own ledger row
    del before["rejected_extract_finding"]
    assert after == before  # no snapshot, measure or output: only the data-quality record
    assert len(recorded) == 1

    engine = warehouse.engine()
    with engine.connect() as conn:
        (rejected,) = read_rejections(conn)
    assert (rejected.snapshot_date, rejected.resolved, rejected.dag_id) == (
        AS_OF, False, "weekly_performance",
    )  # fmt: skip
    (finding,) = rejected.blocking
    assert (finding.check, finding.table, finding.column) == (
        "column_missing", "ssd_cin_episodes", "cine_referral_date",
    )  # fmt: skip
    assert finding.message.startswith("ssd_cin_episodes.cine_referral_date: required column")
    assert finding.rows > 0

    assert main(["refused-extracts", "--url", str(warehouse.url)]) == 0
    listed = capsys.readouterr().out
    assert f"Week ending {AS_OF}" in listed and "NOT REPLACED" in listed
    assert "ssd_cin_episodes.cine_referral_date: required column not found" in listed

    # The same bad extract refused again adds nothing; once the data is fixed and the week
    # re-run, the record stays and reads as resolved.
    assert _run_weekly()[0] == "failed"
    assert len(warehouse_contents(warehouse)["rejected_extract_finding"]) == 1
    shutil.copy(small_case_system, case_system)
    assert _run_weekly()[0] == "success"
    with engine.connect() as conn:
        (rejected,) = read_rejections(conn)
    assert rejected.resolved
    engine.dispose()
    assert main(["refused-extracts", "--url", str(warehouse.url)]) == 0
    assert "replaced by an accepted extract" in capsys.readouterr().out


def test_xcom_of_a_weekly_run_holds_no_personal_data(environment, small_county):
    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session

    _run_weekly()
    people = small_county.tables["ssd_person"]
    personal = (
        set(people["pers_person_id"])
        | set(people["pers_forename"].dropna())
        | set(people["pers_surname"].dropna())
    )
    with create_session() as session:
        values = [
            str(row.value)
            for row in session.query(XComModel).filter_by(dag_id="weekly_performance")
        ]
    assert values, "the run pushed no XCom to check"
    text = " ".join(values)
    leaked = sorted(value for value in personal if value in text)
    assert leaked == [], f"personal data in XCom: {leaked[:5]}"


def test_weekly_run_tells_slack_figures_and_counts_only(environment, slack, small_county):
    from improvement.governance import load_sign_off

    state, states, _ = _run_weekly()
    assert state == "success", states
    team = load_sign_off()
    (digest,) = slack.messages(team.performance_channel)
    assert "Weekly performance digest, week ending 2026-11-15" in digest["text"]
    assert "off target" in digest["text"]
    (oversight,) = slack.messages(team.senior_leaders_channel)
    assert "oversight list for 2026-11-15 is ready" in oversight["text"]
    assert "Restricted location:" in oversight["text"]
    (worklists,) = slack.messages(team.team_managers_channel)
    assert "T01" in worklists["text"]
    people = small_county.tables["ssd_person"]
    personal = (
        set(people["pers_person_id"])
        | set(people["pers_forename"].dropna())
        | set(people["pers_surname"].dropna())
    )
    sent = json.dumps([r.params for r in slack.requests], default=str)
    assert not {value for value in personal if value in sent}
    assert not slack.calls("upload"), "restricted lists never go to Slack as files"


def test_running_the_same_week_again_gives_the_same_outputs_and_no_duplicates(environment):
    import re

    import sqlalchemy as sa

    from improvement.settings import load_settings
    from improvement.warehouse.tables import pipeline_run

    _, warehouse = environment
    settings = load_settings()

    def outputs() -> dict[str, str]:
        """Every weekly output file, without its generation time."""
        files = [*settings.packs_dir.rglob("*.html"), *settings.restricted_dir.rglob("*.html")]
        files += settings.restricted_dir.rglob("*.csv")  # the returns worklists
        return {
            str(path): re.sub(r"Generated \d{2} \w+ \d{4} \d{2}:\d{2} UTC", "", path.read_text())
            for path in files
        }

    assert _run_weekly()[0] == "success"
    first, first_files = warehouse_contents(warehouse, with_times=False), outputs()
    assert _run_weekly()[0] == "success"
    second, second_files = warehouse_contents(warehouse, with_times=False), outputs()
    # dag.test makes a new Airflow run each time: one pipeline_run row per run, nothing else new.
    runs = {name: rows for name, rows in second.items() if name == "pipeline_run"}
    assert len(runs["pipeline_run"]) == 2
    with warehouse.engine().connect() as conn:
        run_ids = conn.execute(sa.select(pipeline_run.c.run_id)).scalars().all()
    assert len(set(run_ids)) == 2
    del first["pipeline_run"], second["pipeline_run"]
    assert second == first
    assert first_files and second_files == first_files


def test_the_returns_steps_fail_alone_when_the_validators_environment_is_missing(
    environment, slack, monkeypatch, tmp_path
):
    from improvement.governance import load_sign_off
    from improvement.settings import load_settings

    _, warehouse = environment
    monkeypatch.setenv("IMPROVEMENT_RETURNS_PYTHON", str(tmp_path / "no-venv" / "bin" / "python"))
    state, states, _ = _run_weekly()
    # The failed step is announced; the run's own outputs (its leaves) all published.
    assert state == "success"
    assert states == {
        "extract": "success",
        "validate": "success",
        "snapshot": "success",
        "measures": "success",
        "weekly_outputs": "success",
        "returns_tables": "success",
        "dfe_rules": "failed",
        "returns_readiness": "success",  # records that the week was not checked
    }
    notices = [
        m["text"]
        for m in slack.messages(load_sign_off().performance_channel)
        if "Task failed" in m["text"]
    ]
    assert len(notices) == 1 and "weekly_performance › dfe_rules" in notices[0]
    with warehouse.engine().connect() as conn:
        assert conn.execute(sa.text("select count(*) from returns_rule_result")).scalar() == 0
        assert conn.execute(sa.text("select count(*) from measure_result")).scalar() > 0
    # The digest still publishes, and says the week's return was not checked.
    (digest,) = load_settings().packs_dir.rglob("performance-digest-*.html")
    assert "rules were not run on this week's snapshot" in digest.read_text()
