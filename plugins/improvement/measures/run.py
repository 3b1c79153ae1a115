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
from dataclasses import dataclass

import sqlalchemy as sa

from improvement.county import CountyConfig
from improvement.measures.asat import history_dates, week_dates
from improvement.measures.catalogue import Measure
from improvement.measures.engine import compute_measures, write_results
from improvement.measures.workspace import DEFAULT_LIMITS, WorkspaceLimits, workspace
from improvement.warehouse.stored import open_snapshot
from improvement.warehouse.tables import measure_result, snapshot

log = logging.getLogger(__name__)


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
    limits: WorkspaceLimits = DEFAULT_LIMITS,
) -> MeasureRun:
    """Compute every measure for ``as_at_dates`` (default: the snapshot's week, see
    ``week_dates``, or the history when the warehouse has none yet) from one snapshot, writing
    results in one transaction.

    Current-state measures (``history: false``) describe the case system when it is extracted,
    so a default run for a week that is no longer the latest (a backfill) leaves them out: their
    figures from the week's original run stand."""
    clock = time.monotonic()
    with engine.begin() as conn:
        stored = open_snapshot(conn, snapshot_key)
        extract_hash, snapshot_date = stored.extract_hash, stored.snapshot_date
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
        with workspace(conn, stored, dates, config, queries=queries, limits=limits) as ws:
            loaded = time.monotonic()
            results = compute_measures(ws, list(measures.values()), dates, config)
            computed = time.monotonic()
        rows = write_results(conn, results, measures, extract_hash)
    run = MeasureRun(
        snapshot_key=snapshot_key,
        extract_hash=extract_hash,
        as_at_dates=tuple(dates),
        measures=len(measures),
        rows=rows,
        unknown_codes=tuple(u.describe() for u in ws.unknown),
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
    limits: WorkspaceLimits = DEFAULT_LIMITS,
) -> MeasureRun:
    """The monthly computation: every measure as at ``month_end``, from the named snapshot."""
    if (month_end + dt.timedelta(days=1)).day != 1:
        raise ValueError(f"{month_end} is not the last day of a month")
    return measure_snapshot(
        engine, snapshot_key, measures, config, as_at_dates=[month_end], limits=limits
    )


def measure_as_at(
    engine: sa.Engine,
    snapshot_key: str,
    measures: dict[str, Measure],
    config: CountyConfig,
    as_at_dates: list[dt.date],
    limits: WorkspaceLimits = DEFAULT_LIMITS,
) -> tuple[MeasureRun, tuple[str, ...]]:
    """The measures for any as-at dates on or before the snapshot's date (year-end figures for
    the returns, a date an inspector asks about), stored like any run; and the ids of the
    current-state measures (``history: false``) left out because every date is before the
    snapshot's: they describe the case system when it was extracted, not a past date."""
    with engine.connect() as conn:
        snapshot_date = open_snapshot(conn, snapshot_key).snapshot_date
    left_out: tuple[str, ...] = ()
    if max(as_at_dates) < snapshot_date:
        left_out = tuple(key for key, m in measures.items() if not m.history)
        measures = {key: m for key, m in measures.items() if m.history}
    run = measure_snapshot(
        engine, snapshot_key, measures, config, as_at_dates=list(as_at_dates), limits=limits
    )
    return run, left_out
