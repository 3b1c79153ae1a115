"""A measure's fast query held to its ``reference.sql``, the definition written out date by date."""

from __future__ import annotations

from itertools import zip_longest

from improvement.measures.catalogue import Measure
from improvement.measures.workspace import Workspace


def query_rows(ws: Workspace, sql: str) -> list[tuple]:
    """A measure query's rows (as_at, team_id, numerator, denominator), numbers as floats,
    in order: how the fast query and its reference are compared."""
    return sorted(
        ((as_at, team, float(n), float(d)) for as_at, team, n, d in ws.rows(sql)),
        key=lambda row: (row[0], row[1] is not None, row[1] or ""),
    )


def assert_as_reference(ws: Workspace, measure: Measure) -> None:
    fast, reference = query_rows(ws, measure.sql), query_rows(ws, measure.reference_sql)
    assert fast == reference, (
        f"{measure.id}: query.sql gives {len(fast)} rows, reference.sql {len(reference)}; "
        f"first difference: {next((p for p in zip_longest(fast, reference) if p[0] != p[1]), None)}"
    )
