"""Which measures read each SSD and extension column, so a validation finding can say which
figures a bad column spoils.

A measure reads a column when its SQL names it, or names a shared cohort (``sql/workspace/``)
whose SQL names it, directly or through another cohort. SSD column names carry their table's
prefix, so a name in the text is a read of that column (as ``workspace.referenced_columns``
relies on); a name in a comment only makes the answer wider, never narrower.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path

from improvement.measures.catalogue import Measure
from improvement.ssd.schema import EXTENSION_TABLES, SSD_TABLES

WORKSPACE_SQL = Path(__file__).resolve().parents[3] / "sql" / "workspace"
_WORD = re.compile(r"[a-z_][a-z0-9_]*")


def _words(sql: str) -> set[str]:
    return set(_WORD.findall(sql.lower()))


def _with_cohorts(words: set[str], cohorts: Mapping[str, set[str]]) -> set[str]:
    """The words of a query together with those of every shared cohort it reaches."""
    reached, pending = set(), [name for name in cohorts if name in words]
    words = set(words)
    while pending:
        name = pending.pop()
        if name in reached:
            continue
        reached.add(name)
        words |= cohorts[name]
        pending += [other for other in cohorts if other in cohorts[name]]
    return words


def measure_readers(
    measures: Iterable[Measure], workspace_sql: Path = WORKSPACE_SQL
) -> dict[tuple[str, str], tuple[str, ...]]:
    """For each (table, column) some measure reads, the ids of the measures that read it."""
    cohorts = {path.stem: _words(path.read_text()) for path in sorted(workspace_sql.glob("*.sql"))}
    readers: dict[tuple[str, str], list[str]] = {}
    for measure in measures:
        words = _with_cohorts(_words(measure.sql), cohorts)
        for name, spec in {**SSD_TABLES, **EXTENSION_TABLES}.items():
            if name not in words:
                continue
            for column in spec.extracted:
                if column.name in words:
                    readers.setdefault((name, column.name), []).append(measure.id)
    return {key: tuple(ids) for key, ids in readers.items()}
