"""The extract -> validate -> snapshot steps, as plain functions of their inputs.

The Airflow tasks in ``improvement.weekly`` call these with connections resolved and the
run's data interval; tests call them directly. Every step is keyed on the period (cadence
and snapshot date), never on the wall clock, so a re-run replaces rather than duplicates.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
import time
from collections.abc import Iterable
from pathlib import Path
from zoneinfo import ZoneInfo

from improvement.connections import DatabaseTarget
from improvement.county import CountyConfig, ValidationThresholds, load_county_config
from improvement.extract import ExtractManifest, discard_staged, extract_case_system
from improvement.measures.catalogue import Measure, load_catalogue
from improvement.measures.reads import measure_readers
from improvement.ssd.codes import NO_LOCAL_WORDING, CodeBook
from improvement.validate import (
    ERROR,
    Finding,
    MeasureReaders,
    raise_for_errors,
    validate_extract,
)
from improvement.warehouse.migrate import require_current
from improvement.warehouse.snapshots import RunRecord, previous_snapshot, write_snapshot

LONDON = ZoneInfo("Europe/London")
log = logging.getLogger(__name__)


def week_ending(data_interval_end: dt.datetime) -> dt.date:
    """The Sunday that ends the week a weekly run covers (its interval ends Monday 06:00)."""
    return data_interval_end.astimezone(LONDON).date() - dt.timedelta(days=1)


def staging_path(staging_root: Path, cadence: str, snapshot_date: dt.date, run_id: str) -> Path:
    """The run's own staging folder, ``<cadence>/<date>.<run>``: two runs of one period never
    share files (the run id made safe as a file name, with a hash of it kept unique)."""
    safe = re.sub(r"[^A-Za-z0-9_-]+", "_", run_id)[:60]
    digest = hashlib.sha256(run_id.encode("utf-8")).hexdigest()[:8]
    return staging_root / cadence / f"{snapshot_date.isoformat()}.{safe}-{digest}"


def run_extract(case_system: DatabaseTarget, destination: Path) -> dict:
    """Extract the case system into ``destination``; the manifest holds counts and hashes only."""
    engine = case_system.engine(read_only=True)
    try:
        manifest = extract_case_system(
            engine, case_system.schema, destination, case_system.describe()
        )
    finally:
        engine.dispose()
    rows = sum(t.row_count for t in manifest.tables.values())
    log.info(
        "Extracted %d tables, %d rows in %.1f s from %s; extract hash %s",
        len(manifest.tables),
        rows,
        manifest.seconds,
        manifest.source,
        manifest.extract_hash,
    )
    return manifest.to_dict()


def validation_inputs(
    county: CountyConfig | None = None, catalogue: dict[str, Measure] | None = None
) -> tuple[ValidationThresholds, MeasureReaders]:
    """What validation judges by, built once per task: the county's thresholds
    (``validation`` in its county.yaml) and which measures read each column (the catalogue),
    so a finding can name the figures it touches. Left out, the county and catalogue are the
    shipped ones (config/county.yaml, sql/measures/)."""
    county = load_county_config() if county is None else county
    catalogue = load_catalogue() if catalogue is None else catalogue
    return county.validation, measure_readers(catalogue.values())


def run_validate(
    manifest_data: dict,
    warehouse: DatabaseTarget,
    snapshot_date: dt.date,
    thresholds: ValidationThresholds,
    readers: MeasureReaders,
    codes: CodeBook = NO_LOCAL_WORDING,
    teams: Iterable[tuple[str, str]] = (),
) -> dict:
    """Judge the staged extract by the county's thresholds (``readers``: which measures read
    each column, for the findings to name); on a blocking problem discard it and raise, writing
    nothing. ``codes``: the code catalogue with the council's wording (``CountyConfig.codes``);
    ``teams``: the configured teams' ids and names (team names in team columns resolve)."""
    clock = time.monotonic()
    manifest = ExtractManifest.from_dict(manifest_data)
    engine = warehouse.engine()
    try:
        require_current(engine)
        previous = previous_snapshot(engine, snapshot_date)
    finally:
        engine.dispose()
    schema_label = f"the case system ({manifest.source})"
    findings = validate_extract(manifest, previous, thresholds, readers, schema_label, codes, teams)
    for finding in findings:
        (log.error if finding.severity == ERROR else log.warning)("%s", finding.message)
    try:
        raise_for_errors(findings)
    except Exception:
        discard_staged(manifest)
        raise
    return {
        "findings": [f.to_dict() for f in findings],
        "seconds": round(time.monotonic() - clock, 3),
    }


def run_snapshot(
    manifest_data: dict, validation: dict, warehouse: DatabaseTarget, run: RunRecord
) -> dict:
    """Write the validated extract as the period's snapshot, then remove the staged files."""
    manifest = ExtractManifest.from_dict(manifest_data)
    findings = [Finding(**f) for f in validation["findings"]]
    engine = warehouse.engine()
    try:
        require_current(engine)
        written = write_snapshot(engine, manifest, findings, run)
    finally:
        engine.dispose()
    discard_staged(manifest)
    summary = {
        "snapshot_id": written.snapshot_id,
        "snapshot_key": run.snapshot_key,
        "extract_hash": manifest.extract_hash,
        "tables": len(manifest.tables),
        "rows": sum(t.row_count for t in manifest.tables.values()),
        "warnings": len(findings),
        "warehouse": warehouse.describe(),
        "replaced_extract_hash": written.replaced_extract_hash,
        "changed_tables": {
            c.table_name: c.rows_added + c.rows_removed + c.rows_changed for c in written.changes
        },
    }
    log.info("Snapshot %(snapshot_key)s written to %(warehouse)s: %(rows)d rows", summary)
    for change in written.changes:
        log.info("Data-fix audit, %s: %s", run.snapshot_key, change.describe())
    return summary
