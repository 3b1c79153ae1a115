"""``improvement export-returns``: a collection year's return files, as a council checks and
submits them, from the snapshot that covers the year."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from improvement.returns.collection_year import CollectionYear
from improvement.returns.readiness import snapshot_frames
from improvement.returns.ssda903 import ssda903_tables, write_ssda903
from improvement.ssd.codes import CodeBook
from improvement.warehouse.tables import snapshot


@dataclass(frozen=True)
class ExportedReturns:
    snapshot_key: str
    snapshot_date: dt.date
    year: CollectionYear
    files: dict[str, Path]
    rows: dict[str, int]

    @property
    def year_complete(self) -> bool:
        """Whether the snapshot was taken after the year ended, so it holds the whole year."""
        return self.snapshot_date >= self.year.end


def snapshot_for_year(conn: sa.Connection, year: CollectionYear) -> str:
    """The first weekly snapshot taken on or after the year's end (it holds the whole year),
    else the latest there is; LookupError when the warehouse holds none."""
    query = sa.select(snapshot.c.snapshot_key).where(snapshot.c.cadence == "weekly")
    after = conn.execute(
        query.where(snapshot.c.snapshot_date >= year.end).order_by(snapshot.c.snapshot_date)
    ).first()
    latest = conn.execute(query.order_by(snapshot.c.snapshot_date.desc())).first()
    found = after or latest
    if found is None:
        raise LookupError("the warehouse holds no weekly snapshot: run weekly_performance first")
    return found.snapshot_key


def export_returns(
    engine: sa.Engine,
    year: CollectionYear,
    out: Path,
    codes: CodeBook,
    snapshot_key: str | None = None,
) -> ExportedReturns:
    """Write the year's SSDA903 CSVs into ``out`` (owner-only: child-level) from
    ``snapshot_key``, or from the snapshot ``snapshot_for_year`` picks."""
    with engine.connect() as conn:
        snapshot_key = snapshot_key or snapshot_for_year(conn, year)
        frames, snapshot_date = snapshot_frames(conn, snapshot_key)
    tables = ssda903_tables(frames, year, codes)
    files = write_ssda903(tables, out)
    rows = {name: len(table) for name, table in tables.items()}
    return ExportedReturns(snapshot_key, snapshot_date, year, files, rows)
