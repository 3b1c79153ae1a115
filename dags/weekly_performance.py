"""
### Weekly performance: extract, validate and snapshot the case system

Runs **Mondays 06:00 Europe/London** and covers the week that ended the day before (its
data interval runs Monday 06:00 to Monday 06:00; the snapshot date is that Sunday).

1. **extract** reads every SSD table from the `case_system` connection into a staged,
   canonical extract (counts and hashes go to XCom; no values).
2. **validate** checks tables, required columns, types, keys, and row counts against the
   previous snapshot. A blocking problem fails the run here, naming table, column and row
   count; the staged files are discarded and nothing is written to the warehouse.
3. **snapshot** writes the extract to the `warehouse` connection in one transaction, keyed
   by the week, so a re-run replaces the week's snapshot rather than adding to it; when the
   extract differs from the one it replaces (a backfill after a data fix), what changed is
   recorded (the data-fix audit: counts and column names only).
4. **measures** computes every measure in `sql/measures/` as at that Sunday and any month end
   in the week, by team, locality and team type (on a warehouse with no results yet, also the
   104 weekly and 24 month-end as-at dates before it), keyed by measure, date, breakdown and
   extract hash; figures a published pack showed that are now different are recorded as
   revisions, and large ones posted to the performance team (`docs/backfills.md`).
5. **weekly_outputs** writes the managers' performance digest (this week against last, by
   locality; figures only) beside the packs, and the restricted named lists (senior leaders'
   oversight list, one worklist per team: overdue practice, data to correct) to the
   owner-only restricted location.
   XCom holds counts and locations, never names or ids.
6. **returns_tables → dfe_rules → returns_readiness**, beside the measures: the collection
   year's SSDA903 tables from the snapshot, the DfE's own validation rules over them in the
   validators' environment (`.venv-returns`: they need pandas < 2), and what every rule found
   (ran, not applicable or crashed; failing records by team) kept in the warehouse, with each
   team's failing records in its restricted returns worklist (`docs/returns.md`). A failure
   of the rules fails them only: returns_readiness then records that the week was not checked,
   and the measures and the weekly outputs (whose digest shows the returns figures by team)
   still publish.

Owner: performance and information team. Logic lives in `plugins/improvement/`.
"""

from __future__ import annotations

import pendulum
from airflow.sdk import CronDataIntervalTimetable, TriggerRule, dag, get_current_context, task

from improvement import weekly
from improvement.dag_defaults import announcing_failure, default_args
from improvement.region import region_configured
from improvement.returns.external import RULES_TIMEOUT, run_dfe_903

# The validators' interpreter, as returns_tables found it in the council's settings.
RETURNS_PYTHON = "{{ ti.xcom_pull(task_ids='returns_tables')['python'] }}"


@dag(
    dag_id="weekly_performance",
    schedule=CronDataIntervalTimetable("0 6 * * 1", timezone="Europe/London"),
    start_date=pendulum.datetime(2024, 1, 1, tz="Europe/London"),
    catchup=False,
    max_active_runs=1,
    default_args=default_args(),
    doc_md=__doc__,
    tags=["weekly", "extract", "measures"],
)
def weekly_performance():
    @task
    def extract() -> dict:
        return weekly.extract(get_current_context())

    # A final failure after the extract removes the staged copy of the case system.
    @task(on_failure_callback=announcing_failure(weekly.discard_staged_extract))
    def validate(manifest: dict) -> dict:
        return weekly.validate(manifest, get_current_context())

    @task(on_failure_callback=announcing_failure(weekly.discard_staged_extract))
    def snapshot(manifest: dict, validation: dict) -> dict:
        return weekly.snapshot(manifest, validation, get_current_context())

    @task
    def measures(snapshot_summary: dict) -> dict:
        return weekly.measures(snapshot_summary, get_current_context())

    @task
    def weekly_outputs(snapshot_summary: dict) -> dict:
        return weekly.weekly_outputs(snapshot_summary, get_current_context())

    @task
    def returns_tables(snapshot_summary: dict) -> dict:
        return weekly.returns_tables(snapshot_summary, get_current_context())

    # Runs in the validators' own interpreter, whose path returns_tables gives: only paths
    # and codes go in, and the findings come back as a file in the owner-only returns folder.
    dfe_rules = task.external_python(
        task_id="dfe_rules",
        python=RETURNS_PYTHON,
        expect_airflow=False,
        execution_timeout=RULES_TIMEOUT,
    )(run_dfe_903)

    # Runs when the rules failed too, to record that the week was not checked, so the digest
    # says so rather than showing an earlier run's findings.
    @task(trigger_rule=TriggerRule.ALL_DONE_MIN_ONE_SUCCESS)
    def returns_readiness(snapshot_summary: dict, work: dict | None) -> dict:
        return weekly.returns_readiness(snapshot_summary, work, get_current_context())

    manifest = extract()
    snapshot_summary = snapshot(manifest, validate(manifest))
    readiness = returns_readiness(snapshot_summary, dfe_rules(returns_tables(snapshot_summary)))
    [measures(snapshot_summary), readiness] >> weekly_outputs(snapshot_summary)


# In regional mode every council's week runs in regional_weekly (dags/regional_performance.py).
if not region_configured():
    weekly_performance()
