"""Read the figures a pack needs from the warehouse, once for all groups of a period.

For each measure and as-at date the most recent computation's extract wins, and only its figures
are read (``assess.latest_extracts``), so a corrected extract supersedes what it revises and a
breakdown it lacks shows no figure rather than an older extract's. Beside them are the figures
each group's earlier packs published, so a pack can say which of those figures are now
different.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

import pandas as pd
import sqlalchemy as sa

from improvement.governance import Group
from improvement.measures.asat import month_ends_up_to
from improvement.measures.assess import CURRENT_KEY, latest_extracts
from improvement.measures.catalogue import Measure
from improvement.reports.disclosure import Cell
from improvement.returns.readiness import ReturnsSummary, returns_summary
from improvement.warehouse.rejections import RejectedExtract, read_rejections
from improvement.warehouse.tables import (
    data_quality_finding,
    measure_result,
    publication,
    published_figure,
    snapshot,
)

TREND_MONTHS = 24
FIGURE_KEY = ["measure_id", "as_at", "breakdown", "breakdown_value"]
FIGURE_VALUES = ["numerator", "denominator", "value"]


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
    """Every stored result a period's packs can use (the latest computation's, per measure and
    date), and the figures the groups' earlier packs published (``published``: see
    ``read_published``)."""

    period_end: dt.date
    snapshot: SnapshotInfo
    month_ends: tuple[dt.date, ...]  # oldest first, ending at period_end
    latest: pd.DataFrame
    published: pd.DataFrame
    findings: tuple[Finding, ...]
    # Weeks of the period whose extract validation refused and no accepted extract replaced.
    refused_weeks: tuple[RejectedExtract, ...]
    # What the DfE's SSDA903 rules found on the snapshot (None: it was not checked).
    returns: ReturnsSummary | None = None

    def rows(self, measure_id: str, as_at: dt.date, breakdown: str) -> pd.DataFrame:
        frame = self.latest
        return frame[
            (frame["measure_id"] == measure_id)
            & (frame["as_at"] == as_at)
            & (frame["breakdown"] == breakdown)
        ]

    @functools.cached_property
    def _county_at_period_end(self) -> frozenset[str]:
        frame = self.latest
        chosen = frame[(frame["breakdown"] == "all") & (frame["as_at"] == self.period_end)]
        return frozenset(chosen["measure_id"])

    def as_at(self, measure: Measure) -> dt.date:
        """The date a pack reads the measure at: the period's end; for a current-state measure
        (``history: false``) that has no figure there (the monthly computation stores one), the
        snapshot date, the only date it was measured at."""
        if measure.history or measure.id in self._county_at_period_end:
            return self.period_end
        return self.snapshot.snapshot_date

    def series(self, measure_id: str) -> pd.DataFrame:
        """The county series at month ends (as_at, numerator, denominator, value)."""
        frame = self.latest
        chosen = frame[
            (frame["measure_id"] == measure_id)
            & (frame["breakdown"] == "all")
            & (frame["as_at"].isin(self.month_ends))
        ]
        return chosen[["as_at", "numerator", "denominator", "value"]].sort_values("as_at")


def as_date(value) -> dt.date:
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
        found.snapshot_id, found.snapshot_key, as_date(found.snapshot_date), found.extract_hash
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
        published = read_published(conn, period_end)
        refused = read_rejections(conn, first=period_end.replace(day=1), last=info.snapshot_date)
        returns = returns_summary(conn, info.snapshot_key, info.snapshot_date)
    frame = pd.DataFrame(
        rows,
        columns=[
            "measure_id", "as_at", "breakdown", "breakdown_value", "numerator", "denominator",
            "value", "extract_hash", "computed_at",
        ],
    )  # fmt: skip
    frame["as_at"] = frame["as_at"].map(as_date)
    current = frame.merge(latest_extracts(frame), on=CURRENT_KEY)
    return PeriodFigures(
        period_end=period_end,
        snapshot=info,
        month_ends=month_ends,
        latest=current.sort_values(FIGURE_KEY).reset_index(drop=True),
        published=published,
        findings=tuple(Finding(*row) for row in findings),
        refused_weeks=tuple(r for r in refused if not r.resolved),
        returns=returns,
    )


def read_published(conn: sa.Connection, period_end: dt.date) -> pd.DataFrame:
    """For each group, the figures of its current publication for this period (if the period is
    being published again) and of its latest publication for an earlier period: what its pack
    for this period reports revisions against."""
    current = sa.select(
        publication.c.group_id, publication.c.period_end, publication.c.content_hash
    ).where(publication.c.period_end <= period_end)
    chosen = {}
    for group_id, published_period, content_hash in conn.execute(current).all():
        published_period = as_date(published_period)
        slot = "same" if published_period == period_end else "earlier"
        best = chosen.get((group_id, slot))
        if best is None or published_period > best[0]:
            chosen[(group_id, slot)] = (published_period, content_hash)
    columns = ["group_id", "published_period", "same_period", *FIGURE_KEY, "extract_hash",
               *FIGURE_VALUES]  # fmt: skip
    rows = []
    for (group_id, slot), (published_period, content_hash) in sorted(chosen.items()):
        found = conn.execute(
            sa.select(
                *(published_figure.c[c] for c in [*FIGURE_KEY, "extract_hash", *FIGURE_VALUES])
            ).where(
                published_figure.c.period_end == published_period,
                published_figure.c.group_id == group_id,
                published_figure.c.content_hash == content_hash,
            )
        ).all()
        rows += [(group_id, published_period, slot == "same", *row) for row in found]
    frame = pd.DataFrame(rows, columns=columns)
    frame["as_at"] = frame["as_at"].map(as_date)
    return frame


def shown_figures(figures: PeriodFigures, group: Group, measures: list[Measure]) -> pd.DataFrame:
    """The figures a group's pack shows: each measure's county figure at the month ends of its
    trend (a current-state measure's at ``PeriodFigures.as_at``) and the group's breakdowns at
    that date. What a publication records, and what revisions are checked against."""
    frame = figures.latest
    dates = {m.id: figures.as_at(m) for m in measures}
    as_at = frame["measure_id"].map(dates)
    history = frame["measure_id"].map({m.id: m.history for m in measures}).fillna(False)
    tabled_pairs = {f"{m.id}|{b}" for m in measures for b in group.breakdowns if b in m.breakdowns}
    tabled = (frame["measure_id"] + "|" + frame["breakdown"]).isin(tabled_pairs)
    county = frame["breakdown"] == "all"
    keep = as_at.notna() & (
        (county & (frame["as_at"] == as_at))
        | (county & history.astype(bool) & frame["as_at"].isin(figures.month_ends))
        | (tabled & (frame["as_at"] == as_at))
    )
    return frame.loc[keep, [*FIGURE_KEY, "extract_hash", *FIGURE_VALUES]].reset_index(drop=True)


@dataclass(frozen=True)
class Revision:
    """A figure a group's earlier pack published that is now different."""

    measure_id: str
    as_at: dt.date
    breakdown: str
    breakdown_value: str
    published: Cell
    now: Cell
    published_period: dt.date  # the period of the pack that published it


def number(value) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def values_differ(left: pd.DataFrame, right: pd.DataFrame) -> pd.Series:
    """Row by row, whether any of numerator, denominator and value differ (missing = missing);
    both frames hold those three columns, aligned on the same index."""
    result = pd.Series(False, index=left.index)
    for column in FIGURE_VALUES:
        a, b = left[column], right[column]
        result |= ~((a == b) | (a.isna() & b.isna()))
    return result


def revisions_since_published(
    figures: PeriodFigures, group_id: str, shown: pd.DataFrame
) -> list[Revision]:
    """Figures this pack shows that the group's earlier packs published with another value.

    Compared first with this period's own publication (the pack is being published again after
    a data fix), else with the group's latest publication of an earlier period; so publishing
    the same data again reproduces the same list."""
    base = figures.published[figures.published["group_id"] == group_id]
    found: dict[tuple, Revision] = {}
    for same_period in (False, True):  # the same period's publication, when it differs, wins
        part = base[base["same_period"] == same_period]
        both = part.merge(shown, on=FIGURE_KEY, suffixes=("_published", ""))
        if both.empty:
            continue
        published = both[[f"{c}_published" for c in FIGURE_VALUES]].set_axis(FIGURE_VALUES, axis=1)
        changed = both[values_differ(published, both[FIGURE_VALUES])]
        for row in changed.itertuples(index=False):
            key = (row.measure_id, row.as_at, row.breakdown, row.breakdown_value)
            found[key] = Revision(
                row.measure_id, row.as_at, row.breakdown, row.breakdown_value,
                Cell("County", number(row.numerator_published),
                     number(row.denominator_published), number(row.value_published)),
                Cell("County", number(row.numerator), number(row.denominator),
                     number(row.value)),
                row.published_period,
            )  # fmt: skip
    return [found[key] for key in sorted(found)]
