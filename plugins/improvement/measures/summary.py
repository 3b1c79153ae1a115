"""A plain-text table of the measures stored for one snapshot: value, n, target and RAG."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from improvement.measures.catalogue import Measure
from improvement.measures.rag import rag_status
from improvement.warehouse.tables import measure_result, snapshot

_UNIT_SUFFIX = {"percentage": " %", "rate_per_10000": " per 10k"}


def _figure(value: float | None, unit: str) -> str:
    return "–" if value is None else f"{value:,.1f}{_UNIT_SUFFIX.get(unit, '')}"


def describe_measures(engine: sa.Engine, snapshot_key: str, catalogue: dict[str, Measure]) -> str:
    with engine.connect() as conn:
        found = conn.execute(
            sa.select(snapshot.c.snapshot_date, snapshot.c.extract_hash).where(
                snapshot.c.snapshot_key == snapshot_key
            )
        ).first()
        if found is None:
            return f"No snapshot {snapshot_key}"
        as_at = found.snapshot_date
        as_at = as_at if isinstance(as_at, dt.date) else dt.date.fromisoformat(str(as_at)[:10])
        rows = conn.execute(
            sa.select(
                measure_result.c.measure_id,
                measure_result.c.numerator,
                measure_result.c.denominator,
                measure_result.c.value,
            ).where(
                measure_result.c.as_at == as_at,
                measure_result.c.extract_hash == found.extract_hash,
                measure_result.c.breakdown == "all",
            )
        ).all()
        history = conn.execute(
            sa.select(sa.func.count(sa.distinct(measure_result.c.as_at))).where(
                measure_result.c.extract_hash == found.extract_hash
            )
        ).scalar()
    if not rows:
        return f"No measures computed for {snapshot_key} yet"
    lines = [
        f"Measures as at {as_at} ({len(rows)} measures; "
        f"{history} as-at dates stored for this extract):",
        f"  {'measure':<28}{'value':>16}{'n':>9}{'target':>14}  RAG",
    ]
    for measure_id, numerator, denominator, value in sorted(rows):
        measure = catalogue.get(measure_id)
        if measure is None:
            continue
        # n is what was counted: the cohort for a share or mean, the count itself for a rate.
        counted = numerator if measure.unit in ("rate_per_10000", "count") else denominator
        n = "" if counted is None else f"{counted:,.0f}"
        rag = rag_status(value, measure.target, measure.tolerance, measure.polarity) or "not rated"
        target = "" if measure.target is None else _figure(measure.target, measure.unit)
        lines.append(
            f"  {measure_id:<28}{_figure(value, measure.unit):>16}{n:>9}{target:>14}  {rag}"
        )
    return "\n".join(lines)
