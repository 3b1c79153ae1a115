"""One canonical text form for every SSD value, whatever database it came from.

SQLite hands back dates as text, PostgreSQL and SQL Server as datetimes; CHAR columns come
back space-padded from some servers. Canonical values make the same records hash the same
on every engine: dates ``YYYY-MM-DD`` (time of day dropped, as the measure conventions
ignore it), integers without decimals, floats as Python's shortest repr, text stripped (and a
lone carriage return, an old Mac line break, written as ``\n``: CSV readers such as Arrow's
take an unquoted ``\r`` for the end of a row, and Python's csv module does not quote it).
Placeholders (``1900-01-01``, ``SSD_PH``) and empty text become missing, and are counted.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import io
import math
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from improvement.ssd.schema import ColumnSpec

PLACEHOLDER_DATE = "1900-01-01"
PLACEHOLDER_TEXT = "SSD_PH"

_ISO_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)?$")
_INTEGER = re.compile(r"^[+-]?\d+(?:\.0*)?$")


class _Unparseable:
    """Marks a value that cannot be read as its column's type."""


UNPARSEABLE = _Unparseable()


@dataclass
class ColumnFindings:
    """What canonicalisation saw in one column (counts only: never values)."""

    placeholders: int = 0
    unparseable: int = 0


@dataclass
class CanonicalTable:
    frame: pd.DataFrame
    findings: dict[str, ColumnFindings] = field(default_factory=dict)


def _canonical_date(value: object) -> object:
    if isinstance(value, dt.datetime | dt.date):
        return dt.date(value.year, value.month, value.day).isoformat()
    if isinstance(value, bytes):
        value = value.decode("utf-8", errors="replace")
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        if text == PLACEHOLDER_TEXT:
            return PLACEHOLDER_TEXT
        match = _ISO_DATE.match(text)
        if match:
            try:
                return dt.date.fromisoformat(match.group(1)).isoformat()
            except ValueError:
                return UNPARSEABLE
    return UNPARSEABLE


def _canonical_int(value: object) -> object:
    if isinstance(value, bool):
        return UNPARSEABLE
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if math.isfinite(value) and value.is_integer() else UNPARSEABLE
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        return str(int(float(text))) if _INTEGER.match(text) else UNPARSEABLE
    return UNPARSEABLE


def _canonical_float(value: object) -> object:
    if isinstance(value, bool):
        return UNPARSEABLE
    if isinstance(value, str):
        if not value.strip():
            return None
        try:
            value = float(value)
        except ValueError:
            return UNPARSEABLE
    if isinstance(value, int | float):
        number = float(value)
        return repr(number) if math.isfinite(number) else UNPARSEABLE
    return UNPARSEABLE


_LONE_CARRIAGE_RETURN = re.compile(r"\r(?!\n)")


def _canonical_text(value: object) -> object:
    if isinstance(value, bytes):
        value = value.decode("utf-8", errors="replace")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return _LONE_CARRIAGE_RETURN.sub("\n", str(value).strip()) or None


_CANONICALISERS = {
    "date": _canonical_date,
    "int": _canonical_int,
    "float": _canonical_float,
    "text": _canonical_text,
}


def _once_per_value(canonicalise: Callable[[object], object]) -> Callable[[object], object]:
    """``canonicalise``, computed once per distinct value: a column repeats its codes, dates and
    descriptions many times. Values are told apart by type too (``True`` is not ``1``)."""
    seen: dict[tuple[type, object], object] = {}

    def cached(value: object) -> object:
        key = (type(value), value)
        if key not in seen:
            seen[key] = canonicalise(value)
        return seen[key]

    return cached


def canonical_column(raw: pd.Series, column: ColumnSpec) -> tuple[pd.Series, ColumnFindings]:
    """Canonical text values for one column, with its placeholder and parse-failure counts."""
    values = raw.astype(object)
    present = values.notna()
    canonicalise = _CANONICALISERS[column.kind]
    if column.kind != "float":  # -0.0 equals 0.0 but prints apart: floats are not cached
        canonicalise = _once_per_value(canonicalise)
    if column.kind == "date" and pd.api.types.is_datetime64_any_dtype(raw.dtype):
        converted = raw[present].dt.strftime("%Y-%m-%d").astype(object)
    else:
        converted = values[present].map(canonicalise)
    findings = ColumnFindings()
    if column.kind == "date":
        placeholder = converted.isin([PLACEHOLDER_DATE, PLACEHOLDER_TEXT])
    else:
        placeholder = (converted == PLACEHOLDER_TEXT).astype(bool)
    findings.placeholders = int(placeholder.sum())
    unparseable = (converted == UNPARSEABLE).astype(bool)  # the marker equals only itself
    findings.unparseable = int(unparseable.sum())
    result = pd.Series([None] * len(values), index=values.index, dtype=object)
    # Placeholders become missing; unparseable values are dropped too, and their count
    # fails validation, so they never reach a snapshot.
    keep = ~(placeholder | unparseable) & converted.notna()
    result[converted.index[keep]] = converted[keep]
    return result, findings


