"""The weekly DAG's task bodies: resolve connections and the run's period, call the pipeline.

Imported by the DAG file, so it imports pandas, SQLAlchemy and Alembic only inside the task
bodies: parsing the DAG stays fast and touches no database. Validation failures fail the
task without retries (the data will not fix itself by waiting); connection problems keep
Airflow's retries.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

CADENCE = "weekly"


def _snapshot_date(context: dict[str, Any]) -> dt.date:
    from improvement.pipeline import week_ending

    return week_ending(context["data_interval_end"])


def extract(context: dict[str, Any]) -> dict:
    from improvement import pipeline
    from improvement.connections import case_system_target
    from improvement.settings import load_settings

    destination = pipeline.staging_path(
        load_settings().staging_dir, CADENCE, _snapshot_date(context), context["run_id"]
    )
    return pipeline.run_extract(case_system_target(), destination)


def validate(manifest: dict, context: dict[str, Any]) -> dict:
    from airflow.sdk.exceptions import AirflowFailException

    from improvement import pipeline
    from improvement.connections import warehouse_target
    from improvement.county import ConfigError, load_county_config
    from improvement.validate import ExtractValidationError
    from improvement.warehouse.migrate import WarehouseNotReady

    warehouse = warehouse_target()
    try:
        county = load_county_config()
        thresholds, readers = pipeline.validation_inputs()
    except ConfigError as error:  # a wrong configuration will not fix itself by retrying
        raise AirflowFailException(str(error)) from error
    try:
        return pipeline.run_validate(
            manifest,
            warehouse,
            _snapshot_date(context),
            thresholds,
            readers,
            county.codes,
            [(team.team_id, team.name) for team in county.teams],
        )
    except ExtractValidationError as error:
        _report_rejection(warehouse, manifest, context, error)
        raise AirflowFailException(str(error)) from error
    except WarehouseNotReady as error:
        raise AirflowFailException(str(error)) from error


def _report_rejection(warehouse, manifest: dict, context: dict[str, Any], error) -> None:
    """Keep the blocking problems in the warehouse's data-quality record and post them to the
    performance team. A failure of either is logged, never allowed to hide the validation
    failure itself."""
    import logging

    from improvement.notify import announce_blocked
    from improvement.warehouse.rejections import record_rejection

    log = logging.getLogger(__name__)
    engine = warehouse.engine()
    try:
        try:
            record_rejection(
                engine, CADENCE, _snapshot_date(context), manifest["extract_hash"],
                manifest["source"], error.findings, context["dag"].dag_id, context["run_id"],
            )  # fmt: skip
        except Exception:  # noqa: BLE001 - the validation error is what must surface
            log.exception("Could not record the rejected extract in the warehouse")
        try:
            announce_blocked(
                engine, f"Weekly extract for the week ending {_snapshot_date(context)}",
                [finding.message for finding in error.findings],
            )  # fmt: skip
        except Exception:  # noqa: BLE001 - the validation error is what must surface
            log.exception("Could not tell the performance team on Slack")
    finally:
        engine.dispose()


def snapshot(manifest: dict, validation: dict, context: dict[str, Any]) -> dict:
    from improvement import pipeline
    from improvement.connections import warehouse_target
    from improvement.warehouse.snapshots import RunRecord

    run = RunRecord(
        dag_id=context["dag"].dag_id,
        run_id=context["run_id"],
        cadence=CADENCE,
        snapshot_date=_snapshot_date(context),
        data_interval_start=context["data_interval_start"],
        data_interval_end=context["data_interval_end"],
        validate_seconds=validation["seconds"],
    )
    warehouse = warehouse_target()
    return pipeline.run_snapshot(manifest, validation, warehouse, run)


def discard_staged_extract(context: dict[str, Any]) -> None:
    """``validate`` or ``snapshot`` failed for good (retries spent): remove the week's staged
    extract, which holds personal data; running the week again extracts afresh. The folder is
    the one this run's ``extract`` (in the same task group and map index) staged."""
    import shutil

    task_id = context["task"].task_id
    group = task_id.rpartition(".")[0]
    manifest = context["ti"].xcom_pull(task_ids=f"{group}.extract" if group else "extract")
    if manifest:
        shutil.rmtree(manifest["staging_dir"], ignore_errors=True)


def measures(snapshot_summary: dict, context: dict[str, Any]) -> dict:
    """Compute the week's measures (and, on a new warehouse, two years of history), then record
    any revision of a published figure they cause."""
    from improvement.connections import warehouse_target
    from improvement.county import load_county_config
    from improvement.measures.catalogue import load_catalogue
    from improvement.measures.run import measure_snapshot
    from improvement.revisions import check_after_measuring
    from improvement.settings import load_settings

    warehouse = warehouse_target()
    engine = warehouse.engine()
    catalogue = load_catalogue()
    try:
        run = measure_snapshot(
            engine,
            snapshot_summary["snapshot_key"],
            catalogue,
            load_county_config(),
            limits=load_settings().workspace,
        ).to_dict()
        run["revisions"] = check_after_measuring(
            engine, run, catalogue, context["dag"].dag_id, context["run_id"]
        )
    finally:
        engine.dispose()
    run.pop("dates")
    return run


def weekly_outputs(snapshot_summary: dict, context: dict[str, Any]) -> dict:
    """The managers' digest and the restricted named lists; returns counts and locations only."""
    import datetime as dt

    from improvement.connections import warehouse_target
    from improvement.county import load_county_config
    from improvement.measures.catalogue import load_catalogue
    from improvement.notify import announce_weekly
    from improvement.reports.weekly import write_weekly_outputs
    from improvement.settings import load_settings

    settings = load_settings()
    engine = warehouse_target().engine()
    try:
        outputs = write_weekly_outputs(
            engine,
            snapshot_summary["snapshot_key"],
            load_county_config(),
            load_catalogue(),
            settings.packs_dir,
            settings.restricted_dir,
            generated_at=dt.datetime.now(dt.UTC),
            limits=settings.workspace,
        )
        result = outputs.to_dict()
        summary = outputs.digest_summary
        lines = [
            f"{summary['improved']} county figures improved and {summary['worse']} got worse "
            f"since last week; {summary['off_target']} are off target.",
            f"Digest: {outputs.digest}",
        ]
        result["slack"] = announce_weekly(engine, result, lines)
    finally:
        engine.dispose()
    return result
