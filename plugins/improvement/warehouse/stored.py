"""A stored snapshot's tables, read as typed Arrow tables one at a time.

Each table is read from its Parquet copy (``warehouse.parquet``), only the columns asked for;
a table stored before Parquet copies existed is converted from its canonical CSV.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pyarrow as pa
import sqlalchemy as sa

from improvement.warehouse.parquet import from_canonical_csv, parquet_columns, read_columns
from improvement.warehouse.tables import extract_blob, extract_parquet, snapshot, snapshot_table


@dataclass(frozen=True)
class StoredSnapshot:
    """One snapshot: its key, extract hash, date and its tables' content hashes by name."""

    conn: sa.Connection
    snapshot_key: str
    extract_hash: str
    snapshot_date: dt.date
    hashes: dict[str, str]

    def __contains__(self, table_name: object) -> bool:
        return table_name in self.hashes

    def read(self, table_name: str, columns: list[str] | None = None) -> pa.Table | None:
        """The table's named columns that it holds (every column when None), or None when
        the snapshot has no such table."""
        content_hash = self.hashes.get(table_name)
        if content_hash is None:
            return None
        payload = self.conn.execute(
            sa.select(extract_parquet.c.payload).where(
                extract_parquet.c.content_hash == content_hash
            )
        ).scalar()
        if payload is not None:
            if columns is not None:
                held = set(parquet_columns(payload))
                columns = [c for c in columns if c in held]
            return read_columns(payload, columns)
        csv_payload = self.conn.execute(
            sa.select(extract_blob.c.payload).where(extract_blob.c.content_hash == content_hash)
        ).scalar_one()
        table = from_canonical_csv(csv_payload, table_name)
        if columns is None:
            return table
        return table.select([c for c in columns if c in table.schema.names])


def open_snapshot(conn: sa.Connection, snapshot_key: str) -> StoredSnapshot:
    """The snapshot stored under ``snapshot_key``; LookupError when there is none."""
    found = conn.execute(
        sa.select(snapshot.c.snapshot_id, snapshot.c.extract_hash, snapshot.c.snapshot_date).where(
            snapshot.c.snapshot_key == snapshot_key
        )
    ).first()
    if found is None:
        raise LookupError(f"no snapshot {snapshot_key} in the warehouse")
    hashes = conn.execute(
        sa.select(snapshot_table.c.table_name, snapshot_table.c.content_hash).where(
            snapshot_table.c.snapshot_id == found.snapshot_id
        )
    ).all()
    snapshot_date = found.snapshot_date
    if not isinstance(snapshot_date, dt.date):
        snapshot_date = dt.date.fromisoformat(str(snapshot_date)[:10])
    return StoredSnapshot(conn, snapshot_key, found.extract_hash, snapshot_date, dict(hashes))
