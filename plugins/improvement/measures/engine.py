"""Compute measures for a set of as-at dates from a loaded workspace, and store the results.

Each measure's ``query.sql`` returns one row per as-at date and team with a numerator and a
denominator (set-based, over every as-at date at once). The engine adds the rows a query
leaves out (a date with nothing to count), rolls teams up to locality, team type and the
whole county through ``team_map``, turns each pair into a value by the measure's unit, and
writes them keyed by measure, as-at date, breakdown and extract hash.
"""

from __future__ import annotations

import datetime as dt
import logging
import time

import numpy as np
import pandas as pd
import sqlalchemy as sa

from improvement.county import UNALLOCATED, CountyConfig
from improvement.measures.catalogue import Measure
from improvement.measures.rag import round_half_up
from improvement.warehouse.tables import measure_result

log = logging.getLogger(__name__)
ALL = "all"
UNMAPPED_TEAM = "(team not in configuration)"
STORED_DECIMALS = 6


def _as_date(value: object) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def _query_rows(conn: sa.Connection, measure: Measure) -> pd.DataFrame:
    # Through the driver's own cursor: the same values as an untyped text() query (no result
    # processing either way), as plain tuples, which pandas frames five times faster than
    # SQLAlchemy rows. The query has no parameters.
    cursor = conn.connection.cursor()
    try:
        cursor.execute(measure.sql)
        rows = cursor.fetchall()
    finally:
        cursor.close()
    frame = pd.DataFrame.from_records(
        rows, columns=["as_at", "team_id", "numerator", "denominator"], coerce_float=False
    )
    # Each distinct date and team is converted once, not once per row.
    frame["as_at"] = frame["as_at"].map({v: _as_date(v) for v in frame["as_at"].unique()})
    frame["team_id"] = frame["team_id"].fillna(UNALLOCATED).astype(str)
    # One row order on every engine, so rolled-up sums add in the same order.
    frame = frame.sort_values(["as_at", "team_id"], kind="mergesort", ignore_index=True)
    return frame.astype({"numerator": float, "denominator": float})


def _breakdowns(measure: Measure, team_rows: pd.DataFrame, config: CountyConfig) -> pd.DataFrame:
    teams = {t.team_id: t for t in config.teams}

    def team_attribute(team_id: str, attribute: str) -> str:
        team = teams.get(team_id)
        if team is None:
            return UNALLOCATED if team_id == UNALLOCATED else UNMAPPED_TEAM
        return getattr(team, attribute)

    team_ids = team_rows["team_id"]
    levels = [team_rows.assign(breakdown=ALL, breakdown_value=ALL)]
    if "team" in measure.breakdowns:
        levels.append(team_rows.assign(breakdown="team", breakdown_value=team_ids))
    for breakdown in ("locality", "team_type"):
        if breakdown in measure.breakdowns:
            values = team_ids.map({t: team_attribute(t, breakdown) for t in team_ids.unique()})
            levels.append(team_rows.assign(breakdown=breakdown, breakdown_value=values))
    # One group-by over every level; within a group rows keep their (as_at, team) order, so
    # each sum adds the same numbers in the same order as a group-by per level would.
    summed = (
        pd.concat(levels, ignore_index=True)
        .groupby(["breakdown", "as_at", "breakdown_value"], as_index=False, sort=False)[
            ["numerator", "denominator"]
        ]
        .sum(min_count=1)
    )
    return summed[["as_at", "breakdown_value", "numerator", "denominator", "breakdown"]]


def _values(measure: Measure, numerators: pd.Series, denominators: pd.Series) -> pd.Series:
    """Each value by the measure's unit: the same arithmetic as one row at a time, rounded
    once per distinct result."""
    if measure.unit == "count":
        return pd.Series(list(numerators), index=numerators.index, dtype=object)
    scale = {"percentage": 100.0, "rate_per_10000": 10_000.0}.get(measure.unit, 1.0)
    n = numerators.to_numpy(dtype=float)
    d = pd.to_numeric(denominators, errors="coerce").to_numpy(dtype=float)
    valid = ~np.isnan(d) & (d != 0) & ~np.isnan(n)  # a missing numerator has no value
    raw = np.full(len(n), np.nan)
    raw[valid] = scale * n[valid] / d[valid]
    rounded = {v: round_half_up(v) for v in set(raw[valid].tolist())}
    values = [rounded[v] if ok else None for v, ok in zip(raw.tolist(), valid, strict=True)]
    return pd.Series(values, index=numerators.index, dtype=object)


