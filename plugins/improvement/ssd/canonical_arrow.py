"""The canonical values of ``canonical.py``, computed a column at a time with pyarrow.compute.

Each rule gives the same text as the per-value function for the value a database driver would
have handed pandas: strings, integers, floats, bytes, or a mix (kept as a Python list). The
common cases (text, ISO dates, integers) are vectorised; what only Python prints the same way
(float repr, ``int(float(text))``) is computed once per distinct value in Python, and a mixed
column goes through ``canonical_column`` itself.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from improvement.ssd.canonical import (
    _CANONICALISERS,
    _ISO_DATE,
    PLACEHOLDER_DATE,
    PLACEHOLDER_TEXT,
    UNPARSEABLE,
    ColumnFindings,
    canonical_column,
)
from improvement.ssd.schema import ColumnSpec

# What Python's str.strip() removes, so that trimming here matches it exactly.
_PYTHON_WHITESPACE = "".join(chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace())
_ISO_DATE_RE2 = _ISO_DATE.pattern  # ASCII input only: Python's \d also takes other digits
_NULL_TEXT = pa.scalar(None, pa.string())
# What the csv module quotes under QUOTE_MINIMAL with "\n" lines (not a lone "\r").
_NEEDS_QUOTES = (b'"', b",", b"\n")
_NEEDS_QUOTES_RE2 = r'[",\n]'
_EXACT_INT = 2**53  # beyond this a float no longer holds every integer


@dataclass
class CanonicalBatch:
    """Canonical text columns (``pa.string``, null for missing) for a batch of rows."""

    columns: dict[str, pa.Array]
    findings: dict[str, ColumnFindings] = field(default_factory=dict)

    @property
    def num_rows(self) -> int:
        return len(next(iter(self.columns.values()))) if self.columns else 0


def _per_distinct(values: pa.Array, canonicalise: Callable[[object], object]) -> tuple:
    """``canonicalise`` in Python once per distinct value (floats told apart by their bits,
    so -0.0 is not 0.0): the converted strings and where they were unparseable."""
    keys = values.view(pa.int64()) if pa.types.is_float64(values.type) else values
    distinct = pc.unique(keys)
    originals = distinct.view(pa.float64()) if keys is not values else distinct
    results = [None if v is None else canonicalise(v) for v in originals.to_pylist()]
    positions = pc.index_in(keys, value_set=distinct)
    unparseable = pa.array([r is UNPARSEABLE for r in results], pa.bool_())
    text = pa.array([r if isinstance(r, str) else None for r in results], pa.string())
    return pc.take(text, positions), pc.fill_null(pc.take(unparseable, positions), False)


def _nowhere(values: pa.Array) -> pa.Array:
    return pa.array(np.zeros(len(values), dtype=bool))


def _trimmed(values: pa.Array) -> pa.Array:
    trimmed = pc.utf8_trim(values, characters=_PYTHON_WHITESPACE)
    return pc.if_else(pc.equal(trimmed, ""), _NULL_TEXT, trimmed)


def _valid_date(text: str) -> bool:
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _dates_from_text(values: pa.Array) -> tuple:
    """``_canonical_date`` of text: the ``YYYY-MM-DD`` of an ISO date or date-time, checked
    once per distinct day; non-ASCII text takes the Python function itself."""
    text = _trimmed(values)
    ascii_text = pc.fill_null(pc.string_is_ascii(text), True)
    matched = pc.and_(ascii_text, pc.match_substring_regex(text, _ISO_DATE_RE2))
    day = pc.utf8_slice_codeunits(text, 0, 10)
    days = pc.unique(pc.filter(day, matched))
    valid_days = pc.filter(days, pa.array([_valid_date(d) for d in days.to_pylist()], pa.bool_()))
    good = pc.fill_null(pc.and_(matched, pc.is_in(day, value_set=valid_days)), False)
    placeholder = pc.equal(text, PLACEHOLDER_TEXT)
    known = pc.fill_null(pc.or_kleene(good, placeholder), False)
    result = pc.if_else(known, pc.if_else(good, day, text), _NULL_TEXT)
    unparseable = pc.and_(pc.and_(pc.is_valid(text), pc.invert(known)), ascii_text)
    if not pc.all(ascii_text).as_py():
        others, others_bad = _per_distinct(
            pc.if_else(ascii_text, _NULL_TEXT, text), _CANONICALISERS["date"]
        )
        result = pc.coalesce(result, others)
        unparseable = pc.or_(unparseable, others_bad)
    return result, unparseable


def _converted(values: pa.Array, kind: str) -> tuple:
    """The converted text of each value and where it was unparseable, before placeholders."""
    canonicalise = _CANONICALISERS[kind]
    if pa.types.is_string(values.type) or pa.types.is_large_string(values.type):
        values = values.cast(pa.string())
        if kind == "text" and b"\r" not in _text_bytes(values):
            return _trimmed(values), _nowhere(values)
        if kind == "date":
            return _dates_from_text(values)
        return _per_distinct(values, canonicalise)
    if pa.types.is_integer(values.type) and kind in ("int", "text"):
        return pc.cast(values, pa.string()), _nowhere(values)
    if pa.types.is_floating(values.type):
        values = values.cast(pa.float64())
        values = pc.if_else(pc.is_nan(values), None, values)  # pandas reads NaN as missing
    return _per_distinct(values, canonicalise)


def _canonical_values(values: pa.Array, kind: str) -> tuple:
    """The canonical text of each value, and where it was a placeholder or unparseable."""
    converted, unparseable = _converted(values, kind)
    markers = [PLACEHOLDER_DATE, PLACEHOLDER_TEXT] if kind == "date" else [PLACEHOLDER_TEXT]
    placeholder = pc.fill_null(pc.is_in(converted, value_set=pa.array(markers)), False)
    return pc.if_else(placeholder, _NULL_TEXT, converted), placeholder, unparseable


def canonical_array(values: pa.Array | list, column: ColumnSpec) -> tuple[pa.Array, ColumnFindings]:
    """Canonical text of one column (as ``canonical_column``) and its findings. A Python list is
    a column of mixed types, which only ``canonical_column`` reads as pandas did; a dictionary
    array's distinct values are canonicalised once each (a date column repeats its days)."""
    if isinstance(values, list):
        result, findings = canonical_column(pd.Series(values, dtype=object), column)
        return pa.array(result.tolist(), pa.string()), findings
    if pa.types.is_null(values.type):
        return pa.nulls(len(values), pa.string()), ColumnFindings()
    if pa.types.is_dictionary(values.type):
        distinct = _canonical_values(values.dictionary, column.kind)
        result, placeholder, unparseable = (pc.take(a, values.indices) for a in distinct)
    else:
        result, placeholder, unparseable = _canonical_values(values, column.kind)
    findings = ColumnFindings(
        placeholders=pc.sum(placeholder).as_py() or 0,
        unparseable=pc.sum(unparseable).as_py() or 0,
    )
    return result, findings


