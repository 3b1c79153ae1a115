"""Write an extract into the warehouse as one snapshot, in one transaction, keyed by period.

Table contents are stored once per content hash (gzip of the canonical CSV, which is hashed, and
its typed Parquet copy, which runs read: ``warehouse.parquet``), so weeks whose tables did not
change cost nothing. Re-running a period replaces its snapshot in place: the same extract
gives the same rows, and no duplicates; a different extract (a backfill after a data fix)
also leaves the data-fix audit of what changed (``warehouse.changes``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from improvement.extract import ExtractManifest
from improvement.ssd.canonical import read_canonical_csv
from improvement.validate import Finding, PreviousSnapshot
from improvement.warehouse.changes import TableChange, extract_changes, record_changes
from improvement.warehouse.parquet import from_canonical_csv, to_parquet
from improvement.warehouse.tables import (
    data_quality_finding,
    extract_blob,
    extract_parquet,
    pipeline_run,
    snapshot,
    snapshot_table,
)


@dataclass(frozen=True)
class WrittenSnapshot:
    snapshot_id: int
    replaced_extract_hash: str | None  # the extract this one replaced, if it differed
    changes: list[TableChange]


@dataclass(frozen=True)
class RunRecord:
    """Which Airflow run wrote a snapshot, for which period, and how long each step took."""

    dag_id: str
    run_id: str
    cadence: str
    snapshot_date: dt.date
    data_interval_start: dt.datetime
    data_interval_end: dt.datetime
    validate_seconds: float

    @property
    def snapshot_key(self) -> str:
        return f"{self.cadence}/{self.snapshot_date.isoformat()}"


def finding_columns(finding: Finding) -> dict:
    """A validation finding as the columns the warehouse keeps it in."""
    return {
        "check_name": finding.check,
        "table_name": finding.table,
        "column_name": finding.column or "",
        "severity": finding.severity,
        "row_count": finding.rows,
        "message": finding.message[:500],
    }


def previous_snapshot(engine: sa.Engine, before: dt.date) -> PreviousSnapshot | None:
    """Row counts of the latest snapshot dated before ``before``, to spot a collapse."""
    with engine.connect() as conn:
        latest = conn.execute(
            sa.select(snapshot.c.snapshot_id, snapshot.c.snapshot_key)
            .where(snapshot.c.snapshot_date < before)
            .order_by(snapshot.c.snapshot_date.desc(), snapshot.c.written_at.desc())
            .limit(1)
        ).first()
        if latest is None:
            return None
        counts = conn.execute(
            sa.select(snapshot_table.c.table_name, snapshot_table.c.row_count).where(
                snapshot_table.c.snapshot_id == latest.snapshot_id
            )
        ).all()
    return PreviousSnapshot(latest.snapshot_key, {name: rows for name, rows in counts})


def _insert_once(conn: sa.Connection, table: sa.Table, rows: list[dict]) -> None:
    """Insert rows unless stored already. Runs of several weeks at once (a backfill) store the
    same contents: the second to arrive skips the insert rather than failing on the primary
    key (PostgreSQL and SQLite: ON CONFLICT DO NOTHING)."""
    if not rows:
        return
    dialects = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}
    insert = dialects.get(conn.dialect.name)
    if insert is None:  # other databases: the caller's check before the insert is the guard
        conn.execute(table.insert(), rows)
        return
    conn.execute(insert(table).on_conflict_do_nothing(), rows)


def store_parquet(conn: sa.Connection, staged: Mapping[str, tuple[str, Path]]) -> None:
    """Store the Parquet copy (``warehouse.parquet``) of each table content (content hash to
    its table's name and staged CSV file) that lacks one."""
    if not staged:
        return
    stored = set(
        conn.execute(
            sa.select(extract_parquet.c.content_hash).where(
                extract_parquet.c.content_hash.in_(sorted(staged))
            )
        ).scalars()
    )
    for content_hash, (table_name, path) in staged.items():
        if content_hash in stored:
            continue
        table = from_canonical_csv(path.read_bytes(), table_name)
        _insert_once(
            conn,
            extract_parquet,
            [{"content_hash": content_hash, "payload": to_parquet(table)}],
        )


def store_blob(conn: sa.Connection, row: dict) -> None:
    """Add one table content unless it is stored already (see ``_insert_once``)."""
    _insert_once(conn, extract_blob, [row])


def _lock_period(conn: sa.Connection, snapshot_key: str) -> None:
    """Two runs of one period storing at once take turns (the second then replaces the first's
    snapshot, as a re-run does) rather than both inserting it. PostgreSQL: a transaction-scoped
    advisory lock on the period; SQLite takes one writer at a time anyway."""
    if conn.dialect.name != "postgresql":
        return
    digest = hashlib.sha256(f"snapshot {snapshot_key}".encode()).digest()
    key = int.from_bytes(digest[:8], "big", signed=True)
    conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


def write_snapshot(
    engine: sa.Engine,
    manifest: ExtractManifest,
    findings: list[Finding],
    run: RunRecord,
) -> WrittenSnapshot:
    """Store the staged extract as the snapshot for ``run``'s period; when it replaces a
    different extract of the same period, record what changed."""
    clock = time.monotonic()
    staging = Path(manifest.staging_dir)
    present = [t for t in manifest.tables.values() if t.present]
    with engine.begin() as conn:
        _lock_period(conn, run.snapshot_key)
        stored = set(
            conn.execute(
                sa.select(extract_blob.c.content_hash).where(
                    extract_blob.c.content_hash.in_([t.content_hash for t in present])
                )
            ).scalars()
        )
        for table in present:
            if table.content_hash not in stored:
                store_blob(
                    conn,
                    {
                        "content_hash": table.content_hash,
                        "table_name": table.table,
                        "row_count": table.row_count,
                        "payload": (staging / table.staged_file).read_bytes(),
                    },
                )
                stored.add(table.content_hash)
        store_parquet(conn, {t.content_hash: (t.table, staging / t.staged_file) for t in present})
        values = {
            "cadence": run.cadence,
            "snapshot_date": run.snapshot_date,
            "data_interval_start": run.data_interval_start,
            "data_interval_end": run.data_interval_end,
            "extract_hash": manifest.extract_hash,
            "source": manifest.source[:500],
            "written_at": dt.datetime.now(dt.UTC),
        }
        existing = conn.execute(
            sa.select(snapshot.c.snapshot_id, snapshot.c.extract_hash).where(
                snapshot.c.snapshot_key == run.snapshot_key
            )
        ).first()
        snapshot_id = None if existing is None else existing.snapshot_id
        replaced, changes = None, []
        if existing is not None and existing.extract_hash != manifest.extract_hash:
            replaced = existing.extract_hash
            changes = extract_changes(conn, snapshot_id, manifest)
            record_changes(
                conn, run.snapshot_key, replaced, manifest.extract_hash, changes, run.dag_id,
                run.run_id,
            )  # fmt: skip
        if snapshot_id is None:
            snapshot_id = conn.execute(
                snapshot.insert().values(snapshot_key=run.snapshot_key, **values)
            ).inserted_primary_key[0]
        else:
            conn.execute(
                snapshot.update().where(snapshot.c.snapshot_id == snapshot_id).values(**values)
            )
        for child in (snapshot_table, data_quality_finding):
            conn.execute(child.delete().where(child.c.snapshot_id == snapshot_id))
        conn.execute(
            snapshot_table.insert(),
            [
                {
                    "snapshot_id": snapshot_id,
                    "table_name": t.table,
                    "content_hash": t.content_hash,
                    "row_count": t.row_count,
                }
                for t in present
            ],
        )
        if findings:
            conn.execute(
                data_quality_finding.insert(),
                [{"snapshot_id": snapshot_id, **finding_columns(f)} for f in findings],
            )
        conn.execute(
            pipeline_run.delete().where(
                (pipeline_run.c.dag_id == run.dag_id) & (pipeline_run.c.run_id == run.run_id)
            )
        )
        conn.execute(
            pipeline_run.insert().values(
                dag_id=run.dag_id,
                run_id=run.run_id,
                snapshot_id=snapshot_id,
                data_interval_start=run.data_interval_start,
                data_interval_end=run.data_interval_end,
                extract_hash=manifest.extract_hash,
                extract_started_at=dt.datetime.fromisoformat(manifest.started_at),
                extract_seconds=manifest.seconds,
                validate_seconds=run.validate_seconds,
                snapshot_seconds=round(time.monotonic() - clock, 3),
                finished_at=dt.datetime.now(dt.UTC),
            )
        )
    return WrittenSnapshot(snapshot_id, replaced, changes)


def read_snapshot_table(engine: sa.Engine, snapshot_key: str, table: str) -> pd.DataFrame:
    """One SSD table as stored in a snapshot, canonical text with missing values as None."""
    with engine.connect() as conn:
        payload = conn.execute(
            sa.select(extract_blob.c.payload)
            .select_from(snapshot.join(snapshot_table).join(extract_blob))
            .where(
                (snapshot.c.snapshot_key == snapshot_key) & (snapshot_table.c.table_name == table)
            )
        ).scalar_one()
    return read_canonical_csv(payload)
