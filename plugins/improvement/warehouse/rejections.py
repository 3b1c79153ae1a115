"""The lasting record of extracts that validation refused.

A refused extract writes no snapshot, so without this record its blocking problems would live
only in a task log and a Slack message. Each finding is kept once per period and extract: a
re-run that refuses the same extract again adds nothing, a different bad extract of the same
period adds its own findings. A period stays *unresolved* until an accepted snapshot exists for
it. Messages name tables, columns and row counts only, never values.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa

from improvement.validate import Finding
from improvement.warehouse.snapshots import finding_columns
from improvement.warehouse.tables import rejected_extract_finding, snapshot

_KEY = ("check_name", "table_name", "column_name")


@dataclass(frozen=True)
class RejectedExtract:
    cadence: str
    snapshot_date: dt.date
    extract_hash: str
    source: str
    dag_id: str
    run_id: str
    detected_at: dt.datetime
    findings: tuple[Finding, ...]
    resolved: bool  # an accepted snapshot of the same period exists now

    @property
    def blocking(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity == "error")


def record_rejection(
    engine: sa.Engine,
    cadence: str,
    snapshot_date: dt.date,
    extract_hash: str,
    source: str,
    findings: list[Finding],
    dag_id: str,
    run_id: str,
) -> int:
    """Keep every finding of a refused extract; returns how many were new."""
    table = rejected_extract_finding
    with engine.begin() as conn:
        known = {
            tuple(row)
            for row in conn.execute(
                sa.select(*(table.c[name] for name in _KEY)).where(
                    (table.c.cadence == cadence)
                    & (table.c.snapshot_date == snapshot_date)
                    & (table.c.extract_hash == extract_hash)
                )
            )
        }
        detected_at = dt.datetime.now(dt.UTC)
        rows = [
            {
                "cadence": cadence,
                "snapshot_date": snapshot_date,
                "extract_hash": extract_hash,
                **finding_columns(f),
                "source": source[:500],
                "dag_id": dag_id,
                "run_id": run_id,
                "detected_at": detected_at,
            }
            for f in findings
            if (f.check, f.table, f.column or "") not in known
        ]
        if rows:
            conn.execute(table.insert(), rows)
    return len(rows)


def read_rejections(
    conn: sa.Connection,
    first: dt.date | None = None,
    last: dt.date | None = None,
    cadence: str = "weekly",
) -> list[RejectedExtract]:
    """Refused extracts of periods ending from ``first`` to ``last``, oldest first."""
    table = rejected_extract_finding
    query = sa.select(table).where(table.c.cadence == cadence)
    if first is not None:
        query = query.where(table.c.snapshot_date >= first)
    if last is not None:
        query = query.where(table.c.snapshot_date <= last)
    rows = conn.execute(
        query.order_by(table.c.snapshot_date, table.c.detected_at, table.c.extract_hash)
    ).all()
    accepted = set(
        conn.execute(
            sa.select(snapshot.c.snapshot_date).where(snapshot.c.cadence == cadence)
        ).scalars()
    )
    # The message is "<table>.<column>: <detail>"; the detail alone rebuilds the Finding.
    grouped: dict[tuple, list] = {}
    for row in rows:
        grouped.setdefault((row.snapshot_date, row.extract_hash), []).append(row)
    rejected = []
    for (snapshot_date, extract_hash), findings in grouped.items():
        first_row = findings[0]
        rejected.append(
            RejectedExtract(
                cadence=cadence,
                snapshot_date=snapshot_date,
                extract_hash=extract_hash,
                source=first_row.source,
                dag_id=first_row.dag_id,
                run_id=first_row.run_id,
                detected_at=first_row.detected_at,
                findings=tuple(
                    Finding(
                        severity=row.severity,
                        check=row.check_name,
                        table=row.table_name,
                        column=row.column_name or None,
                        rows=row.row_count,
                        detail=row.message.split(": ", 1)[-1],
                    )
                    for row in sorted(findings, key=lambda r: (r.severity != "error", r.table_name))
                ),
                resolved=snapshot_date in accepted,
            )
        )
    return rejected
