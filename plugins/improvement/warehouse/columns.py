"""A stored table's columns, each kept on its own, so a measure run reads only what it needs.

A measure run reads a few columns of each table, but a stored table is one canonical CSV: to
get three columns it decompressed and parsed them all (about 30 MB for the demo county, a
quarter of one date's time). So a snapshot also keeps each column as a gzip-compressed JSON
array of its canonical text (null for missing): JSON carries any text exactly, and Python's C
decoder turns it straight into the list of values that SQLite's ``executemany`` takes.

Only warehouses that insert rows store them. Through psycopg2, PostgreSQL's COPY takes the CSV
as it is and parses it in the server, faster than any column could be read, so a PostgreSQL
warehouse (where a national extract would double) keeps the CSV alone. A table stored before
its columns were (an older version of this project) is read from its CSV.
"""

from __future__ import annotations

import gzip
import io
import json
from collections.abc import Iterable

import pandas as pd
import sqlalchemy as sa

from improvement.warehouse.tables import extract_column


def copies_csv(conn: sa.Connection) -> bool:
    """psycopg2 hands a stored CSV to PostgreSQL's COPY as it is; other drivers insert rows."""
    return f"{conn.dialect.name}+{conn.dialect.driver}" == "postgresql+psycopg2"


def column_payloads(csv_payload: bytes) -> dict[str, bytes]:
    """Each column of a gzip-compressed canonical CSV as a gzip-compressed JSON array of its
    text, None where the CSV has nothing."""
    frame = pd.read_csv(
        io.BytesIO(gzip.decompress(csv_payload)), dtype=object, na_filter=False, engine="c"
    )
    payloads = {}
    for name in frame.columns:
        values = frame[name].to_numpy(dtype=object, copy=True)
        values[values == ""] = None
        text = json.dumps(values.tolist(), ensure_ascii=False, separators=(",", ":"))
        payloads[name] = gzip.compress(text.encode("utf-8"), compresslevel=6, mtime=0)
    return payloads


def read_column(payload: bytes) -> list[str | None]:
    return json.loads(gzip.decompress(payload))


def stored_columns(
    conn: sa.Connection, content_hash: str, names: Iterable[str]
) -> dict[str, list[str | None]] | None:
    """The named columns of one stored table content, or None unless every one is stored."""
    wanted = sorted(set(names))
    found = conn.execute(
        sa.select(extract_column.c.column_name, extract_column.c.payload).where(
            (extract_column.c.content_hash == content_hash)
            & extract_column.c.column_name.in_(wanted)
        )
    ).all()
    if len(found) != len(wanted):
        return None
    return {name: read_column(payload) for name, payload in found}