def canonical_batch(
    columns: dict[str, pa.Array | list], wanted: list[ColumnSpec]
) -> CanonicalBatch:
    """Canonical copy of raw ``columns`` (one per wanted column, by name)."""
    batch = CanonicalBatch({})
    for column in wanted:
        batch.columns[column.name], batch.findings[column.name] = canonical_array(
            columns[column.name], column
        )
    return batch


def batch_from_frame(frame: pd.DataFrame, findings: dict[str, ColumnFindings]) -> CanonicalBatch:
    """A canonical pandas frame (``canonical_table``'s) as a batch."""
    columns = {name: pa.array(frame[name].tolist(), pa.string()) for name in frame.columns}
    return CanonicalBatch(columns, findings)


def frame_from_batch(batch: CanonicalBatch) -> pd.DataFrame:
    """A batch as the object frame of ``canonical_table`` (str or None)."""
    return pd.DataFrame(
        {name: pd.Series(a.to_numpy(zero_copy_only=False), dtype=object)
         for name, a in batch.columns.items()}
    )  # fmt: skip


def _text_bytes(values: pa.Array) -> bytes:
    """The UTF-8 bytes of the values, end to end (and of any bytes a null slot spans)."""
    offsets = np.frombuffer(values.buffers()[1], dtype=np.int32)
    start, end = offsets[values.offset], offsets[values.offset + len(values)]
    return values.buffers()[2][start:end].to_pybytes() if end > start else b""


def _may_need_quotes(values: pa.Array) -> bool:
    """Whether any value may hold a quote, comma or newline: one scan of the column's bytes,
    where most columns hold none and need no per-value test."""
    data = _text_bytes(values)
    return any(character in data for character in _NEEDS_QUOTES)


def _csv_field(values: pa.Array) -> pa.Array:
    if not _may_need_quotes(values):
        return pc.fill_null(values, "")
    quoted = pc.binary_join_element_wise('"', pc.replace_substring(values, '"', '""'), '"', "")
    needs = pc.fill_null(pc.match_substring_regex(values, _NEEDS_QUOTES_RE2), False)
    return pc.fill_null(pc.if_else(needs, quoted, values), "")


def canonical_csv_rows(batch: CanonicalBatch) -> bytes:
    """The bytes ``canonical.canonical_csv_rows`` writes for the same rows: fields quoted only
    when they hold a quote, comma or newline; missing values empty (a lone one as ``""``)."""
    if not batch.num_rows:
        return b""
    fields = [_csv_field(a) for a in batch.columns.values()]
    if len(fields) == 1:
        fields[0] = pc.if_else(pc.equal(fields[0], ""), '""', fields[0])
    lines = pc.binary_join_element_wise(pc.binary_join_element_wise(*fields, ","), "", "\n")
    return _text_bytes(lines)
