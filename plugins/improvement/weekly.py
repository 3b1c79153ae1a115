"""The weekly DAG's task bodies: build the council's context and the run's period, call the
pipeline. ``council_id`` is a region's council (``docs/regional.md``), None on a
single-council install.

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


def extract(context: dict[str, Any], council_id: str | None = None) -> dict:
    from improvement import pipeline
    from improvement.council_context import council_context

    council = council_context(council_id)
    destination = pipeline.staging_path(
        council.settings.staging_dir, CADENCE, _snapshot_date(context), context["run_id"]
    )
    return pipeline.run_extract(council.case_system(), destination)


def validate(manifest: dict, context: dict[str, Any], council_id: str | None = None) -> dict:
    from airflow.sdk.exceptions import AirflowFailException

    from improvement import pipeline
    from improvement.council_context import council_context
    from improvement.county import ConfigError
    from improvement.notify import AnnouncedFailure
    from improvement.validate import ExtractValidationError
    from improvement.warehouse.migrate import WarehouseNotReady

    council = council_context(council_id)
    warehouse = council.warehouse()
    try:
        county = council.county
        thresholds, readers = pipeline.validation_inputs(county, council.catalogue)
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
        announced = _report_rejection(council, warehouse, manifest, context, error)
        raise (AnnouncedFailure if announced else AirflowFailException)(str(error)) from error
    except WarehouseNotReady as error:
        raise AirflowFailException(str(error)) from error


def _report_rejection(council, warehouse, manifest: dict, context: dict[str, Any], error) -> bool:
    """Keep the blocking problems in the warehouse's data-quality record and post them to the
    performance team; True once they are posted. A failure of either is logged, never allowed
    to hide the validation failure itself."""
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
            return announce_blocked(
                engine, council, f"Weekly extract for the week ending {_snapshot_date(context)}",
                [finding.message for finding in error.findings],
            ) is not None  # fmt: skip
        except Exception:  # noqa: BLE001 - the validation error is what must surface
            log.exception("Could not tell the performance team on Slack")
            return False
    finally:
        engine.dispose()


def snapshot(
    manifest: dict, validation: dict, context: dict[str, Any], council_id: str | None = None
) -> dict:
    from improvement import pipeline
    from improvement.council_context import council_context
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
    return pipeline.run_snapshot(manifest, validation, council_context(council_id).warehouse(), run)


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


def measures(
    snapshot_summary: dict, context: dict[str, Any], council_id: str | None = None
) -> dict:
    """Compute the week's measures (and, on a new warehouse, two years of history), then record
    any revision of a published figure they cause."""
    from improvement.council_context import council_context
    from improvement.measures.run import measure_snapshot
    from improvement.notify import check_after_measuring

    council = council_context(council_id)
    engine = council.warehouse().engine()
    try:
        run = measure_snapshot(
            engine,
            snapshot_summary["snapshot_key"],
            council.catalogue,
            council.county,
            limits=council.settings.workspace,
        ).to_dict()
        run["revisions"] = check_after_measuring(
            engine, run, council, context["dag"].dag_id, context["run_id"]
        )
    finally:
        engine.dispose()
    run.pop("dates")
    return run


def weekly_outputs(
    snapshot_summary: dict, context: dict[str, Any], council_id: str | None = None
) -> dict:
    """The managers' digest and the restricted named lists; returns counts and locations only."""
    import datetime as dt

    from improvement.council_context import council_context
    from improvement.notify import announce_weekly
    from improvement.reports.weekly import write_weekly_outputs

    council = council_context(council_id)
    settings = council.settings
    engine = council.warehouse().engine()
    try:
        outputs = write_weekly_outputs(
            engine,
            snapshot_summary["snapshot_key"],
            council.county,
            council.catalogue,
            settings.packs_dir,
            settings.restricted_dir,
            council.council_name,
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
        result["slack"] = announce_weekly(engine, council, result, lines)
    finally:
        engine.dispose()
    return result


def returns_tables(
    snapshot_summary: dict, context: dict[str, Any], council_id: str | None = None
) -> dict:
    """Write the week's SSDA903 tables for the DfE's rules; returns where they are."""
    from improvement.council_context import council_context
    from improvement.returns.readiness import prepare_returns

    council = council_context(council_id)
    engine = council.warehouse().engine()
    try:
        work = prepare_returns(
            engine, snapshot_summary["snapshot_key"], council.county, council.settings
        )
    finally:
        engine.dispose()
    return work.to_dict()


def returns_readiness(
    snapshot_summary: dict | None,
    work: dict | None,
    context: dict[str, Any],
    council_id: str | None = None,
) -> dict:
    """Keep what the DfE's rules found and write each team's returns worklist; with no
    findings (``work`` None: the rules' step failed), record that the week was not checked.
    Counts only."""
    import datetime as dt

    from airflow.sdk.exceptions import AirflowSkipException

    from improvement.council_context import council_context
    from improvement.returns.readiness import ReturnsWork, record_not_checked, record_readiness

    if snapshot_summary is None:  # regional mode: the council's week stopped before its snapshot
        raise AirflowSkipException("no snapshot this week: no return to check")
    council = council_context(council_id)
    engine = council.warehouse().engine()
    try:
        if work is None:
            return record_not_checked(
                engine, snapshot_summary["snapshot_key"], council.settings.restricted_dir
            )
        readiness = record_readiness(
            engine,
            ReturnsWork.from_dict(work),
            council.county,
            council.settings.restricted_dir,
            recorded_at=dt.datetime.now(dt.UTC),
            limits=council.settings.workspace,
        )
    finally:
        engine.dispose()
    return readiness.to_dict()
