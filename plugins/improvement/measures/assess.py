"""What a scorecard row says about one measure on one date: value, RAG, travel, benchmarks, SPC.

Results are read back per as-at date from the most recent computation (the latest extract),
so a corrected extract supersedes the figures it revises, and only from it: figures of an older
extract never stand beside a newer one's (``latest_extracts``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
import sqlalchemy as sa
from dateutil.relativedelta import relativedelta

from improvement.measures.catalogue import Measure
from improvement.measures.rag import benchmark_position, direction_of_travel, rag_status
from improvement.measures.spc import SeriesAnalysis, analyse_series
from improvement.warehouse.tables import measure_result

NEAREST_DAYS = 6  # a weekly series has a point within six days of any date


CURRENT_KEY = ["measure_id", "as_at", "extract_hash"]


def latest_extracts(results: pd.DataFrame) -> pd.DataFrame:
    """measure_id, as_at, extract_hash: for each measure and as-at date, the extract of its
    latest computation (``results`` holds those columns and ``computed_at``). Only that
    extract's figures stand for the date, the county's and every breakdown's alike: a
    breakdown it lacks has no figure, whatever an older extract said."""
    ordered = results.sort_values(["computed_at", "extract_hash"])
    latest = ordered.drop_duplicates(["measure_id", "as_at"], keep="last")
    return latest[CURRENT_KEY].reset_index(drop=True)


def current_extracts(
    conn: sa.Connection, measure_ids: list[str], dates: list[dt.date] | None = None
) -> pd.DataFrame:
    """``latest_extracts`` of the stored results of these measures (on these dates)."""
    query = (
        sa.select(
            measure_result.c.measure_id,
            measure_result.c.as_at,
            measure_result.c.extract_hash,
            sa.func.max(measure_result.c.computed_at).label("computed_at"),
        )
        .where(measure_result.c.measure_id.in_(measure_ids))
        .group_by(
            measure_result.c.measure_id, measure_result.c.as_at, measure_result.c.extract_hash
        )
    )
    if dates is not None:
        query = query.where(measure_result.c.as_at.in_(dates))
    rows = pd.DataFrame(conn.execute(query).all(), columns=[*CURRENT_KEY, "computed_at"])
    return latest_extracts(rows)


def read_series(
    conn: sa.Connection,
    measure_id: str,
    breakdown: str = "all",
    breakdown_value: str = "all",
) -> pd.DataFrame:
    """as_at, numerator, denominator, value, extract_hash: one row per date on which the
    measure's latest computation has this breakdown (``latest_extracts``)."""
    rows = conn.execute(
        sa.select(
            measure_result.c.as_at,
            measure_result.c.numerator,
            measure_result.c.denominator,
            measure_result.c.value,
            measure_result.c.extract_hash,
        ).where(
            measure_result.c.measure_id == measure_id,
            measure_result.c.breakdown == breakdown,
            measure_result.c.breakdown_value == breakdown_value,
        )
    ).all()
    frame = pd.DataFrame(
        rows, columns=["as_at", "numerator", "denominator", "value", "extract_hash"]
    )
    current = current_extracts(conn, [measure_id]).drop(columns="measure_id")
    frame = frame.merge(current, on=["as_at", "extract_hash"])
    return frame.sort_values("as_at").reset_index(drop=True)


def months_back(day: dt.date, months: int) -> dt.date:
    """``months`` before ``day``; from a month end, the month end (30 November -> 31 October)."""
    earlier = day - relativedelta(months=months)
    if (day + dt.timedelta(days=1)).day == 1:
        earlier = earlier.replace(day=1) + relativedelta(months=1) - dt.timedelta(days=1)
    return earlier


def value_near(series: pd.DataFrame, day: dt.date) -> float | None:
    """The value on ``day``, or on the closest earlier date within NEAREST_DAYS."""
    earlier = series[
        (series["as_at"] <= day) & (series["as_at"] > day - dt.timedelta(days=NEAREST_DAYS + 1))
    ]
    if earlier.empty:
        return None
    value = earlier.iloc[-1]["value"]
    return None if pd.isna(value) else float(value)


@dataclass(frozen=True)
class Assessment:
    measure_id: str
    as_at: dt.date
    value: float | None
    numerator: float | None
    denominator: float | None
    rag: str | None
    previous_month: float | None
    travel_month: str | None
    same_month_last_year: float | None
    travel_year: str | None
    england: float | None
    versus_england: str | None
    neighbours: float | None
    versus_neighbours: str | None
    spc: SeriesAnalysis


def assess(measure: Measure, series: pd.DataFrame, as_at: dt.date) -> Assessment:
    """Judge ``measure`` on ``as_at`` against its target, its own past and its benchmarks.

    ``series`` is the measure's history (``read_series``); the SPC verdicts use its points up
    to ``as_at``.
    """
    history = series[series["as_at"] <= as_at]
    current = history[history["as_at"] == as_at]
    value = numerator = denominator = None
    if not current.empty:
        row = current.iloc[0]
        value = None if pd.isna(row["value"]) else float(row["value"])
        numerator = None if pd.isna(row["numerator"]) else float(row["numerator"])
        denominator = None if pd.isna(row["denominator"]) else float(row["denominator"])
    previous = value_near(history, months_back(as_at, 1))
    last_year = value_near(history, months_back(as_at, 12))
    england = measure.benchmark("England")
    neighbours = measure.benchmark("Statistical neighbours")
    values = [None if pd.isna(v) else float(v) for v in history["value"]]
    return Assessment(
        measure_id=measure.id,
        as_at=as_at,
        value=value,
        numerator=numerator,
        denominator=denominator,
        rag=rag_status(value, measure.target, measure.tolerance, measure.polarity),
        previous_month=previous,
        travel_month=direction_of_travel(value, previous, measure.polarity),
        same_month_last_year=last_year,
        travel_year=direction_of_travel(value, last_year, measure.polarity),
        england=england.value if england else None,
        versus_england=benchmark_position(
            value, england.value if england else None, measure.polarity
        ),
        neighbours=neighbours.value if neighbours else None,
        versus_neighbours=benchmark_position(
            value, neighbours.value if neighbours else None, measure.polarity
        ),
        spc=analyse_series(
            values,
            measure.polarity,
            measure.target,
            floor=0.0,
            ceiling=100.0 if measure.unit == "percentage" else None,
        ),
    )
