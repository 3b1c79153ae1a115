"""COPY's stream read through a pipe: a failure in the copying thread (a dropped connection)
reaches the reader whether it reads to the end or stops early, so no caller goes on to read
again on a dead connection."""

from __future__ import annotations

import pytest

from improvement.arrow_read import _copy_batches


class DroppedConnection(Exception):
    """What psycopg2 raises when the server goes away mid-COPY."""


class _Cursor:
    def __init__(self, rows: bytes) -> None:
        self.rows = rows

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        return None

    def copy_expert(self, sql: str, sink) -> None:
        sink.write(self.rows)
        raise DroppedConnection("server closed the connection unexpectedly")


class _Connection:
    """A DB-API connection whose COPY sends some rows and then drops."""

    def __init__(self, rows: bytes) -> None:
        self.rows = rows

    def cursor(self) -> _Cursor:
        return _Cursor(self.rows)


ROWS = b"".join(b"%d,name %d\n" % (i, i) for i in range(1, 1001))


def test_the_drop_is_raised_after_the_rows_that_arrived():
    batches = _copy_batches(_Connection(ROWS), "select", ["id", "name"], [23, 25])
    with pytest.raises(DroppedConnection, match="server closed the connection"):
        list(batches)


def test_the_drop_is_raised_when_the_reader_stops_early():
    batches = _copy_batches(_Connection(ROWS), "select", ["id", "name"], [23, 25])
    first = next(batches)
    assert first["id"][0].as_py() == 1
    with pytest.raises(DroppedConnection, match="server closed the connection"):
        batches.close()


def test_a_clean_stream_stops_early_without_error():
    class Clean(_Cursor):
        def copy_expert(self, sql: str, sink) -> None:
            sink.write(self.rows)

    class CleanConnection(_Connection):
        def cursor(self) -> _Cursor:
            return Clean(self.rows)

    batches = _copy_batches(CleanConnection(ROWS), "select", ["id", "name"], [23, 25])
    next(batches)
    batches.close()
