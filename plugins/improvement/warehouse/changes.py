"""What changed between a period's stored extract and the one replacing it: the data-fix audit.

When a backfill (or any re-run) replaces a snapshot with a different extract, each table whose
content changed is compared by primary key: rows added, removed and changed, and which columns
changed in how many rows. Only counts and column names are kept, never values, so the audit can
be shown to anyone who may see the run.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from improvement.extract import ExtractManifest
from improvement.ssd.canonical import read_canonical_csv
from improvement.ssd.schema import EXTENSION_TABLES, SSD_TABLES
from improvement.warehouse.tables import extract_blob, extract_change, snapshot_table

ALL_TABLES = {**SSD_TABLES, **EXTENSION_TABLES}
MISSING = "\x00missing"


@dataclass(frozen=True)
class TableChange:
    table_name: str
    rows_before: int
    rows_after: int
    rows_added: int
    rows_removed: int
    rows_changed: int
    changed_columns: dict[str, int]

    def describe(self) -> str:
        columns = ", ".join(f"{name} {n:,}" for name, n in self.changed_columns.items())
        return (
            f"{self.table_name}: {self.rows_before:,} rows before, {self.rows_after:,} after; "
            f"{self.rows_added:,} added, {self.rows_removed:,} removed, "
            f"{self.rows_changed:,} changed" + (f" ({columns})" if columns else "")
        )


def _frame(payload: bytes | None) -> pd.DataFrame:
    return pd.DataFrame() if payload is None else read_canonical_csv(payload)


def _by_key(frame: pd.DataFrame, key: str) -> pd.DataFrame:
    """The table indexed by its primary key, missing values as one marker so they compare equal."""
    if key not in frame.columns:
        return pd.DataFrame(index=pd.Index([], name=key))
    return frame.set_index(key).astype(object).fillna(MISSING)


def compare_tables(name: str, before: pd.DataFrame, after: pd.DataFrame) -> TableChange:
    """Rows added, removed and changed between two versions of one table, by primary key."""
    key = ALL_TABLES[name].primary_key
    old, new = _by_key(before, key), _by_key(after, key)
    common = old.index.intersection(new.index)
    columns = [c for c in new.columns if c in old.columns]
    differs = old.loc[common, columns].ne(new.loc[common, columns])
    return TableChange(
        table_name=name,
        rows_before=len(old),
        rows_after=len(new),
        rows_added=len(new.index.difference(old.index)),
        rows_removed=len(old.index.difference(new.index)),
        rows_changed=int(differs.any(axis=1).sum()),
        changed_columns={c: int(n) for c, n in differs.sum().items() if n},
    )


def extract_changes(
    conn: sa.Connection, snapshot_id: int, manifest: ExtractManifest
) -> list[TableChange]:
    """Every table whose content differs between the stored snapshot and the staged extract."""
    stored = dict(
        conn.execute(
            sa.select(snapshot_table.c.table_name, snapshot_table.c.content_hash).where(
                snapshot_table.c.snapshot_id == snapshot_id
            )
        ).all()
    )
    staged = {t.table: t for t in manifest.tables.values() if t.present}
    changes = []
    for name in sorted(set(stored) | set(staged)):
        new = staged.get(name)
        if new is not None and stored.get(name) == new.content_hash:
            continue
        before = None
        if name in stored:
            before = conn.execute(
                sa.select(extract_blob.c.payload).where(extract_blob.c.content_hash == stored[name])
            ).scalar_one()
        after = None if new is None else (Path(manifest.staging_dir) / new.staged_file).read_bytes()
        changes.append(compare_tables(name, _frame(before), _frame(after)))
    return changes


def record_changes(
    conn: sa.Connection,
    snapshot_key: str,
    old_extract_hash: str,
    new_extract_hash: str,
    changes: list[TableChange],
    dag_id: str,
    run_id: str,
) -> None:
    """Keep the audit for this pair of extracts (replacing an earlier record of the same pair)."""
    conn.execute(
        extract_change.delete().where(
            extract_change.c.snapshot_key == snapshot_key,
            extract_change.c.old_extract_hash == old_extract_hash,
            extract_change.c.new_extract_hash == new_extract_hash,
        )
    )
    if not changes:
        return
    now = dt.datetime.now(dt.UTC)
    conn.execute(
        extract_change.insert(),
        [
            {
                **{k: v for k, v in asdict(change).items() if k != "changed_columns"},
                "changed_columns": "; ".join(
                    f"{name}: {n}" for name, n in change.changed_columns.items()
                ),
                "snapshot_key": snapshot_key,
                "old_extract_hash": old_extract_hash,
                "new_extract_hash": new_extract_hash,
                "dag_id": dag_id,
                "run_id": run_id,
                "recorded_at": now,
            }
            for change in changes
        ],
    )


def read_changes(engine: sa.Engine, snapshot_key: str) -> list[dict]:
    """Every recorded data-fix audit of a period, oldest first."""
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(extract_change)
            .where(extract_change.c.snapshot_key == snapshot_key)
            .order_by(extract_change.c.recorded_at, extract_change.c.table_name)
        ).mappings()
        return [dict(row) for row in rows]
