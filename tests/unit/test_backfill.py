"""The backfill command's windows give Airflow exactly the runs for the weeks and months asked."""

import datetime as dt

import pendulum
import pytest

from improvement import backfill
from improvement.pipeline import week_ending


def _scheduled(dag_file: str, dag_id: str, window: backfill.BackfillWindow):
    """The runs Airflow's backfill would create for the window (its own timetable walk)."""
    from airflow.dag_processing.dagbag import DagBag
    from airflow.serialization.serialized_objects import DagSerialization

    dag = DagBag(dag_folder=dag_file).dags[dag_id]
    scheduler_dag = DagSerialization.deserialize_dag(DagSerialization.serialize_dag(dag))
    return list(scheduler_dag.iter_dagrun_infos_between(window.from_date, window.to_date))


def test_weeks_become_the_weekly_runs_ending_on_those_sundays(airflow_db):
    window = backfill.weeks(dt.date(2026, 9, 27), dt.date(2026, 11, 15))
    assert len(window.periods) == 8
    infos = _scheduled("dags/weekly_performance.py", "weekly_performance", window)
    assert [week_ending(info.data_interval.end) for info in infos] == list(window.periods)
    command = window.command()
    assert command[:5] == ["airflow", "backfill", "create", "--dag-id", "weekly_performance"]
    assert (
        "--reprocess-behavior" in command
        and command[command.index("--reprocess-behavior") + 1] == "completed"
    )
    assert command[command.index("--max-active-runs") + 1] == "1"
    assert "--dry-run" in window.command(dry_run=True)


def test_months_are_those_ending_within_the_weeks(airflow_db):
    from improvement.monthly import period_end

    weekly = backfill.weeks(dt.date(2026, 9, 27), dt.date(2026, 11, 15))
    monthly = backfill.months_in(weekly)
    # The week ending Sunday 27 September begins on Monday the 21st: September ends within it.
    assert monthly.periods == (dt.date(2026, 9, 30), dt.date(2026, 10, 31))
    infos = _scheduled("dags/monthly_governance.py", "monthly_governance", monthly)
    ends = [
        period_end({"data_interval_end": pendulum.instance(i.data_interval.end)}) for i in infos
    ]
    assert ends == list(monthly.periods)
    assert backfill.months_in(backfill.weeks(dt.date(2026, 11, 8), dt.date(2026, 11, 15))) is None


@pytest.mark.parametrize(
    ("first", "last", "message"),
    [
        (dt.date(2026, 9, 28), dt.date(2026, 11, 15), "2026-09-28 is not one"),
        (dt.date(2026, 11, 15), dt.date(2026, 9, 27), "before the first"),
    ],
)
def test_weeks_must_be_given_by_their_sundays_in_order(first, last, message):
    with pytest.raises(ValueError, match=message):
        backfill.weeks(first, last)


def test_in_regional_mode_the_backfill_runs_the_regional_and_council_dags(
    airflow_db, tmp_path, monkeypatch
):
    from improvement.monthly import period_end
    from tests.unit.test_region import _region

    monkeypatch.setenv(
        "IMPROVEMENT_REGION_CONFIG",
        str(_region(tmp_path, [{"id": "ashire", "name": "A"}, {"id": "bshire", "name": "B"}])),
    )
    weekly_dag, monthly_dags = backfill.dag_ids()
    assert (weekly_dag, monthly_dags) == (
        "regional_weekly",
        ["monthly_governance__ashire", "monthly_governance__bshire", "regional_monthly"],
    )
    assert backfill.dag_ids("bshire")[1] == ["monthly_governance__bshire", "regional_monthly"]
    # Each DAG's own timetable gives exactly the runs for the weeks and months asked.
    weekly = backfill.weeks(dt.date(2026, 9, 27), dt.date(2026, 11, 15), dag_id=weekly_dag)
    infos = _scheduled("dags/regional_performance.py", weekly_dag, weekly)
    assert [week_ending(info.data_interval.end) for info in infos] == list(weekly.periods)
    for dag_file, dag_id in (("dags/monthly_governance.py", "monthly_governance__ashire"),
                             ("dags/regional_performance.py", "regional_monthly")):  # fmt: skip
        monthly = backfill.months_in(weekly, dag_id)
        infos = _scheduled(dag_file, dag_id, monthly)
        ends = [
            period_end({"data_interval_end": pendulum.instance(i.data_interval.end)}) for i in infos
        ]
        assert ends == list(monthly.periods) == [dt.date(2026, 9, 30), dt.date(2026, 10, 31)]


def test_a_council_outside_regional_mode_is_refused(monkeypatch):
    monkeypatch.delenv("IMPROVEMENT_REGION_CONFIG", raising=False)
    with pytest.raises(ValueError, match="--council needs regional mode"):
        backfill.dag_ids("ashire")
