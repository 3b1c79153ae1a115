"""Every DAG file imports cleanly, quickly, without touching a connection or database."""

from __future__ import annotations

import pytest
import sqlalchemy

from improvement.returns.external import RULES_TIMEOUT

DAG_IDS = {"weekly_performance", "monthly_governance"}


class LookupAtParseTime(AssertionError):
    pass


@pytest.fixture
def dagbag(monkeypatch):
    """Parse the DAG folder with connection lookups and engine creation made to explode."""
    from airflow.dag_processing.dagbag import DagBag
    from airflow.sdk import BaseHook

    def refuse(*args, **kwargs):
        raise LookupAtParseTime("a DAG file looked up a connection or database at parse time")

    monkeypatch.setattr(BaseHook, "get_connection", classmethod(refuse))
    monkeypatch.setattr(sqlalchemy, "create_engine", refuse)
    monkeypatch.setenv("AIRFLOW_CONN_CASE_SYSTEM", "not a connection")
    return DagBag(dag_folder="dags")


def test_dag_files_import_without_errors_or_lookups(dagbag):
    assert dagbag.import_errors == {}
    assert set(dagbag.dag_ids) == DAG_IDS


def test_each_dag_file_parses_in_under_a_second(dagbag):
    slow = {stat.file: stat.duration.total_seconds() for stat in dagbag.dagbag_stats}
    assert slow and all(seconds < 1.0 for seconds in slow.values()), slow


def test_weekly_dag_wiring_schedule_and_team_rules(dagbag):
    dag = dagbag.dags["weekly_performance"]
    assert {t.task_id: sorted(t.downstream_task_ids) for t in dag.tasks} == {
        "extract": ["snapshot", "validate"],
        "validate": ["snapshot"],
        "snapshot": ["measures", "returns_readiness", "returns_tables", "weekly_outputs"],
        "measures": ["weekly_outputs"],
        "weekly_outputs": [],
        "returns_tables": ["dfe_rules"],
        "dfe_rules": ["returns_readiness"],
        "returns_readiness": ["weekly_outputs"],
    }
    # The DfE's rules run in their own interpreter and give up after their time limit.
    rules = dag.get_task("dfe_rules")
    assert type(rules).__name__ == "_PythonExternalDecoratedOperator"
    assert rules.execution_timeout == RULES_TIMEOUT and rules.expect_airflow is False
    timetable = dag.timetable
    assert type(timetable).__name__ == "CronDataIntervalTimetable"
    assert timetable.expression == "0 6 * * 1"
    assert str(timetable.timezone) == "Europe/London"
    assert dag.catchup is False and dag.max_active_runs == 1 and dag.doc_md
    for task in dag.tasks:
        assert task.owner == "performance-and-information"
        assert task.retries >= 1


def test_monthly_dag_rounds_schedule_and_team_rules(dagbag):
    from improvement.governance import load_sign_off

    dag = dagbag.dags["monthly_governance"]
    rounds = load_sign_off().max_rounds
    downstream = {t.task_id: set(t.downstream_task_ids) for t in dag.tasks}
    assert downstream["prepare"] >= {"render_drafts", "groups_due"}
    for k in range(1, rounds + 1):
        assert downstream[f"round_{k}.head_of_service"] == {
            f"round_{k}.chief_officer", f"round_{k}.changes_requested_by_head_of_service",
        }  # fmt: skip
        assert f"round_{k}.approved" in {
            t for t, down in downstream.items() if "signed_off" in down
        }
        if k < rounds:  # changes go to the next round's analyst; after the last, nowhere
            assert downstream[f"round_{k}.changes_requested_by_chief_officer"] == {
                f"round_{k + 1}.analyst"
            }
    assert downstream[f"round_{rounds}.changes_requested_by_chief_officer"] == {"not_published"}
    timetable = dag.timetable
    assert (timetable.expression, str(timetable.timezone)) == ("0 7 5 * *", "Europe/London")
    assert dag.catchup is False and dag.max_active_runs == 1 and dag.doc_md
    for task in dag.tasks:
        assert task.owner == "performance-and-information"
        human = type(task).__name__ in ("AnalystReview", "ReviewDecision")
        assert task.retries == (0 if human else 2), task.task_id
        if human:
            assert task.assigned_users, task.task_id
