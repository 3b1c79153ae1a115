"""Read the figures a pack needs from the warehouse, once for all groups of a period.

For each as-at date the most recent computation wins (as in ``assess.read_series``), so a
corrected extract supersedes what it revises; the first computation is kept beside it so a
pack can say which figures changed since they were first reported.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
import sqlalchemy as sa

from improvement.measures.asat import month_ends_up_to
from improvement.reports.disclosure import Cell
from improvement.warehouse.tables import data_quality_finding, measure_result, snapshot

TREND_MONTHS = 24
REVISION_MONTHS = 12


@dataclass(frozen=True)
class SnapshotInfo:
    snapshot_id: int
    snapshot_key: str
    snapshot_date: dt.date
    extract_hash: str


@dataclass(frozen=True)
class Finding:
    check_name: str
    table_name: str
    column_name: str
    severity: str
    row_count: int
    message: str


@dataclass(frozen=True)
class PeriodFigures:
    """Every stored result a period's packs can use: latest and first computation per key."""

    period_end: dt.date
    snapshot: SnapshotInfo
    month_ends: tuple[dt.date, ...]  # oldest first, ending at period_end
    latest: pd.DataFrame
    first: pd.DataFrame
    findings: tuple[Finding, ...]

    def rows(self, measure_id: str, as_at: dt.date, breakdown: str) -> pd.DataFrame:
        frame = self.latest
        return frame[
            (frame["measure_id"] == measure_id)
            & (frame["as_at"] == as_at)
            & (frame["breakdown"] == breakdown)
        ]

    def series(self, measure_id: str) -> pd.DataFrame:
        """The county series at month ends (as_at, numerator, denominator, value)."""
        frame = self.latest
        chosen = frame[
            (frame["measure_id"] == measure_id)
            & (frame["breakdown"] == "all")
            & (frame["as_at"].isin(self.month_ends))
        ]
        return chosen[["as_at", "numerator", "denominator", "value"]].sort_values("as_at")


def _as_date(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def find_snapshot(
    conn: sa.Connection, period_end: dt.date, snapshot_key: str | None
) -> SnapshotInfo:
    """The named snapshot, or the earliest one taken on or after the period's end."""
    query = sa.select(
        snapshot.c.snapshot_id, snapshot.c.snapshot_key, snapshot.c.snapshot_date,
        snapshot.c.extract_hash,
    )  # fmt: skip
    if snapshot_key is not None:
        found = conn.execute(query.where(snapshot.c.snapshot_key == snapshot_key)).first()
        if found is None:
            raise LookupError(f"no snapshot {snapshot_key} in the warehouse")
    else:
        found = conn.execute(
            query.where(snapshot.c.snapshot_date >= period_end).order_by(
                snapshot.c.snapshot_date, snapshot.c.snapshot_id
            )
        ).first()
        if found is None:
            raise LookupError(
                f"no snapshot on or after {period_end}: run the weekly extract for that week first"
            )
    return SnapshotInfo(
        found.snapshot_id, found.snapshot_key, _as_date(found.snapshot_date), found.extract_hash
    )


def read_period(
    engine: sa.Engine, period_end: dt.date, snapshot_key: str | None = None
) -> PeriodFigures:
    """Results for the 24 month ends to ``period_end`` and the snapshot date, every breakdown."""
    with engine.connect() as conn:
        info = find_snapshot(conn, period_end, snapshot_key)
        month_ends = tuple(sorted(month_ends_up_to(period_end, TREND_MONTHS)))
        dates = sorted({*month_ends, info.snapshot_date})
        rows = conn.execute(
            sa.select(
                measure_result.c.measure_id,
                measure_result.c.as_at,
                measure_result.c.breakdown,
                measure_result.c.breakdown_value,
                measure_result.c.numerator,
                measure_result.c.denominator,
                measure_result.c.value,
                measure_result.c.extract_hash,
                measure_result.c.computed_at,
            ).where(measure_result.c.as_at.in_(dates))
        ).all()
        findings = conn.execute(
            sa.select(
                data_quality_finding.c.check_name,
                data_quality_finding.c.table_name,
                data_quality_finding.c.column_name,
                data_quality_finding.c.severity,
                data_quality_finding.c.row_count,
                data_quality_finding.c.message,
            )
            .where(data_quality_finding.c.snapshot_id == info.snapshot_id)
            .order_by(data_quality_finding.c.table_name, data_quality_finding.c.column_name)
        ).all()
    frame = pd.DataFrame(
        rows,
        columns=[
            "measure_id", "as_at", "breakdown", "breakdown_value", "numerator", "denominator",
            "value", "extract_hash", "computed_at",
        ],
    )  # fmt: skip
    frame["as_at"] = frame["as_at"].map(_as_date)
    key = ["measure_id", "as_at", "breakdown", "breakdown_value"]
    ordered = frame.sort_values([*key, "computed_at", "extract_hash"])
    return PeriodFigures(
        period_end=period_end,
        snapshot=info,
        month_ends=month_ends,
        latest=ordered.drop_duplicates(key, keep="last").reset_index(drop=True),
        first=ordered.drop_duplicates(key, keep="first").reset_index(drop=True),
        findings=tuple(Finding(*row) for row in findings),
    )


@dataclass(frozen=True)
class Revision:
    measure_id: str
    as_at: dt.date
    first: Cell
    latest: Cell
    first_extract: str
    latest_extract: str


def _number(value) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def revisions(figures: PeriodFigures, measure_ids: list[str]) -> list[Revision]:
    """County figures for earlier month ends whose value changed since first computed."""
    window = set(figures.month_ends[-(REVISION_MONTHS + 1) : -1])
    key = ["measure_id", "as_at", "breakdown", "breakdown_value"]
    both = figures.first.merge(figures.latest, on=key, suffixes=("_first", "_latest"))
    both = both[
        both["measure_id"].isin(measure_ids)
        & (both["breakdown"] == "all")
        & both["as_at"].isin(window)
        & (both["extract_hash_first"] != both["extract_hash_latest"])
    ]
    found = []
    for row in both.sort_values(["measure_id", "as_at"]).itertuples(index=False):
        first, latest = (
            Cell(
                "County",
                _number(getattr(row, f"numerator_{which}")),
                _number(getattr(row, f"denominator_{which}")),
                _number(getattr(row, f"value_{which}")),
            )
            for which in ("first", "latest")
        )
        rounded = [None if c.value is None else round(c.value, 1) for c in (first, latest)]
        if rounded[0] != rounded[1]:
            found.append(
                Revision(
                    row.measure_id,
                    row.as_at,
                    first,
                    latest,
                    row.extract_hash_first,
                    row.extract_hash_latest,
                )  # fmt: skip
            )
    return found
