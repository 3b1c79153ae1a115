"""Judge an extract before anything is written: blocking errors stop the run, warnings are kept.

Blocking: a table or required column missing, values that do not parse as their column's
type, missing or repeated primary keys, and a row count that collapses against the previous
snapshot. Warnings: placeholders (``1900-01-01``, ``SSD_PH``), orphan ids, empty tables.
Every finding names its table, column and number of rows, and never a value.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass

import pandas as pd

from improvement.extract import ExtractManifest, read_staged_table
from improvement.ssd.schema import EXTENSION_TABLES, FOREIGN_KEYS, SSD_TABLES

ALL_TABLES = {**SSD_TABLES, **EXTENSION_TABLES}

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Finding:
    severity: str
    check: str
    table: str
    column: str | None
    rows: int
    detail: str

    @property
    def message(self) -> str:
        where = f"{self.table}.{self.column}" if self.column else self.table
        return f"{where}: {self.detail}"

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class PreviousSnapshot:
    label: str
    row_counts: Mapping[str, int]


class ExtractValidationError(Exception):
    """The extract failed validation; the message lists every blocking finding."""

    def __init__(self, findings: list[Finding]):
        self.findings = [f for f in findings if f.severity == ERROR]
        lines = "\n".join(f"  - {f.message}" for f in self.findings)
        super().__init__(
            f"The case-system extract failed validation with {len(self.findings)} blocking "
            f"problem(s); nothing was written to the warehouse:\n{lines}"
        )


def _rows(n: int) -> str:
    return f"{n:,} row" + ("" if n == 1 else "s")


def _structure_findings(manifest: ExtractManifest, schema_label: str) -> list[Finding]:
    findings = []
    for name, table in manifest.tables.items():
        if not table.present and table.optional:
            findings.append(
                Finding(
                    WARNING,
                    "extension_missing",
                    name,
                    None,
                    0,
                    f"local extension table not found in {schema_label}: "
                    "the measures that need it will show no value",
                )
            )
            continue
        if not table.present:
            findings.append(
                Finding(ERROR, "table_missing", name, None, 0, f"table not found in {schema_label}")
            )
            continue
        for column in table.missing_columns:
            findings.append(
                Finding(
                    ERROR,
                    "column_missing",
                    name,
                    column,
                    table.row_count,
                    f"required column not found (the table has {_rows(table.row_count)})",
                )
            )
        for column, count in sorted(table.unparseable.items()):
            kind = ALL_TABLES[name].column(column).kind
            findings.append(
                Finding(
                    ERROR,
                    "unparseable",
                    name,
                    column,
                    count,
                    f"not a valid {kind} in {_rows(count)} of {table.row_count:,}",
                )
            )
        key = ALL_TABLES[name].primary_key
        if table.null_keys:
            findings.append(
                Finding(
                    ERROR,
                    "null_key",
                    name,
                    key,
                    table.null_keys,
                    f"no primary key in {_rows(table.null_keys)}",
                )
            )
        if table.duplicate_keys:
            findings.append(
                Finding(
                    ERROR,
                    "duplicate_key",
                    name,
                    key,
                    table.duplicate_keys,
                    f"primary key repeated in {_rows(table.duplicate_keys)}",
                )
            )
        for column, count in sorted(table.placeholders.items()):
            findings.append(
                Finding(
                    WARNING,
                    "placeholder",
                    name,
                    column,
                    count,
                    f"placeholder (1900-01-01 or SSD_PH) in {_rows(count)}, read as missing",
                )
            )
    return findings


def _row_count_findings(
    manifest: ExtractManifest, previous: PreviousSnapshot | None, max_row_drop: float
) -> list[Finding]:
    findings = []
    for name, table in manifest.tables.items():
        if not table.present:
            continue
        before = previous.row_counts.get(name) if previous else None
        if before and table.row_count < before * (1 - max_row_drop):
            fall = 100 * (before - table.row_count) / before
            findings.append(
                Finding(
                    ERROR,
                    "row_count_collapse",
                    name,
                    None,
                    table.row_count,
                    f"{_rows(table.row_count)} against {before:,} in the previous snapshot "
                    f"({previous.label}): a fall of {fall:.1f} %, more than the "
                    f"{100 * max_row_drop:.0f} % allowed",
                )
            )
        elif table.row_count == 0:
            findings.append(Finding(WARNING, "empty_table", name, None, 0, "table is empty"))
    return findings


def _orphan_findings(manifest: ExtractManifest) -> list[Finding]:
    findings = []
    columns: dict[tuple[str, str], pd.Series | None] = {}

    def values(table: str, column: str) -> pd.Series | None:
        if (table, column) not in columns:
            extract = manifest.tables.get(table)
            usable = (
                extract is not None
                and bool(extract.staged_file)
                and column not in extract.missing_columns
            )
            columns[(table, column)] = (
                read_staged_table(manifest, table, [column])[column] if usable else None
            )
        return columns[(table, column)]

    for table, column, ref_table, ref_column in FOREIGN_KEYS:
        child, parent = values(table, column), values(ref_table, ref_column)
        if child is None or parent is None:
            continue
        orphans = int((child.notna() & ~child.isin(set(parent.dropna()))).sum())
        if orphans:
            findings.append(
                Finding(
                    WARNING,
                    "orphan_id",
                    table,
                    column,
                    orphans,
                    f"id not found in {ref_table} in {_rows(orphans)}",
                )
            )
    return findings


def validate_extract(
    manifest: ExtractManifest,
    previous: PreviousSnapshot | None,
    max_row_drop: float,
    schema_label: str = "the case system",
) -> list[Finding]:
    """Every finding for this extract, errors first."""
    findings = _structure_findings(manifest, schema_label)
    findings += _row_count_findings(manifest, previous, max_row_drop)
    if not any(f.severity == ERROR for f in findings):
        findings += _orphan_findings(manifest)
    return sorted(findings, key=lambda f: (f.severity != ERROR, f.table, f.column or "", f.check))


def raise_for_errors(findings: list[Finding]) -> None:
    if any(f.severity == ERROR for f in findings):
        raise ExtractValidationError(findings)
