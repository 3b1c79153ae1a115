"""Read a ``select`` from the case system as Arrow columns, a bounded batch at a time.

PostgreSQL streams the rows with ``COPY … TO STDOUT`` (CSV, parsed by pyarrow) on the extract's
own connection, and the text of each column becomes what psycopg2 and pandas would have made of
it: integers, floats (``numeric`` too, as pandas coerces decimals), or text; date and timestamp
columns give their ``YYYY-MM-DD``, as a dictionary array (each distinct value read once).
SQLite's values are typed per value, so its rows come from the stdlib cursor and each column
becomes one Arrow array, or stays a Python list when its values mix types. Other engines, and
PostgreSQL columns of other types, have no reader here: the caller reads them with SQLAlchemy
and pandas (an Arrow-native ODBC reader such as ``arrow-odbc`` would be SQL Server's route;
untested).
"""

from __future__ import annotations

import io
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import sqlalchemy as sa

from improvement.ssd.schema import ColumnSpec

Columns = dict[str, pa.Array | list]
_PIPE_BUFFER = 1 << 20
_CSV_BLOCK = 4 << 20  # a batch in flight while the one before is compressed
_PG_TEXT = {19, 25, 1042, 1043}  # name, text, char, varchar
_PG_INTEGER = {20, 21, 23}
_PG_FLOAT = {700, 701, 1700}  # real, double precision, numeric
_PG_DATE = {1082, 1114, 1184}  # date, timestamp, timestamptz: read for date columns only
# The ISO output of a date or timestamp (DateStyle ISO); BC, infinity and years past 9999 are not,
# and are left for the date rules to count as unparseable.
_PG_ISO = r"^\d{4}-\d{2}-\d{2}( \d{2}:\d{2}:\d{2}(\.\d+)?([+-]\d{2}(:\d{2}){0,2})?)?$"

# psycopg2 reads the infinite dates and timestamps as the last and first that Python has.
_PG_INFINITY = {"infinity": "9999-12-31", "-infinity": "0001-01-01"}


def _sql(conn: sa.Connection, statement: sa.Select) -> str:
    return str(statement.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))


def arrow_batches(
    conn: sa.Connection, statement: sa.Select, wanted: list[ColumnSpec], rows: int
) -> Iterator[Columns] | None:
    """The statement's rows as raw columns by name, or None where there is no Arrow reader."""
    if conn.dialect.name == "sqlite" and conn.dialect.driver == "pysqlite":
        return _sqlite_batches(conn, _sql(conn, statement), [c.name for c in wanted], rows)
    if conn.dialect.name == "postgresql" and conn.dialect.driver == "psycopg2":
        return _postgres_batches(conn, _sql(conn, statement), wanted)
    return None


def _sqlite_batches(
    conn: sa.Connection, sql: str, names: list[str], rows: int
) -> Iterator[Columns]:
    cursor = conn.connection.dbapi_connection.cursor()
    try:
        cursor.execute(sql)
        while batch := cursor.fetchmany(rows):
            yield {
                name: _sqlite_column(values)
                for name, values in zip(names, zip(*batch, strict=True), strict=True)
            }
    finally:
        cursor.close()


def _sqlite_column(values: tuple) -> pa.Array | list:
    try:
        return pa.array(values)
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # mixed types (text and numbers, say)
        return list(values)


def _postgres_types(dbapi, sql: str, wanted: list[ColumnSpec]) -> list[int] | None:
    """Each column's type, or None when a column or the session's date style has no reader."""
    with dbapi.cursor() as cursor:
        cursor.execute("SELECT current_setting('DateStyle')")
        if not cursor.fetchone()[0].startswith("ISO"):
            return None
        cursor.execute(f"SELECT * FROM ({sql}) AS extract LIMIT 0")  # noqa: S608  # nosec B608
        types = [d.type_code for d in cursor.description]
    readable = _PG_TEXT | _PG_INTEGER | _PG_FLOAT
    for column, type_code in zip(wanted, types, strict=True):
        if type_code not in readable and not (type_code in _PG_DATE and column.kind == "date"):
            return None
    return types


def _postgres_column(text: pa.Array, type_code: int) -> pa.Array:
    if type_code in _PG_INTEGER:
        return pc.cast(text, pa.int64())
    if type_code in _PG_FLOAT:
        return pc.cast(text, pa.float64())
    if type_code in _PG_DATE:
        days = pc.dictionary_encode(text)  # a column repeats its days: each is read once
        return pa.DictionaryArray.from_arrays(days.indices, _postgres_days(days.dictionary))
    return text


