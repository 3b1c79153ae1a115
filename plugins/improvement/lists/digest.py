"""The weekly performance digest: this week against last week, for the county and each locality.

Figures only (no names, no ids): every measure with a ``locality`` breakdown, read from the
stored results (``measure_result``) the way scorecards read them (``read_series``: for each
as-at date the most recent computation, so a corrected extract supersedes what it revises, and
a locality that extract lacks has no figure that week, never an older extract's), judged with
``improvement.measures.rag``.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import sqlalchemy as sa

from improvement.measures.assess import CURRENT_KEY, current_extracts, read_series
from improvement.measures.catalogue import Measure
from improvement.measures.rag import direction_of_travel, is_missing, rag_status, round_half_up
from improvement.warehouse.tables import measure_result

COUNTY = "County"
DIGEST_COLUMNS = {
    "measure_id": "Measure id",
    "title": "Measure",
    "priority_area": "Priority area",
    "unit": "Unit",
    "polarity": "Better when",
    "area": "Area",
    "as_at": "Week ending",
    "value": "This week",
    "previous_as_at": "Previous week ending",
    "previous_value": "Last week",
    "change": "Change",
    "direction": "Direction of travel",
    "target": "Target",
    "rag": "RAG",
    "numerator": "Numerator",
    "denominator": "Denominator",
}


def _point(series: pd.DataFrame, day: dt.date) -> dict:
    row = series[series["as_at"] == day]
    if row.empty:
        return {"value": None, "numerator": None, "denominator": None}
    first = row.iloc[0]
    return {
        key: None if is_missing(first[key]) else float(first[key])
        for key in ("value", "numerator", "denominator")
    }


def _localities(conn: sa.Connection, measure_ids: list[str], days: list[dt.date]) -> dict:
    """measure id -> the localities its latest computation has on either date."""
    rows = pd.DataFrame(
        conn.execute(
            sa.select(
                measure_result.c.measure_id,
                measure_result.c.as_at,
                measure_result.c.extract_hash,
                measure_result.c.breakdown_value,
            ).where(
                measure_result.c.measure_id.in_(measure_ids),
                measure_result.c.breakdown == "locality",
                measure_result.c.as_at.in_(days),
            )
        ).all(),
        columns=[*CURRENT_KEY, "breakdown_value"],
    )
    current = rows.merge(current_extracts(conn, measure_ids, days), on=CURRENT_KEY)
    found: dict[str, set[str]] = {}
    for measure_id, locality in zip(current["measure_id"], current["breakdown_value"], strict=True):
        found.setdefault(measure_id, set()).add(locality)
    return {measure_id: sorted(values) for measure_id, values in found.items()}


def weekly_digest(engine: sa.Engine, as_at: dt.date, catalogue: dict[str, Measure]) -> pd.DataFrame:
    """One row per measure with a locality breakdown and area (the county, then each locality
    in alphabetical order), in catalogue order: this week's value (as at ``as_at``), last
    week's (as at ``as_at`` minus 7 days), the change (one decimal place; percentage points for
    percentages), direction of travel and RAG against the target. No value -> None."""
    previous = as_at - dt.timedelta(days=7)
    measures = [m for m in catalogue.values() if "locality" in m.breakdowns]
    records = []
    with engine.connect() as conn:
        localities = _localities(conn, [m.id for m in measures], [as_at, previous])
        for measure in measures:
            areas = [("all", "all", COUNTY)] + [
                ("locality", name, name) for name in localities.get(measure.id, [])
            ]
            for breakdown, breakdown_value, area in areas:
                series = read_series(conn, measure.id, breakdown, breakdown_value)
                now, before = _point(series, as_at), _point(series, previous)
                value, last = now["value"], before["value"]
                records.append(
                    {
                        "measure_id": measure.id,
                        "title": measure.title,
                        "priority_area": measure.priority_area,
                        "unit": measure.unit,
                        "polarity": measure.polarity,
                        "area": area,
                        "as_at": as_at,
                        "value": value,
                        "previous_as_at": previous,
                        "previous_value": last,
                        "change": None
                        if value is None or last is None
                        else round_half_up(value - last),
                        "direction": direction_of_travel(value, last, measure.polarity),
                        "target": measure.target,
                        "rag": rag_status(
                            value, measure.target, measure.tolerance, measure.polarity
                        ),
                        "numerator": now["numerator"],
                        "denominator": now["denominator"],
                    }
                )
    return pd.DataFrame(records, columns=list(DIGEST_COLUMNS), dtype=object)
