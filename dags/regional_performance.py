"""
### Regional mode: the weekly and monthly work of several councils in one deployment

Defined only when `IMPROVEMENT_REGION_CONFIG` names a region file (`docs/regional.md`). Each
council has its own case-system, warehouse and Slack connections, configuration and folders.

- **regional_weekly** (Mondays 06:00 Europe/London, the week that ended on Sunday): for every
  council at once (dynamic task mapping), `extract` → `validate` → `snapshot` → `measures` and
  the returns steps → `weekly_outputs`, exactly as `weekly_performance` does for one council.
  A council that fails fails only its own map index; `summary` then reads each council's
  warehouse, records what its week came to (measured, refused, not measured, unreachable)
  and fails the run if any council was left behind.
- **regional_monthly** (07:00 on the 5th, the previous month): every council's month-end
  measures (mapped), then the **regional benchmarking pack**: the councils side by side on the
  same measures, named only where the region file allows, small numbers suppressed. The pack
  is written whatever happened; the run then fails if a council had no figures.

Each council's own packs, review and sign-off stay with its own people: see `docs/regional.md`.
Owner: performance and information team. Logic lives in `plugins/improvement/`.
"""

from __future__ import annotations

import pendulum
from airflow.sdk import CronDataIntervalTimetable, dag, get_current_context, task, task_group

from improvement import regional, weekly
from improvement.dag_defaults import announcing_failure, default_args
from improvement.region import region_configured
from improvement.returns.external import RULES_TIMEOUT, run_dfe_903

ALL_DONE = "all_done"
ALL_DONE_MIN_ONE_SUCCESS = "all_done_min_one_success"
# The validators' interpreter, as this council's returns_tables found it in its settings.
RETURNS_PYTHON = (
    "{{ ti.xcom_pull(task_ids='council_week.returns_tables', map_indexes=ti.map_index)['python'] }}"
)


@task
def councils() -> list[str]:
    return regional.council_ids()


def regional_weekly():
    @task
    def extract(council_id: str) -> dict:
        return weekly.extract(get_current_context(), council_id)

    @task(on_failure_callback=announcing_failure(weekly.discard_staged_extract))
    def validate(council_id: str, manifest: dict) -> dict:
        return weekly.validate(manifest, get_current_context(), council_id)

    @task(on_failure_callback=announcing_failure(weekly.discard_staged_extract))
    def snapshot(council_id: str, manifest: dict, validation: dict) -> dict:
        return weekly.snapshot(manifest, validation, get_current_context(), council_id)

    @task
    def measures(council_id: str, snapshot_summary: dict) -> dict:
        return weekly.measures(snapshot_summary, get_current_context(), council_id)

    @task
    def weekly_outputs(council_id: str, snapshot_summary: dict) -> dict:
        return weekly.weekly_outputs(snapshot_summary, get_current_context(), council_id)

    @task
    def returns_tables(council_id: str, snapshot_summary: dict) -> dict:
        return weekly.returns_tables(snapshot_summary, get_current_context(), council_id)

    # In the validators' own interpreter, as weekly_performance runs it (each council's path
    # comes from its own returns_tables).
    dfe_rules = task.external_python(
        task_id="dfe_rules",
        python=RETURNS_PYTHON,
        expect_airflow=False,
        execution_timeout=RULES_TIMEOUT,
    )(run_dfe_903)

    @task(trigger_rule=ALL_DONE_MIN_ONE_SUCCESS)
    def returns_readiness(council_id: str, snapshot_summary: dict, work: dict | None) -> dict:
        return weekly.returns_readiness(snapshot_summary, work, get_current_context(), council_id)

    @task_group
    def council_week(council_id: str):
        manifest = extract(council_id)
        summary = snapshot(council_id, manifest, validate(council_id, manifest))
        work = dfe_rules(returns_tables(council_id, summary))
        readiness = returns_readiness(council_id, summary, work)
        [measures(council_id, summary), readiness] >> weekly_outputs(council_id, summary)

    @task(trigger_rule=ALL_DONE, retries=0)
    def summary() -> dict:
        context = get_current_context()
        return regional.fail_unless_all(
            regional.summarise_week(context), regional.MEASURED, context
        )

    council_week.expand(council_id=councils()) >> summary()


def regional_monthly():
    @task
    def month_end_measures(council_id: str) -> dict:
        return regional.measure_month(get_current_context(), council_id)

    @task(trigger_rule=ALL_DONE, retries=0)
    def benchmarking_pack() -> dict:
        context = get_current_context()
        return regional.fail_unless_all(
            regional.benchmarking_pack(context), regional.WITH_FIGURES, context
        )

    month_end_measures.expand(council_id=councils()) >> benchmarking_pack()


if region_configured():
    common = {
        "start_date": pendulum.datetime(2024, 1, 1, tz="Europe/London"),
        "catchup": False,
        "max_active_runs": 1,
        "default_args": default_args(),
        "doc_md": __doc__,
    }
    dag(
        dag_id="regional_weekly",
        schedule=CronDataIntervalTimetable("0 6 * * 1", timezone="Europe/London"),
        tags=["regional", "weekly"],
        **common,
    )(regional_weekly)()
    dag(
        dag_id="regional_monthly",
        schedule=CronDataIntervalTimetable("0 7 5 * *", timezone="Europe/London"),
        tags=["regional", "monthly", "packs"],
        **common,
    )(regional_monthly)()
