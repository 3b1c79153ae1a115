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
from improvement.measures.workspace import Workspace
from improvement.warehouse.tables import measure_result

log = logging.getLogger(__name__)
ALL = "all"
UNMAPPED_TEAM = "(team not in configuration)"
STORED_DECIMALS = 6


def _as_date(value: object) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def _team_rows(
    measures: list[Measure], rows: list[list[tuple]], as_at_dates: list[dt.date], config
) -> pd.DataFrame:
    """Every measure's query rows in one frame (``position``: the measure's place in the
    list), each measure's rows in one order on every engine (by date and team, so rolled-up
    sums add in the same order), on the dates it is computed for."""
    frame = pd.DataFrame.from_records(
        [row for measure_rows in rows for row in measure_rows],
        columns=["as_at", "team_id", "numerator", "denominator"],
        coerce_float=False,
    )
    frame["position"] = np.repeat(np.arange(len(measures)), [len(r) for r in rows])
    # Each distinct date and team is converted once, not once per row.
    frame["as_at"] = frame["as_at"].map({v: _as_date(v) for v in frame["as_at"].unique()})
    frame["team_id"] = frame["team_id"].fillna(UNALLOCATED).astype(str)
    frame = frame.sort_values(
        ["position", "as_at", "team_id"], kind="mergesort", ignore_index=True
    ).astype({"numerator": float, "denominator": float})
    dates, latest = set(as_at_dates), max(as_at_dates)
    history = np.array([m.history for m in measures], dtype=bool)[frame["position"]]
    frame = frame[frame["as_at"].isin(dates) & (history | (frame["as_at"] == latest))]
    units = np.array([m.unit for m in measures], dtype=object)[frame["position"]]
    frame.loc[units == "rate_per_10000", "denominator"] = float(config.child_population_0_17)
    frame.loc[units == "count", "denominator"] = float("nan")
    return frame


def _breakdowns(measures: list[Measure], team_rows: pd.DataFrame, config) -> pd.DataFrame:
    teams = {t.team_id: t for t in config.teams}

    def team_attribute(team_id: str, attribute: str) -> str:
        team = teams.get(team_id)
        if team is None:
            return UNALLOCATED if team_id == UNALLOCATED else UNMAPPED_TEAM
        return getattr(team, attribute)

    levels = [team_rows.assign(breakdown=ALL, breakdown_value=ALL)]
    for breakdown in ("team", "locality", "team_type"):
        wanted = [i for i, m in enumerate(measures) if breakdown in m.breakdowns]
        rows = team_rows[team_rows["position"].isin(wanted)]
        team_ids = rows["team_id"]
        if breakdown == "team":
            values = team_ids
        else:
            values = team_ids.map({t: team_attribute(t, breakdown) for t in team_ids.unique()})
        levels.append(rows.assign(breakdown=breakdown, breakdown_value=values))
    # One group-by over every measure and level; within a group rows keep their (as_at, team)
    # order, so each sum adds the same numbers in the same order as a group-by per measure and
    # level would.
    return (
        pd.concat(levels, ignore_index=True)
        .groupby(["position", "breakdown", "as_at", "breakdown_value"], as_index=False, sort=False)[
            ["numerator", "denominator"]
        ]
        .sum(min_count=1)
    )


def values_by_unit(units: np.ndarray, numerators: pd.Series, denominators: pd.Series) -> pd.Series:
    """Each value by its measure's unit: the same arithmetic as one row at a time, rounded
    once per distinct result. A count's value is its numerator."""
    scale = np.select(
        [units == "percentage", units == "rate_per_10000"], [100.0, 10_000.0], default=1.0
    )
    n = numerators.to_numpy(dtype=float)
    d = pd.to_numeric(denominators, errors="coerce").to_numpy(dtype=float)
    count = units == "count"
    valid = ~count & ~np.isnan(d) & (d != 0) & ~np.isnan(n)  # a missing numerator: no value
    raw = np.full(len(n), np.nan)
    raw[valid] = scale[valid] * n[valid] / d[valid]
    rounded = {v: round_half_up(v) for v in set(raw[valid].tolist())}
    values = [
        numerator if is_count else (rounded[v] if ok else None)
        for v, ok, is_count, numerator in zip(
            raw.tolist(), valid, count, numerators.tolist(), strict=True
        )
    ]
    return pd.Series(values, index=numerators.index, dtype=object)


