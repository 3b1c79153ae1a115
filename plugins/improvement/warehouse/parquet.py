"""A stored table as Parquet: its canonical values, typed, one column chunk per column.

The canonical CSV (``ssd.canonical``) is what is hashed: the same records give the same bytes
on every engine. The Parquet copy of it is what runs read: typed (dates as dates, so nothing
parses them again), compressed by column, and read column by column, so a measure run reads
the few columns its queries name. It is written from the canonical CSV in the snapshot step and
stored beside it under the same content hash (``extract_parquet``). A table stored before this
copy existed is converted from its CSV when it is read.
"""

from __future__ import annotations

import gzip
import io
from collections.abc import Iterable

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from improvement.ssd.schema import EXTENSION_TABLES, SSD_TABLES, ColumnSpec

WORK_TABLES = {**SSD_TABLES, **EXTENSION_TABLES}
ARROW_TYPES = {"date": pa.date32(), "int": pa.int64(), "float": pa.float64(), "text": pa.string()}
# Zstandard at its default level: about as small as gzip, several times faster to read.
_COMPRESSION = "zstd"


def arrow_schema(columns: Iterable[ColumnSpec]) -> pa.Schema:
    return pa.schema([(c.name, ARROW_TYPES[c.kind]) for c in columns])


def typed(text: pa.Table, columns: Iterable[ColumnSpec]) -> pa.Table:
    """Canonical text columns (missing: null) as their kinds' Arrow types.

    Canonical values always parse (``ssd.canonical`` drops what does not), so each cast is
    exact: ISO dates, integers without decimals, floats in Python's shortest repr."""
    columns = list(columns)
    arrays = [text.column(c.name).cast(ARROW_TYPES[c.kind]) for c in columns]
    return pa.Table.from_arrays(arrays, schema=arrow_schema(columns))


def from_canonical_csv(payload: bytes, table_name: str) -> pa.Table:
    """A gzip-compressed canonical CSV (a staged file or a stored blob) as a typed table."""
    data = gzip.decompress(payload)
    header = data.split(b"\n", 1)[0].decode("utf-8")
    names = header.split(",") if header else []
    kinds = {c.name: c for c in WORK_TABLES[table_name].extracted}
    columns = [kinds[name] for name in names]
    if not names:
        return pa.table({})
    text = pacsv.read_csv(
        io.BytesIO(data),
        read_options=pacsv.ReadOptions(use_threads=False),
        parse_options=pacsv.ParseOptions(newlines_in_values=True),
        convert_options=pacsv.ConvertOptions(
            column_types={name: pa.string() for name in names},
            strings_can_be_null=True,
            quoted_strings_can_be_null=True,
            null_values=[""],
        ),
    )
    return typed(text, columns)


def from_canonical_frame(frame: pd.DataFrame, table_name: str) -> pa.Table:
    """A frame of canonical text (missing: None), as the tests and the extract hold them."""
    kinds = {c.name: c for c in WORK_TABLES[table_name].extracted}
    columns = [kinds[name] for name in frame.columns]
    text = pa.Table.from_arrays(
        [
            pa.array(
                frame[c.name].astype(object).where(frame[c.name].notna(), None).tolist(),
                type=pa.string(),
            )
            for c in columns
        ],
        names=[c.name for c in columns],
    )
    return typed(text, columns)


def to_parquet(table: pa.Table) -> bytes:
    """The bytes stored: the same table always gives the same bytes (no timestamps)."""
    sink = io.BytesIO()
    pq.write_table(table, sink, compression=_COMPRESSION, store_schema=False)
    return sink.getvalue()


def read_columns(payload: bytes, names: list[str] | None) -> pa.Table:
    """The named columns of a stored Parquet table (every column when ``names`` is None)."""
    return pq.read_table(pa.BufferReader(payload), columns=names, use_threads=False)


def parquet_columns(payload: bytes) -> list[str]:
    """The names of a stored Parquet table's columns, from its footer alone."""
    return pq.read_schema(pa.BufferReader(payload)).names
