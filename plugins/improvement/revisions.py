"""Revisions of published figures: kept when a recomputation changes what a pack showed.

Publishing a pack records every figure it shows (``published_figure``, with the pack's content
hash). Whenever measures are computed again for some dates from an extract (a weekly run, a
backfill after a data fix, a month end), the new values are compared with the figures of every
current publication at those dates; each difference is kept once in ``measure_revision``
(the figure, old and new values, both extract hashes, the pack it was published in). Revisions
at or beyond the configured threshold are posted to the performance team's channel. Figures
and counts only: no record, message or log line holds a name or an id of a person.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd
import sqlalchemy as sa

from improvement.governance import RevisionThreshold
from improvement.measures.catalogue import Measure
from improvement.reports.figures import (
    FIGURE_KEY,
    FIGURE_VALUES,
    as_date,
    number,
    values_differ,
)
from improvement.warehouse.tables import (
    measure_result,
    measure_revision,
    publication,
    published_figure,
)

log = logging.getLogger(__name__)
PACK = ["period_end", "group_id", "content_hash"]


def write_published_figures(
    conn: sa.Connection,
    period_end: dt.date,
    group_id: str,
    content_hash: str,
    figures: pd.DataFrame,
) -> int:
    """Record what a published pack showed (replacing an earlier record of the same pack)."""
    conn.execute(
        published_figure.delete().where(
            published_figure.c.period_end == period_end,
            published_figure.c.group_id == group_id,
            published_figure.c.content_hash == content_hash,
        )
    )
    rows = [
        {
            "period_end": period_end,
            "group_id": group_id,
            "content_hash": content_hash,
            "measure_id": row.measure_id,
            "as_at": row.as_at,
            "breakdown": row.breakdown,
            "breakdown_value": row.breakdown_value,
            "extract_hash": row.extract_hash,
            **{column: number(getattr(row, column)) for column in FIGURE_VALUES},
        }
        for row in figures.itertuples(index=False)
    ]
    if rows:
        conn.execute(published_figure.insert(), rows)
    return len(rows)


@dataclass(frozen=True)
class RevisionFound:
    period_end: dt.date
    group_id: str
    measure_id: str
    as_at: dt.date
    breakdown: str
    breakdown_value: str
    old_value: float | None
    new_value: float | None
    beyond_threshold: bool


def _published_at(conn: sa.Connection, dates: Sequence[dt.date]) -> pd.DataFrame:
    """Figures of every current publication at these dates."""
    rows = conn.execute(
        sa.select(published_figure)
        .select_from(
            published_figure.join(
                publication,
                sa.and_(*(published_figure.c[c] == publication.c[c] for c in PACK)),
            )
        )
        .where(published_figure.c.as_at.in_(sorted(set(dates))))
    ).all()
    frame = pd.DataFrame(rows, columns=[c.name for c in published_figure.c])
    frame["as_at"] = frame["as_at"].map(as_date)
    frame["period_end"] = frame["period_end"].map(as_date)
    return frame


def _computed(conn: sa.Connection, extract_hash: str, dates: Sequence[dt.date]) -> pd.DataFrame:
    rows = conn.execute(
        sa.select(*(measure_result.c[c] for c in [*FIGURE_KEY, *FIGURE_VALUES])).where(
            measure_result.c.extract_hash == extract_hash,
            measure_result.c.as_at.in_(sorted(set(dates))),
        )
    ).all()
    frame = pd.DataFrame(rows, columns=[*FIGURE_KEY, *FIGURE_VALUES])
    frame["as_at"] = frame["as_at"].map(as_date)
    return frame


def record_revisions(
    engine: sa.Engine,
    extract_hash: str,
    as_at_dates: Sequence[dt.date],
    measures: Mapping[str, Measure],
    threshold: RevisionThreshold,
    dag_id: str,
    run_id: str,
) -> list[RevisionFound]:
    """Compare the results just computed from ``extract_hash`` with the published figures at
    the same dates; keep each new difference once and return the ones not seen before.

    A published figure the recomputation no longer produces (a breakdown that vanished) is a
    revision to "no figure". Running the same comparison again finds nothing new.
    """
    now = dt.datetime.now(dt.UTC)
    with engine.begin() as conn:
        published = _published_at(conn, as_at_dates)
        published = published[
            (published["extract_hash"] != extract_hash)
            & published["measure_id"].isin(list(measures))
        ]
        if published.empty:
            return []
        computed = _computed(conn, extract_hash, as_at_dates)
        both = published.merge(computed, on=FIGURE_KEY, how="left", suffixes=("_old", "_new"))
        old, new = (
            both[[f"{c}_{side}" for c in FIGURE_VALUES]].set_axis(FIGURE_VALUES, axis=1)
            for side in ("old", "new")
        )
        changed = both[values_differ(old, new)]
        if changed.empty:
            return []
        known = {
            tuple(map(str, row))
            for row in conn.execute(
                sa.select(*(measure_revision.c[c] for c in [*PACK, *FIGURE_KEY])).where(
                    measure_revision.c.new_extract_hash == extract_hash,
                    measure_revision.c.as_at.in_(sorted(set(changed["as_at"]))),
                )
            ).all()
        }
        found, rows = [], []
        for row in changed.itertuples(index=False):
            key = (row.period_end, row.group_id, row.content_hash, row.measure_id, row.as_at,
                   row.breakdown, row.breakdown_value)  # fmt: skip
            if tuple(map(str, key)) in known:
                continue
            old, new = number(row.value_old), number(row.value_new)
            beyond = threshold.is_beyond(measures[row.measure_id].unit, old, new)
            rows.append(
                {
                    **dict(zip([*PACK, *FIGURE_KEY], key, strict=True)),
                    "new_extract_hash": extract_hash,
                    "old_extract_hash": row.extract_hash,
                    **{f"old_{c}": number(getattr(row, f"{c}_old")) for c in FIGURE_VALUES},
                    **{f"new_{c}": number(getattr(row, f"{c}_new")) for c in FIGURE_VALUES},
                    "beyond_threshold": beyond,
                    "dag_id": dag_id,
                    "run_id": run_id,
                    "detected_at": now,
                }
            )
            found.append(
                RevisionFound(row.period_end, row.group_id, row.measure_id, row.as_at,
                              row.breakdown, row.breakdown_value, old, new, beyond)
            )  # fmt: skip
        if rows:
            conn.execute(measure_revision.insert(), rows)
    log.info(
        "%d published figures revised by extract %s (%d at or beyond the threshold)",
        len(found), extract_hash[:12], sum(r.beyond_threshold for r in found),
    )  # fmt: skip
    return found


def read_revisions(engine: sa.Engine) -> list[dict]:
    """Every revision record, oldest first (for tests, the CLI and audits)."""
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(measure_revision).order_by(
                measure_revision.c.detected_at, *(measure_revision.c[c] for c in FIGURE_KEY)
            )
        ).mappings()
        return [dict(row) for row in rows]


def notice(
    found: Sequence[RevisionFound], measures: Mapping[str, Measure], run_label: str, limit: int = 10
) -> tuple[str, str] | None:
    """The performance team's message about revisions at or beyond the threshold, and its
    delivery key (the same revisions always give the same key, so a retry posts nothing)."""
    from improvement.reports.render import figure

    beyond = [r for r in found if r.beyond_threshold]
    if not beyond:
        return None
    figures = sorted({(r.measure_id, r.as_at, r.breakdown, r.breakdown_value) for r in beyond})
    packs = sorted({(r.period_end, r.group_id) for r in found})
    digest = hashlib.sha256(
        "\n".join(f"{r.period_end}|{r.group_id}|{r.measure_id}|{r.as_at}|{r.breakdown}|"
                  f"{r.breakdown_value}|{r.new_value}" for r in beyond).encode()
    ).hexdigest()[:24]  # fmt: skip
    lines = [
        f"*Published figures revised* by {run_label}: {len(figures)} figure"
        f"{'s' if len(figures) != 1 else ''} changed at or beyond the revision threshold, "
        f"across {len(packs)} published pack{'s' if len(packs) != 1 else ''}. "
        'Each group\'s next pack lists them under "Revised since last published".'
    ]
    shown = {}
    for r in sorted(beyond, key=lambda r: (r.breakdown != "all", r.measure_id, r.as_at)):
        shown.setdefault((r.measure_id, r.as_at, r.breakdown, r.breakdown_value), r)
    for (measure_id, as_at, breakdown, value), r in list(shown.items())[:limit]:
        measure = measures[measure_id]
        where = "county" if breakdown == "all" else f"{breakdown.replace('_', ' ')} {value}"
        lines.append(
            f"• {measure.title}, {as_at:%-d %B %Y} ({where}): "
            f"{figure(r.old_value, measure.unit)} → {figure(r.new_value, measure.unit)}"
        )
    if len(shown) > limit:
        lines.append(f"… and {len(shown) - limit} more (warehouse table measure_revision).")
    return "\n".join(lines), f"revisions/{digest}"
