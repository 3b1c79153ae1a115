"""Compute the catalogue's measures for a stored snapshot and write the results, in one go.

A weekly run measures its own snapshot date and any month end in its week; the first run on a
warehouse with no results at all also recomputes the history (104 weekly and 24 month-end
as-at dates) from the same extract, so a new install has two years of trend at once. A monthly
run measures month ends.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import sqlalchemy as sa

from improvement.county import CountyConfig
from improvement.measures.asat import history_dates, week_dates
from improvement.measures.catalogue import Measure
from improvement.measures.engine import compute_measures, write_results
from improvement.measures.workspace import load_windows, workspace
from improvement.warehouse.columns import stored_columns
from improvement.warehouse.tables import extract_blob, measure_result, snapshot, snapshot_table

log = logging.getLogger(__name__)
# Tables the shared workspace queries (sql/workspace/) read, whatever the measures list.
WORKSPACE_TABLES = (
    "ssd_involvements",
    "ssd_cla_episodes",
    "ssd_legal_status",
    "ssd_cla_placement",
    "ssd_department",  # team names written in team columns resolve through it
)


@dataclass(frozen=True)
class MeasureRun:
    snapshot_key: str
    extract_hash: str
    as_at_dates: tuple[dt.date, ...]
    measures: int
    rows: int
    unknown_codes: tuple[str, ...]
    load_seconds: float
    compute_seconds: float

    def to_dict(self) -> dict:
        return {
            "snapshot_key": self.snapshot_key,
            "extract_hash": self.extract_hash,
            "as_at_dates": len(self.as_at_dates),
            "dates": [day.isoformat() for day in self.as_at_dates],
            "first_as_at": self.as_at_dates[0].isoformat(),
            "last_as_at": self.as_at_dates[-1].isoformat(),
            "measures": self.measures,
            "rows": self.rows,
            "unknown_codes": list(self.unknown_codes),
            "load_seconds": round(self.load_seconds, 3),
            "compute_seconds": round(self.compute_seconds, 3),
        }


class SnapshotPayloads(Mapping[str, bytes]):
    """A snapshot's stored tables (gzip-compressed canonical CSV) by name, each read from the
    warehouse only when asked for, so a run holds one compressed table at a time."""

    def __init__(self, conn: sa.Connection, snapshot_id: int, hashes: dict[str, str]):
        self._conn, self.snapshot_id, self._hashes = conn, snapshot_id, hashes

    def __getitem__(self, name: str) -> bytes:
        return self._conn.execute(
            sa.select(extract_blob.c.payload).where(
                extract_blob.c.content_hash == self._hashes[name]
            )
        ).scalar_one()

    def columns(self, name: str, names: list[str]) -> dict[str, list] | None:
        """The table's named columns as stored on their own (``warehouse.columns``), or None."""
        if name not in self._hashes:
            return None
        return stored_columns(self._conn, self._hashes[name], names)

    def __iter__(self) -> Iterator[str]:
        return iter(self._hashes)

    def __len__(self) -> int:
        return len(self._hashes)


def snapshot_payloads(
    conn: sa.Connection, snapshot_key: str, tables: set[str]
) -> tuple[str, dt.date, SnapshotPayloads]:
    """The snapshot's extract hash, date, and the named tables as stored (compressed CSV)."""
    found = conn.execute(
        sa.select(snapshot.c.snapshot_id, snapshot.c.extract_hash, snapshot.c.snapshot_date).where(
            snapshot.c.snapshot_key == snapshot_key
        )
    ).first()
    if found is None:
        raise LookupError(f"no snapshot {snapshot_key} in the warehouse")
    hashes = conn.execute(
        sa.select(snapshot_table.c.table_name, snapshot_table.c.content_hash)
        .where(snapshot_table.c.snapshot_id == found.snapshot_id)
        .where(snapshot_table.c.table_name.in_(sorted(tables)))
    ).all()
    snapshot_date = found.snapshot_date
    if not isinstance(snapshot_date, dt.date):
        snapshot_date = dt.date.fromisoformat(str(snapshot_date)[:10])
    payloads = SnapshotPayloads(conn, found.snapshot_id, dict(hashes))
    return found.extract_hash, snapshot_date, payloads