def compute_measure(
    conn: sa.Connection,
    measure: Measure,
    as_at_dates: list[dt.date],
    config: CountyConfig,
) -> pd.DataFrame:
    """One measure's results: as_at, breakdown, breakdown_value, numerator, denominator, value.

    A measure built on a current-state table (``history: false``) is computed for the latest
    as-at date only: its past values exist only in earlier snapshots.
    """
    if not measure.history:
        as_at_dates = [max(as_at_dates)]
    team_rows = _query_rows(conn, measure)
    team_rows = team_rows[team_rows["as_at"].isin(set(as_at_dates))]
    if measure.unit == "rate_per_10000":
        team_rows["denominator"] = float(config.child_population_0_17)
    if measure.unit == "count":
        team_rows["denominator"] = float("nan")
    results = _breakdowns(measure, team_rows, config)
    present = set(results.loc[results["breakdown"] == ALL, "as_at"])
    empty_dates = [day for day in sorted(set(as_at_dates)) if day not in present]
    if empty_dates:
        nothing = 0.0 if measure.unit in ("percentage", "mean", "ratio", "count") else None
        population = (
            float(config.child_population_0_17) if measure.unit == "rate_per_10000" else nothing
        )
        filler = pd.DataFrame(
            {
                "as_at": empty_dates,
                "breakdown": ALL,
                "breakdown_value": ALL,
                "numerator": 0.0,
                "denominator": None if measure.unit == "count" else population,
            }
        )
        results = pd.concat([results, filler], ignore_index=True)
    # Sums of floats (FTE, weeks) differ in their last bits between engines: store them at a
    # precision both agree on.
    results["numerator"] = results["numerator"].astype(float).round(STORED_DECIMALS)
    denominator = results["denominator"].astype(float).round(STORED_DECIMALS)
    results["denominator"] = denominator.astype(object).where(denominator.notna(), None)
    results["value"] = _values(measure, results["numerator"], results["denominator"])
    results["measure_id"] = measure.id
    return results.sort_values(["as_at", "breakdown", "breakdown_value"], ignore_index=True)


def compute_measures(
    conn: sa.Connection,
    measures: list[Measure],
    as_at_dates: list[dt.date],
    config: CountyConfig,
) -> pd.DataFrame:
    timings, frames = {}, []
    for measure in measures:
        clock = time.monotonic()
        frames.append(compute_measure(conn, measure, as_at_dates, config))
        timings[measure.id] = time.monotonic() - clock
    log.info(
        "Computed %d measures for %d as-at dates in %.2f s",
        len(measures),
        len(set(as_at_dates)),
        sum(timings.values()),
    )
    return pd.concat(frames, ignore_index=True)


def write_results(
    conn: sa.Connection, results: pd.DataFrame, measures: dict[str, Measure], extract_hash: str
) -> int:
    """Replace the results for these measures, dates and extract (idempotent); returns rows."""
    dates = sorted(set(results["as_at"]))
    conn.execute(
        measure_result.delete().where(
            measure_result.c.extract_hash == extract_hash,
            measure_result.c.measure_id.in_(sorted(set(results["measure_id"]))),
            measure_result.c.as_at.in_(dates),
        )
    )
    now = dt.datetime.now(dt.UTC)
    records = [
        {
            "measure_id": row.measure_id,
            "as_at": row.as_at,
            "breakdown": row.breakdown,
            "breakdown_value": row.breakdown_value,
            "extract_hash": extract_hash,
            "numerator": None if pd.isna(row.numerator) else float(row.numerator),
            "denominator": None if row.denominator is None else float(row.denominator),
            "value": None if row.value is None or pd.isna(row.value) else float(row.value),
            "definition_version": measures[row.measure_id].version,
            "computed_at": now,
        }
        for row in results.itertuples(index=False)
    ]
    if records:
        conn.execute(measure_result.insert(), records)
    return len(records)