def canonical_table(raw: pd.DataFrame, columns: list[ColumnSpec]) -> CanonicalTable:
    """Canonical copy of ``raw`` restricted to ``columns`` (all must be present in ``raw``)."""
    frame = pd.DataFrame(index=raw.index)
    findings: dict[str, ColumnFindings] = {}
    for column in columns:
        frame[column.name], findings[column.name] = canonical_column(raw[column.name], column)
    return CanonicalTable(frame.astype(object), findings)


def sort_canonical(frame: pd.DataFrame, primary_key: str | None) -> pd.DataFrame:
    """Rows in one engine-independent order: by primary key, then every other column."""
    order = [primary_key] if primary_key in frame.columns else []
    order += [c for c in frame.columns if c not in order]
    if frame.empty or not order:
        return frame.reset_index(drop=True)
    keys = frame[order].fillna("").astype(str)
    return frame.loc[keys.sort_values(order, kind="mergesort").index].reset_index(drop=True)


def canonical_csv(frame: pd.DataFrame) -> bytes:
    """The bytes that are hashed and stored: UTF-8 CSV, header row, ``\\n`` line ends."""
    return frame.to_csv(index=False, lineterminator="\n", na_rep="").encode("utf-8")


def canonical_csv_rows(frame: pd.DataFrame) -> bytes:
    """``canonical_csv`` without its header: rows to append, chunk by chunk, to the same bytes."""
    return frame.to_csv(index=False, header=False, lineterminator="\n", na_rep="").encode("utf-8")


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_canonical_csv(source: Path | bytes, columns: list[str] | None = None) -> pd.DataFrame:
    """A gzip-compressed canonical CSV (a staged file or a stored blob) as text, None missing."""
    data = source.read_bytes() if isinstance(source, Path) else source
    frame = pd.read_csv(
        io.BytesIO(gzip.decompress(data)),
        dtype=object,
        keep_default_na=False,
        na_values=[""],
        usecols=columns,
    )
    return frame.astype(object).where(frame.notna(), None)


def _csv_columns(
    source: Path | bytes, columns: list[str] | None
) -> tuple[list[str], list[str], bool]:
    """A canonical CSV's column names, those of ``columns`` it holds (all when None), and
    whether it holds any row."""
    with gzip.open(io.BytesIO(source) if isinstance(source, bytes) else source) as text:
        header, first_row = text.readline(), text.readline()
    names = header.decode("utf-8").rstrip("\n").split(",") if header.strip() else []
    wanted = names if columns is None else [name for name in columns if name in names]
    return names, wanted, bool(first_row)


def canonical_arrow_batches(
    source: Path | bytes,
    columns: list[str] | None = None,
    types: Mapping[str, pa.DataType] | None = None,
) -> Iterator[pa.RecordBatch]:
    """A gzip-compressed canonical CSV's named columns, a block of rows at a time, as Arrow
    text (null for missing) or as the type ``types`` gives a column (canonical dates parse as
    ``date32``, numbers as ``float64``): a check that counts rows then never holds a column."""
    names, wanted, has_rows = _csv_columns(source, columns)
    if not has_rows or not wanted:  # Arrow reads every column when it is given none
        return
    raw = pa.BufferReader(source) if isinstance(source, bytes) else str(source)
    column_types = {name: pa.string() for name in names} | {
        name: kind for name, kind in (types or {}).items() if name in names
    }
    with pacsv.open_csv(
        pa.input_stream(raw, compression="gzip"),
        read_options=pacsv.ReadOptions(use_threads=False),
        parse_options=pacsv.ParseOptions(newlines_in_values=True),
        convert_options=pacsv.ConvertOptions(
            column_types=column_types,
            include_columns=wanted,
            strings_can_be_null=True,
            quoted_strings_can_be_null=True,
            null_values=[""],
        ),
    ) as reader:
        yield from reader


def read_canonical_arrow(
    source: Path | bytes,
    columns: list[str] | None = None,
    types: Mapping[str, pa.DataType] | None = None,
) -> pa.Table:
    """A gzip-compressed canonical CSV as Arrow columns (text, or ``types``; null for
    missing), streamed a block at a time so that only the named columns are ever held: Arrow
    keeps a column of ids in a few bytes a value, where a frame of Python strings takes about
    sixty, and a date in four."""
    batches = list(canonical_arrow_batches(source, columns, types))
    if batches:
        return pa.Table.from_batches(batches)
    _, wanted, _ = _csv_columns(source, columns)
    return pa.table({name: pa.array([], (types or {}).get(name, pa.string())) for name in wanted})