def has_results(conn: sa.Connection) -> bool:
    """Whether the warehouse holds any measure results: if not, a run also measures the history.

    Any result counts, whatever its date: a backfill of weeks older than every stored result
    must measure those weeks, not start a second two-year history from them."""
    return conn.execute(sa.select(measure_result.c.measure_id).limit(1)).first() is not None


def has_later_snapshot(conn: sa.Connection, snapshot_date: dt.date) -> bool:
    """Whether a snapshot dated after this one exists: this run re-measures an earlier week."""
    return (
        conn.execute(
            sa.select(sa.func.count())
            .select_from(snapshot)
            .where(snapshot.c.snapshot_date > snapshot_date)
        ).scalar()
        > 0
    )


def measure_snapshot(
    engine: sa.Engine,
    snapshot_key: str,
    measures: dict[str, Measure],
    config: CountyConfig,
    as_at_dates: list[dt.date] | None = None,
) -> MeasureRun:
    """Compute every measure for ``as_at_dates`` (default: the snapshot's week, see
    ``week_dates``, or the history when the warehouse has none yet) from one snapshot, writing
    results in one transaction.

    Current-state measures (``history: false``) describe the case system when it is extracted,
    so a default run for a week that is no longer the latest (a backfill) leaves them out: their
    figures from the week's original run stand."""
    needed = {t for m in measures.values() for t in m.tables} | set(WORKSPACE_TABLES)
    clock = time.monotonic()
    with engine.begin() as conn:
        extract_hash, snapshot_date, payloads = snapshot_payloads(conn, snapshot_key, needed)
        if as_at_dates is None:
            first_run = not has_results(conn)
            as_at_dates = history_dates(snapshot_date) if first_run else week_dates(snapshot_date)
            if not first_run and has_later_snapshot(conn, snapshot_date):
                measures = {key: m for key, m in measures.items() if m.history}
        dates = sorted(set(as_at_dates))
        if dates[-1] > snapshot_date:
            raise ValueError(
                f"as-at date {dates[-1]} is after snapshot {snapshot_key}: not measurable yet"
            )
        queries = [m.sql for m in measures.values()]
        with workspace(
            conn,
            {},
            dates,
            config,
            payloads=payloads,
            queries=queries,
            windows=load_windows(measures.values()),
            columns=payloads.columns,
        ) as unknown:
            loaded = time.monotonic()
            results = compute_measures(conn, list(measures.values()), dates, config)
            computed = time.monotonic()
        rows = write_results(conn, results, measures, extract_hash)
    run = MeasureRun(
        snapshot_key=snapshot_key,
        extract_hash=extract_hash,
        as_at_dates=tuple(dates),
        measures=len(measures),
        rows=rows,
        unknown_codes=tuple(u.describe() for u in unknown),
        load_seconds=loaded - clock,
        compute_seconds=computed - loaded,
    )
    log.info("Measured %s: %s", snapshot_key, run.to_dict())
    return run


def measure_month_end(
    engine: sa.Engine,
    snapshot_key: str,
    month_end: dt.date,
    measures: dict[str, Measure],
    config: CountyConfig,
) -> MeasureRun:
    """The monthly computation: every measure as at ``month_end``, from the named snapshot."""
    if (month_end + dt.timedelta(days=1)).day != 1:
        raise ValueError(f"{month_end} is not the last day of a month")
    return measure_snapshot(engine, snapshot_key, measures, config, as_at_dates=[month_end])


def measure_as_at(
    engine: sa.Engine,
    snapshot_key: str,
    measures: dict[str, Measure],
    config: CountyConfig,
    as_at_dates: list[dt.date],
) -> tuple[MeasureRun, tuple[str, ...]]:
    """The measures for any as-at dates on or before the snapshot's date (year-end figures for
    the returns, a date an inspector asks about), stored like any run; and the ids of the
    current-state measures (``history: false``) left out because every date is before the
    snapshot's: they describe the case system when it was extracted, not a past date."""
    with engine.connect() as conn:
        _, snapshot_date, _ = snapshot_payloads(conn, snapshot_key, set())
    left_out: tuple[str, ...] = ()
    if max(as_at_dates) < snapshot_date:
        left_out = tuple(key for key, m in measures.items() if not m.history)
        measures = {key: m for key, m in measures.items() if m.history}
    run = measure_snapshot(engine, snapshot_key, measures, config, as_at_dates=list(as_at_dates))
    return run, left_out