def _postgres_days(text: pa.Array) -> pa.Array:
    iso = pc.match_substring_regex(text, _PG_ISO)
    text = pc.if_else(iso, pc.utf8_slice_codeunits(text, 0, 10), text)
    for infinite, day in _PG_INFINITY.items():
        text = pc.replace_substring_regex(text, f"^{infinite}$", day)
    return text


def _postgres_batches(
    conn: sa.Connection, sql: str, wanted: list[ColumnSpec]
) -> Iterator[Columns] | None:
    dbapi = conn.connection.dbapi_connection
    with _reporting_a_drop(conn):
        types = _postgres_types(dbapi, sql, wanted)
    if types is None:
        return None
    return _dropped_stream_reported(
        conn, _copy_batches(dbapi, sql, [c.name for c in wanted], types)
    )


@contextmanager
def _reporting_a_drop(conn: sa.Connection) -> Iterator[None]:
    """These statements run on the driver's connection, out of SQLAlchemy's sight: when the
    server drops it, SQLAlchemy is told (or it would roll back on the dead connection and hide
    the drop behind "connection already closed") and the error says what happened."""
    try:
        yield
    except conn.dialect.loaded_dbapi.Error as error:
        if not conn.connection.dbapi_connection.closed:
            raise
        conn.invalidate(error)
        detail = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise ConnectionError(
            f"the case system closed the connection while its rows were being read ({detail})"
        ) from error


def _dropped_stream_reported(conn: sa.Connection, batches: Iterator[Columns]) -> Iterator[Columns]:
    with _reporting_a_drop(conn):
        yield from batches


def _copy_batches(dbapi, sql: str, names: list[str], types: list[int]) -> Iterator[Columns]:
    """COPY's CSV through a pipe: psycopg2 writes it from a thread while pyarrow parses a block
    at a time here, so memory holds a block, not the table. A stop part-way (a key out of order)
    drains the rest, leaving the connection ready for the next statement. The thread's error (a
    dropped connection) is raised here, even when the reader stopped early: a cut-short stream
    can look like keys out of order, and the caller must not read again on a dead connection."""
    read_end, write_end = os.pipe()
    failure: list[BaseException] = []

    def copy() -> None:
        try:
            with open(write_end, "wb", buffering=_PIPE_BUFFER) as sink, dbapi.cursor() as cursor:
                cursor.copy_expert(
                    f"COPY ({sql}) TO STDOUT WITH (FORMAT csv, ENCODING 'UTF8')", sink
                )
        except BaseException as error:  # raised in the reading thread
            failure.append(error)

    writer = threading.Thread(target=copy, name="copy-out", daemon=True)
    writer.start()
    with open(read_end, "rb", buffering=_PIPE_BUFFER) as source:
        try:
            if source.peek(1):  # pyarrow refuses an empty CSV
                for batch in pa_csv.open_csv(source, **_csv_options(names)):
                    yield {
                        name: _postgres_column(batch.column(i), type_code)
                        for i, (name, type_code) in enumerate(zip(names, types, strict=True))
                    }
        except BaseException:  # GeneratorExit too: the reader stopped early
            _drain(source, writer)
            if failure:  # a dropped connection, say, rather than the CSV it cut short
                raise failure[0] from None
            raise
        finally:
            _drain(source, writer)
    if failure:
        raise failure[0]


def _drain(source: io.BufferedReader, writer: threading.Thread) -> None:
    """Read what COPY still sends, so that its thread ends and the connection is free."""
    while source.read(_PIPE_BUFFER):
        pass
    writer.join()


def _csv_options(names: list[str]) -> dict:
    """COPY's CSV: every column as text, an unquoted empty field null, ``""`` empty text."""
    return {
        "read_options": pa_csv.ReadOptions(column_names=names, block_size=_CSV_BLOCK),
        "parse_options": pa_csv.ParseOptions(newlines_in_values=True),
        "convert_options": pa_csv.ConvertOptions(
            column_types=dict.fromkeys(names, pa.string()),
            null_values=[""],
            strings_can_be_null=True,
            quoted_strings_can_be_null=False,
        ),
    }
