"""Writing a generated county into a case-system database, as a council's SSD would hold it.

SQLite is written to a temporary file beside the target and moved into place, so a reader
never sees a half-written database; PostgreSQL is written in one transaction. Either way
the SSD tables and the local extension tables (``ext_*``) are dropped and recreated, and any
other tables are left alone.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import sqlalchemy as sa

from improvement.files import OWNER_ONLY_FILE, private_folder
from improvement.generator.county import County
from improvement.ssd.schema import ssd_metadata

CHUNK_ROWS = 10_000


def load_case_system(county: County, url: str, schema: str | None = None) -> None:
    """Replace the SSD and local extension tables at ``url`` (SQLite file or PostgreSQL)
    with the county's."""
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        _load_sqlite(county, parsed, schema)
        return
    engine = sa.create_engine(parsed)
    try:
        with engine.begin() as connection:
            if schema is not None:
                connection.execute(sa.schema.CreateSchema(schema, if_not_exists=True))
            _write(connection, county, schema)
    finally:
        engine.dispose()


def _load_sqlite(county: County, url: sa.engine.URL, schema: str | None) -> None:
    if schema is not None:
        raise ValueError(f"SQLite keeps the SSD tables in its main database; got schema {schema!r}")
    if not url.database or url.database == ":memory:":
        raise ValueError("a SQLite case system needs a file path, e.g. sqlite:////abs/ssd.sqlite")
    target = Path(url.database)
    private_folder(target.parent)
    with _temporary_beside(target) as temporary:
        if target.exists():
            shutil.copyfile(target, temporary)
            shutil.copymode(target, temporary)
        else:
            temporary.chmod(OWNER_ONLY_FILE)  # names and dates of birth
        engine = sa.create_engine(url.set(database=str(temporary)))
        try:
            with engine.begin() as connection:
                _write(connection, county, None)
        finally:
            engine.dispose()
        os.replace(temporary, target)


@contextlib.contextmanager
def _temporary_beside(target: Path) -> Iterator[Path]:
    handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
    finally:
        temporary.unlink(missing_ok=True)


def _write(connection: sa.Connection, county: County, schema: str | None) -> None:
    metadata = ssd_metadata(schema, extensions=True)
    metadata.drop_all(connection)
    metadata.create_all(connection)
    for table in metadata.sorted_tables:
        frame = county.tables[table.name]
        for start in range(0, len(frame), CHUNK_ROWS):
            rows = _plain_rows(frame.iloc[start : start + CHUNK_ROWS])
            connection.execute(table.insert(), rows)


def _plain_rows(frame: pd.DataFrame) -> list[dict]:
    """Rows as dicts of plain Python values, every pandas NA, NaN or NaT as None."""
    columns = {}
    for name in frame.columns:
        values = frame[name]
        if pd.api.types.is_datetime64_any_dtype(values):
            columns[name] = values.to_numpy(dtype="datetime64[us]").astype(object)
        else:
            plain = values.astype(object)
            columns[name] = np.where(plain.notna(), plain, None)
    names = list(columns)
    return [dict(zip(names, row, strict=True)) for row in zip(*columns.values(), strict=True)]
