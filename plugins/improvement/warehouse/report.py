"""Plain-text summaries of what the warehouse holds (counts and codes only, never records)."""

from __future__ import annotations

import datetime as dt
import json

import sqlalchemy as sa

from improvement.ssd.codes import CATALOGUE, CodeBook
from improvement.warehouse.rejections import read_rejections
from improvement.warehouse.tables import (
    data_quality_finding,
    pipeline_run,
    snapshot,
    snapshot_table,
)


def describe_snapshot(engine: sa.Engine, snapshot_key: str | None = None) -> str:
    with engine.connect() as conn:
        query = sa.select(snapshot)
        if snapshot_key:
            query = query.where(snapshot.c.snapshot_key == snapshot_key)
        row = conn.execute(
            query.order_by(snapshot.c.snapshot_date.desc(), snapshot.c.written_at.desc()).limit(1)
        ).first()
        if row is None:
            return f"No snapshot {snapshot_key or ''} in the warehouse yet".replace("  ", " ")
        tables = conn.execute(
            sa.select(snapshot_table.c.table_name, snapshot_table.c.row_count)
            .where(snapshot_table.c.snapshot_id == row.snapshot_id)
            .order_by(snapshot_table.c.table_name)
        ).all()
        findings = conn.execute(
            sa.select(data_quality_finding.c.severity, data_quality_finding.c.message)
            .where(data_quality_finding.c.snapshot_id == row.snapshot_id)
            .order_by(data_quality_finding.c.table_name, data_quality_finding.c.column_name)
        ).all()
        runs = conn.execute(
            sa.select(pipeline_run).where(pipeline_run.c.snapshot_id == row.snapshot_id)
        ).all()
    lines = [
        f"Snapshot {row.snapshot_key} (as at {row.snapshot_date})",
        f"  extract hash {row.extract_hash}",
        f"  source       {row.source}",
    ]
    for run in runs:
        lines.append(
            f"  run          {run.dag_id} {run.run_id}: extract {run.extract_seconds:.2f} s, "
            f"validate {run.validate_seconds:.2f} s, snapshot {run.snapshot_seconds:.2f} s"
        )
    lines.append(f"  {len(tables)} tables, {sum(r.row_count for r in tables):,} rows:")
    lines += [f"    {name:<28}{count:>10,}" for name, count in tables]
    lines.append(f"  {len(findings)} data-quality findings:")
    lines += [f"    [{severity}] {message}" for severity, message in findings]
    return "\n".join(lines)


def describe_rejections(engine: sa.Engine, since: dt.date | None = None) -> str:
    """Each refused weekly extract, its blocking problems and whether the week was replaced."""
    with engine.connect() as conn:
        refused = read_rejections(conn, first=since)
    if not refused:
        return "No refused extracts" + (f" since {since}" if since else "")
    lines = []
    for extract in refused:
        status = "replaced by an accepted extract" if extract.resolved else "NOT REPLACED"
        lines.append(
            f"Week ending {extract.snapshot_date} (extract {extract.extract_hash[:12]}, "
            f"run {extract.run_id}): {status}"
        )
        lines += [f"  - {finding.message}" for finding in extract.blocking]
    return "\n".join(lines)


def describe_unmapped_codes(engine: sa.Engine, snapshot_key: str, codes: CodeBook) -> str:
    """Every value of a stored snapshot's coded columns that nothing maps yet (codes and
    descriptions, never a free-text or identifying column), with its rows and what the
    measures do with it, ending in entries ready to complete in the council's mapping file."""
    from improvement.validate import unmapped_values, value_counts
    from improvement.warehouse.stored import open_snapshot

    def _rows(n: int) -> str:
        return f"{n:,} row" + ("" if n == 1 else "s")

    lines, entries = [], []
    with engine.connect() as conn:
        stored = open_snapshot(conn, snapshot_key)
        for (table, column_name), column in CATALOGUE.items():
            read = stored.read(table, [column_name])
            if read is None or column_name not in read.schema.names:
                continue
            counts = value_counts(read.column(column_name))
            unmapped = unmapped_values(codes, column, counts)
            if not unmapped:
                continue
            rows, total = sum(n for _, n in unmapped), sum(counts.values())
            lines.append(f"{column.label}: {_rows(rows)} of {total:,}; {column.unmapped}")
            lines += [f"  {value!r}: {_rows(n)}" for value, n in unmapped]
            entries.append(f"  {column_name}:")
            entries += [
                f'    {json.dumps(value, ensure_ascii=False)}: ""  # {_rows(n)}: its '
                f"{column.codes.name} code"
                for value, n in unmapped
            ]
    if not lines:
        return f"Every coded value in {snapshot_key} maps to a code ({codes.source})."
    return "\n".join(
        [f"Coded values in {snapshot_key} that nothing maps ({codes.source}):", *lines, "",
         "To map them, add to the council's code_mappings.yaml (each code from the list in "
         "plugins/improvement/ssd/codes.py):", "columns:", *entries]
    )  # fmt: skip