def _results(
    measures: list[Measure],
    rows: list[list[tuple]],
    as_at_dates: list[dt.date],
    config: CountyConfig,
) -> pd.DataFrame:
    """The measures' results from their query rows, as ``compute_measure`` describes."""
    results = _breakdowns(measures, _team_rows(measures, rows, as_at_dates, config), config)
    county = results[results["breakdown"] == ALL]
    present = set(zip(county["position"], county["as_at"], strict=True))
    all_dates, fillers = sorted(set(as_at_dates)), []
    for position, measure in enumerate(measures):
        dates = all_dates if measure.history else [max(all_dates)]
        empty_dates = [day for day in dates if (position, day) not in present]
        if empty_dates:
            if measure.unit == "rate_per_10000":
                denominator = float(config.child_population_0_17)
            else:
                denominator = None if measure.unit == "count" else 0.0
            fillers.append(
                pd.DataFrame(
                    {
                        "position": position,
                        "breakdown": ALL,
                        "as_at": empty_dates,
                        "breakdown_value": ALL,
                        "numerator": 0.0,
                        "denominator": denominator,
                    }
                )
            )
    results = pd.concat([results, *fillers], ignore_index=True)
    # Sums of floats (FTE, weeks) differ in their last bits between engines: store them at a
    # precision both agree on.
    results["numerator"] = results["numerator"].astype(float).round(STORED_DECIMALS)
    denominator = results["denominator"].astype(float).round(STORED_DECIMALS)
    results["denominator"] = denominator.astype(object).where(denominator.notna(), None)
    units = np.array([m.unit for m in measures], dtype=object)[results["position"]]
    results["value"] = values_by_unit(units, results["numerator"], results["denominator"])
    results["measure_id"] = np.array([m.id for m in measures], dtype=object)[results["position"]]
    results = results.sort_values(
        ["position", "as_at", "breakdown", "breakdown_value"], ignore_index=True
    )
    return results[
        ["as_at", "breakdown_value", "numerator", "denominator", "breakdown", "value", "measure_id"]
    ]


def compute_measure(
    ws: Workspace,
    measure: Measure,
    as_at_dates: list[dt.date],
    config: CountyConfig,
) -> pd.DataFrame:
    """One measure's results: as_at, breakdown, breakdown_value, numerator, denominator, value.

    A measure built on a current-state table (``history: false``) is computed for the latest
    as-at date only: its past values exist only in earlier snapshots.
    """
    return compute_measures(ws, [measure], as_at_dates, config)


def compute_measures(
    ws: Workspace,
    measures: list[Measure],
    as_at_dates: list[dt.date],
    config: CountyConfig,
) -> pd.DataFrame:
    """Every measure's results (see ``compute_measure``): each query runs on its own (side by
    side, ``Workspace.timed_rows``), and the rows of all of them are rolled up and turned into
    values together (the same figures as one measure at a time, without the fixed cost of each
    step once per measure)."""
    clock = time.monotonic()
    answers = ws.timed_rows([measure.sql for measure in measures])
    queried = time.monotonic() - clock
    rows = [measure_rows for measure_rows, _ in answers]
    timings = {measure.id: seconds for measure, (_, seconds) in zip(measures, answers, strict=True)}
    clock = time.monotonic()
    results = _results(measures, rows, as_at_dates, config)
    slowest = sorted(timings.items(), key=lambda item: -item[1])[:5]
    log.info(
        "Computed %d measures for %d as-at dates in %.2f s (queries) + %.2f s; slowest: %s",
        len(measures),
        len(set(as_at_dates)),
        queried,
        time.monotonic() - clock,
        ", ".join(f"{measure_id} {seconds:.2f} s" for measure_id, seconds in slowest),
    )
    return results


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
