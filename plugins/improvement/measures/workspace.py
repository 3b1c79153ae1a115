"""A snapshot loaded into temporary tables of the warehouse connection, ready for measure SQL.

The SSD and extension tables keep their own names (measure SQL reads ``ssd_cin_episodes``),
typed so dates compare as dates. Beside them: ``as_at`` (the dates being measured and their
windows), ``period_last_day`` (each day with the last as-at date whose period includes it),
``day_reach`` (each day with the as-at dates around it and around windows from it),
``team_map`` (team -> locality and team type, from configuration), ``measure_parameter``,
``allocated_involvement`` (allocated-worker involvements, once each), ``allocation_at`` (open
allocated-worker involvements on each date; only the overlapped ones unless a query reads it or
``child_team_at`` date by date), ``child_team_at`` (each child's team on each date),
``child_team_span`` (the same as spans of as-at dates), ``care_episode`` (care episodes
made disjoint per child), ``in_care_at`` (children in care on each date), ``in_care_span`` (the
same as spans of as-at dates) and ``placement_span`` (placements with their current span).
Shared cohorts are defined once, in ``sql/workspace/``. Temporary tables belong to one
connection, so concurrent runs never see each other's workspace.
"""

from __future__ import annotations

import bisect
import csv
import datetime as dt
import gzip
import io
import itertools
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import sqlalchemy as sa

from improvement.county import CountyConfig
from improvement.measures.asat import as_at_row
from improvement.measures.catalogue import LoadWindow, Measure
from improvement.ssd.codes import CATALOGUE, CodeBook
from improvement.ssd.schema import EXTENSION_TABLES, SSD_TABLES, ColumnSpec, TableSpec
from improvement.ssd.teams import TEAM_COLUMNS, TeamDirectory
from improvement.warehouse.columns import copies_csv

SQL_DIR = Path(__file__).resolve().parents[3] / "sql"
WORK_TABLES: dict[str, TableSpec] = {**SSD_TABLES, **EXTENSION_TABLES}
# A table's stored columns by name (text, None for missing), or None when not stored.
ColumnReader = Callable[[str, list[str]], dict[str, list] | None]
# Text compares byte by byte on PostgreSQL, as on SQLite: the same order on both engines for
# ids and codes, and at national size ids sort and index several times faster than under a
# language's collation.
_TEXT = sa.Text().with_variant(sa.Text(collation="C"), "postgresql")
_TYPES = {"date": sa.Date(), "int": sa.Integer(), "float": sa.Float(), "text": _TEXT}
# Shared cohorts that are views over the derived tables (sql/workspace/<name>.sql).
VIEWS = ("child_team_at",)
_ALLOCATION_BY_DATE = re.compile(r"\b(allocation_at|child_team_at)\b")
_WORD = re.compile(r"[a-z_][a-z0-9_]*")
# Rows the shared cohorts never read, by query (sql/workspace/<name>.sql; see LoadWindow):
# allocated_involvement keeps only involvements with no end or one after the first as-at date.
SHARED_LOAD_WINDOWS = {
    "allocated_involvement": (
        LoadWindow("ssd_involvements", "invo_involvement_end_date", "as_at"),
    ),
}


@dataclass(frozen=True)
class UnknownCodes:
    """Values in a coded column that nothing maps to a code (neither a code, nor its DfE
    description, nor the council's wording): how many rows, and the values with their counts,
    most frequent first (codes and descriptions, never a free-text or identifying column)."""

    table: str
    column: str
    rows: int
    values: tuple[tuple[str, int], ...] = ()

    def describe(self) -> str:
        return f"{self.table}.{self.column}: {self.rows:,} row{'' if self.rows == 1 else 's'}"


def shared_queries() -> list[str]:
    """The text of the shared cohort queries (sql/workspace/), which every workspace builds."""
    return [path.read_text() for path in sorted((SQL_DIR / "workspace").glob("*.sql"))]


def period_last_days(as_at_rows: list[dict]) -> list[dict]:
    """The ``period_last_day`` rows: each day in some as-at date's period (after S minus 12
    months, up to and including S) with the last as-at date whose period includes it.

    S minus 12 months never falls as S rises, so the last S whose period starts before a day is
    found by bisection; it includes the day unless the day is after S."""
    ordered = sorted(as_at_rows, key=lambda row: row["as_at"])
    starts = [row["minus_12m"] for row in ordered]
    first = starts[0] + dt.timedelta(days=1)
    rows = []
    for n in range((ordered[-1]["as_at"] - first).days + 1):
        day = first + dt.timedelta(days=n)
        last = ordered[bisect.bisect_left(starts, day) - 1]["as_at"]
        if last >= day:
            rows.append({"day": day, "last_day": last})
    return rows


def load_windows(measures: Iterable[Measure]) -> dict[str, tuple[LoadWindow, ...]]:
    """For each table that every query reading it (the measures' and the shared cohorts')
    declares a load window for, those windows: a row is loaded when any of them keeps it. A
    table that one reader names without a window (in its SQL text, as ``referenced_columns``
    finds them) is loaded whole."""
    readers: dict[str, list[LoadWindow | None]] = {}

    def read_by(sql: str, windows: Iterable[LoadWindow]) -> None:
        words, declared = set(_WORD.findall(sql.lower())), {w.table: w for w in windows}
        for table in WORK_TABLES:
            if table in words:
                readers.setdefault(table, []).append(declared.get(table))

    for path in sorted((SQL_DIR / "workspace").glob("*.sql")):
        read_by(path.read_text(), SHARED_LOAD_WINDOWS.get(path.stem, ()))
    for measure in measures:
        read_by(measure.sql, measure.load_windows)
    return {
        table: tuple(dict.fromkeys(w for w in windows if w is not None))
        for table, windows in readers.items()
        if None not in windows
    }


@dataclass(frozen=True)
class Kept:
    """The rows a table loads, when some window keeps them: a date window (``dates``: column
    and first date) keeps a row whose date is missing or on or after the first date
    (canonical dates are ISO text, which sorts as the dates do); a key window (``keys``:
    column and values) a row whose column holds one of the values. Nothing: every row."""

    dates: tuple[tuple[str, dt.date], ...] = ()
    keys: tuple[tuple[str, frozenset[str]], ...] = ()

    def __bool__(self) -> bool:
        return bool(self.dates or self.keys)

    def columns(self) -> set[str]:
        return {column for column, _ in (*self.dates, *self.keys)}


EVERY_ROW = Kept()


def _kept(frame: pd.DataFrame, kept: Kept) -> np.ndarray:
    """Which rows of a frame of canonical text (missing: None or empty) some window keeps."""
    keep = np.zeros(len(frame), dtype=bool)
    for column, first in kept.dates:
        values = frame[column]
        missing = (values.isna() | (values == "")).to_numpy(dtype=bool)
        text = values.where(~missing, "").astype(str)
        keep |= missing | (text >= first.isoformat()).to_numpy(dtype=bool)
    for column, values in kept.keys:
        keep |= frame[column].isin(values).to_numpy(dtype=bool)
    return keep


def day_reaches(as_at_rows: list[dict]) -> list[dict]:
    """The ``day_reach`` rows: each day from the earliest S minus 12 months to the last as-at
    date with the first as-at date on or after it, the last before it, the last as-at dates
    whose S minus 6 months and S minus 12 months are on or before it, the last whose S minus 12
    months is before it, the last on or before 7 and 42 days after it and the first more than 7
    days after it (none: missing). The bounds never fall as S rises, so each is found by
    bisection."""
    ordered = sorted(as_at_rows, key=lambda row: row["as_at"])
    dates = [row["as_at"] for row in ordered]
    bounds = {n: [row[f"minus_{n}m"] for row in ordered] for n in (6, 12)}
    rows, day = [], bounds[12][0]
    while day <= dates[-1]:
        row = {"day": day, "first_on_or_after": dates[bisect.bisect_left(dates, day)]}
        for n, starts in bounds.items():
            last = bisect.bisect_right(starts, day) - 1
            row[f"last_within_{n}m"] = dates[last] if last >= 0 else None
        before = bisect.bisect_left(bounds[12], day) - 1
        row["last_12m_before"] = dates[before] if before >= 0 else None
        before = bisect.bisect_left(dates, day) - 1
        row["last_before"] = dates[before] if before >= 0 else None
        for n in (7, 42):
            upto = bisect.bisect_right(dates, day + dt.timedelta(days=n)) - 1
            row[f"last_upto_{n}d_after"] = dates[upto] if upto >= 0 else None
        over = bisect.bisect_right(dates, day + dt.timedelta(days=7))
        row["first_over_7d_after"] = dates[over] if over < len(dates) else None
        rows.append(row)
        day += dt.timedelta(days=1)
    return rows


def referenced_columns(queries: Iterable[str] | None) -> dict[str, tuple[ColumnSpec, ...]]:
    """The SSD and extension tables the queries (and the shared cohorts) name, each with the
    columns they name; every table with every extracted column when ``queries`` is None.

    SSD column names carry their table's prefix, so a name in the SQL text is a read of that
    column (a name in a comment only loads a column that nothing reads). A query that names
    a column not loaded fails on both engines, rather than reading nothing.
    """
    if queries is None:
        return {name: spec.extracted for name, spec in WORK_TABLES.items()}
    words = set(_WORD.findall(" ".join([*shared_queries(), *queries]).lower()))
    read = {}
    for name, spec in WORK_TABLES.items():
        if name in words:
            read[name] = tuple(c for c in spec.extracted if c.name in words) or spec.extracted[:1]
    return read


def _normalise_codes(
    conn: sa.Connection, loaded: dict[str, sa.Table], codes: CodeBook
) -> list[UnknownCodes]:
    """Map every coded value in the loaded tables to its code, the one place this is done
    before any measure or list reads them; count what nothing maps (left as it is, which no
    code the SQL compares with can equal: see ``CodedColumn.unmapped`` for what that does).

    Works on each column's distinct values (a handful), so it costs a group-by per column.
    """
    unknown = []
    for (name, column_name), coded in CATALOGUE.items():
        table = loaded.get(name)
        if table is None or column_name not in table.c:
            continue
        column = table.c[column_name]
        counts = conn.execute(
            sa.select(column, sa.func.count()).where(column.is_not(None)).group_by(column)
        ).all()
        unmapped = []
        for value, count in counts:
            code = codes.to_code(coded.column, value)
            if code is None:
                unmapped.append((value, count))
            elif code != value:
                conn.execute(table.update().where(column == value).values({column_name: code}))
        if unmapped:
            unmapped.sort(key=lambda pair: (-pair[1], pair[0]))
            rows = sum(count for _, count in unmapped)
            unknown.append(UnknownCodes(name, column_name, rows, tuple(unmapped)))
    return unknown


def _resolve_teams(
    conn: sa.Connection, loaded: dict[str, sa.Table], config: CountyConfig
) -> list[UnknownCodes]:
    """Read team names written in team columns as the ids they name (``ssd.teams``), so every
    team breakdown is keyed on the id; count the values that are neither an id nor a name."""
    department = loaded.get("ssd_department")
    named = []
    if department is not None and "dept_team_name" in department.c:
        named = conn.execute(sa.select(department.c.dept_team_id, department.c.dept_team_name))
    directory = TeamDirectory.build(((t.team_id, t.name) for t in config.teams), named)
    unresolved = []
    for name, column_name in TEAM_COLUMNS:
        table = loaded.get(name)
        if table is None or column_name not in table.c:
            continue
        column = table.c[column_name]
        counts = conn.execute(
            sa.select(column, sa.func.count()).where(column.is_not(None)).group_by(column)
        ).all()
        unknown = []
        for value, count in counts:
            team_id = directory.resolve(value)
            if team_id is None:
                unknown.append((value, count))
            elif team_id != value:
                conn.execute(table.update().where(column == value).values({column_name: team_id}))
        if unknown:
            unknown.sort(key=lambda pair: (-pair[1], pair[0]))
            rows = sum(count for _, count in unknown)
            unresolved.append(UnknownCodes(name, column_name, rows, tuple(unknown)))
    return unresolved


def _temporary_table(metadata: sa.MetaData, name: str, columns: list[sa.Column]) -> sa.Table:
    return sa.Table(name, metadata, *columns, prefixes=["TEMPORARY"])


def _create(conn: sa.Connection, table: sa.Table) -> None:
    """Create a temporary table, replacing one a rolled-back run left on a pooled connection.

    The drop names the temporary schema, so it can never reach a real table of that name.
    """
    temporary_schema = {"sqlite": "temp", "postgresql": "pg_temp"}.get(conn.dialect.name)
    if temporary_schema:
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS {temporary_schema}.{table.name}")
    table.create(conn)


def _create_view(conn: sa.Connection, name: str, query: str) -> None:
    """A temporary view over the workspace (replacing one a rolled-back run left behind)."""
    temporary_schema = {"sqlite": "temp", "postgresql": "pg_temp"}.get(conn.dialect.name)
    if temporary_schema:
        conn.exec_driver_sql(f"DROP VIEW IF EXISTS {temporary_schema}.{name}")
    conn.exec_driver_sql(f"CREATE TEMPORARY VIEW {name} AS {query}")


def _csv_header(payload: bytes) -> list[str]:
    with gzip.GzipFile(fileobj=io.BytesIO(payload)) as text:
        return next(csv.reader(io.TextIOWrapper(text, encoding="utf-8", newline="")), [])


def _csv_rows(payload: bytes, names: list[str], kept: Kept) -> Iterator[tuple]:
    """The named columns of a gzip-compressed canonical CSV, row by row, as text with None
    for missing, leaving out rows no load window keeps. pandas' C parser reads only those
    columns, as text; empty becomes None in one vectorised step per column."""
    frame = pd.read_csv(
        io.BytesIO(gzip.decompress(payload)),
        dtype=object,
        na_filter=False,
        usecols=names,
        engine="c",
    )
    if kept:
        frame = frame[_kept(frame, kept)]
    columns = []
    for name in names:
        values = frame[name].to_numpy(dtype=object, copy=True)
        values[values == ""] = None
        columns.append(values)
    return zip(*columns, strict=True)


def _column_rows(stored: dict[str, list], names: list[str], kept: Kept) -> Iterator[tuple]:
    """The named stored columns row by row, leaving out rows no load window keeps (as
    ``_kept``)."""
    rows = zip(*(stored[name] for name in names), strict=True)
    if not kept:
        return rows
    bounds = [(column, first.isoformat()) for column, first in kept.dates]
    masks = [
        [value is None or value >= bound for value in stored[column]] for column, bound in bounds
    ] + [[value in values for value in stored[column]] for column, values in kept.keys]
    keep = masks[0] if len(masks) == 1 else map(any, zip(*masks, strict=True))
    return itertools.compress(rows, keep)


def _frame_rows(frame: pd.DataFrame, names: list[str]) -> Iterator[tuple]:
    if frame.empty:
        return iter(())
    frame = frame[names].astype(object)
    frame = frame.where(frame.notna(), None)
    return zip(*(frame[name].to_numpy() for name in names), strict=True)


def _load_sqlite(conn: sa.Connection, table: sa.Table, rows: Iterator[tuple]) -> None:
    """Stream rows in with one prepared statement (SQLite's type affinity stores ISO dates
    as text, which is SQLite's date storage already)."""
    names = [c.name for c in table.c]
    values = ", ".join("?" for _ in names)
    # Table and column names come from the SSD declaration, never from input.
    statement = f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({values})"  # noqa: S608  # nosec B608
    conn.connection.cursor().executemany(statement, rows)


def _load_postgresql_payload(
    conn: sa.Connection,
    metadata: sa.MetaData,
    spec: TableSpec,
    payload: bytes,
    keep: list[str],
    kept: Kept,
) -> sa.Table:
    """COPY the whole CSV straight from the payload (no parsing here), storing only the rows
    some date window keeps (as ``_kept``; ``kept`` has no key windows: COPY's condition cannot
    read another table), then drop the columns nothing reads."""
    header = _csv_header(payload)
    kinds = {c.name: c.kind for c in spec.extracted}
    columns = [sa.Column(name, _TYPES[kinds.get(name, "text")]) for name in header]
    full = _temporary_table(sa.MetaData(), spec.name, columns)
    _create(conn, full)
    listed = ", ".join(header)
    cursor = conn.connection.cursor()
    # Names come from the SSD declaration and dates from the as-at dates, never from input.
    where = " OR ".join(f"{c} IS NULL OR {c} >= '{first.isoformat()}'" for c, first in kept.dates)
    cursor.copy_expert(
        f"COPY {spec.name} ({listed}) FROM STDIN WITH (FORMAT csv, HEADER true, "
        f"FORCE_NULL ({listed})){f' WHERE {where}' if where else ''}",
        gzip.GzipFile(fileobj=io.BytesIO(payload)),
    )
    unused = [name for name in header if name not in keep]
    if unused:
        drops = ", ".join(f"DROP COLUMN {name}" for name in unused)
        conn.exec_driver_sql(f"ALTER TABLE {spec.name} {drops}")
    return _temporary_table(metadata, spec.name, [sa.Column(n, _TYPES[kinds[n]]) for n in keep])


def _load_frame_postgresql(conn: sa.Connection, table: sa.Table, frame: pd.DataFrame) -> None:
    names = [c.name for c in table.c]
    buffer = io.StringIO(frame[names].to_csv(index=False, header=False, lineterminator="\n"))
    cursor = conn.connection.cursor()
    listed = ", ".join(names)
    # FORCE_NULL: a row of one empty field is written quoted (""), and is still missing.
    cursor.copy_expert(
        f"COPY {table.name} ({listed}) FROM STDIN WITH (FORMAT csv, FORCE_NULL ({listed}))",
        buffer,
    )


def _load_generic(conn: sa.Connection, table: sa.Table, rows: Iterator[tuple]) -> None:
    names = [c.name for c in table.c]
    dates = [isinstance(c.type, sa.Date) for c in table.c]
    records = [
        {
            name: (dt.date.fromisoformat(v) if is_date else v) if v not in (None, "") else None
            for name, v, is_date in zip(names, row, dates, strict=True)
        }
        for row in rows
    ]
    if records:
        conn.execute(table.insert(), records)


def _load_table(
    conn: sa.Connection,
    metadata: sa.MetaData,
    spec: TableSpec,
    columns: tuple[ColumnSpec, ...],
    frame: pd.DataFrame | None,
    payload: bytes | None,
    kept: Kept,
    stored: dict[str, list] | None = None,
) -> sa.Table:
    """One SSD or extension table with the columns the queries read (from a frame, a stored
    CSV ``payload`` or ``stored`` columns), loaded and indexed: only the rows some window
    keeps (``_kept``)."""
    names = [c.name for c in columns]
    if frame is not None and kept:
        frame = frame[_kept(frame, kept)]
    if payload is not None and copies_csv(conn):
        table = _load_postgresql_payload(conn, metadata, spec, payload, names, kept)
    else:
        table = _temporary_table(
            metadata, spec.name, [sa.Column(c.name, _TYPES[c.kind]) for c in columns]
        )
        _create(conn, table)
        if stored is not None:
            rows = _column_rows(stored, names, kept)
        elif payload is not None:
            rows = _csv_rows(payload, names, kept)
        elif frame is not None:
            rows = _frame_rows(frame, names)
        else:
            rows = iter(())
        if conn.dialect.name == "sqlite":
            _load_sqlite(conn, table, rows)
        elif copies_csv(conn) and frame is not None and not frame.empty:
            _load_frame_postgresql(conn, table, frame)
        else:
            _load_generic(conn, table, rows)
    _index(conn, table, spec)
    return table


def _kept_rows(
    conn: sa.Connection,
    windows: Iterable[LoadWindow],
    as_at_rows: list[dict],
    loaded: Mapping[str, sa.Table],
) -> Kept:
    """What a table's windows keep for these as-at dates: a date window's first date, a key
    window's values from the tables already loaded (every row when one of them is not)."""
    dates, keys = [], []
    for window in windows:
        if window.start is not None:
            dates.append((window.column, min(row[window.start] for row in as_at_rows)))
            continue
        values: set[str] = set()
        for source in window.keys_in:
            table_name, column_name = source.split(".")
            table = loaded.get(table_name)
            if table is None or column_name not in table.c:
                return EVERY_ROW
            column = table.c[column_name]
            values.update(
                conn.execute(sa.select(column).where(column.is_not(None)).distinct()).scalars()
            )
        keys.append((window.column, frozenset(values)))
    return Kept(tuple(dates), tuple(keys))


def _reads_allocation_by_date(queries: Iterable[str] | None) -> bool:
    """Whether some query (every one, when they are not given) reads allocation_at or
    child_team_at: else allocation_at holds only what child_team_span needs."""
    return queries is None or any(_ALLOCATION_BY_DATE.search(query) for query in queries)


def _analyse_postgresql(conn: sa.Connection, tables: Iterable[sa.Table]) -> None:
    """Statistics for PostgreSQL's planner on these temporary tables (autovacuum never sees
    them). Without them it takes a table for a few rows, and at national size a nested loop
    over one ran for minutes where a hash join takes a tenth of a second; with a small county
    it costs about 0.2 s."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("ANALYZE " + ", ".join(table.name for table in tables))


def _index(conn: sa.Connection, table: sa.Table, spec: TableSpec) -> None:
    for column in table.c:
        if column.name == spec.primary_key or column.name.endswith(
            ("_person_id", "_referral_id", "_cla_id", "_plan_id")
        ):
            sa.Index(f"ix_{table.name}_{column.name}", column).create(conn)


@contextmanager
def workspace(
    conn: sa.Connection,
    frames: Mapping[str, pd.DataFrame],
    as_at_dates: list[dt.date],
    config: CountyConfig,
    payloads: Mapping[str, bytes] | None = None,
    queries: Iterable[str] | None = None,
    windows: Mapping[str, tuple[LoadWindow, ...]] | None = None,
    columns: ColumnReader | None = None,
) -> Iterator[list[UnknownCodes]]:
    """Load ``frames`` (canonical text, by table name) and the helper tables; drop them after.

    ``payloads`` (table name to a snapshot's gzip-compressed canonical CSV) is the faster
    way in: the CSV is streamed into the table without building a frame. ``columns`` reads a
    table's stored columns (``warehouse.columns``), faster still where rows are inserted: a
    table whose columns are not all stored is read from its payload. ``queries`` (the
    SQL that will run, e.g. the measures') loads only the tables and columns they and the
    shared cohorts name (``referenced_columns``); without it every table and extracted
    column is loaded. ``windows`` (``load_windows`` of the measures that will run) leaves
    out the rows of a table that no query reading it reads. Use it inside a transaction
    (``engine.begin()``) so the results it helps write and the clean-up commit together.
    """
    metadata = sa.MetaData()
    queries = list(queries) if queries is not None else None  # read more than once
    payloads = payloads if payloads is not None else {}
    windows = windows if windows is not None else {}
    created_views: list[str] = []
    jit = None
    if conn.dialect.name == "postgresql":
        # PostgreSQL's JIT compiler spent about 0.35 s on each query it estimated costly, and
        # saved less than that (docs/performance.md): off for the workspace's queries,
        # restored after.
        jit = conn.exec_driver_sql("select current_setting('jit')").scalar()
        conn.exec_driver_sql("set local jit = off")
    try:
        as_at_rows = [as_at_row(day) for day in sorted(set(as_at_dates))]
        loaded: dict[str, sa.Table] = {}
        referenced = referenced_columns(queries)
        # Team names in team columns are resolved through ssd_department (_resolve_teams).
        wanted = {c.name for c in referenced.get("ssd_department", ())}
        wanted |= {"dept_team_id", "dept_team_name"}
        referenced["ssd_department"] = tuple(
            c for c in WORK_TABLES["ssd_department"].extracted if c.name in wanted
        )
        # Tables with a key window after the others, whose loaded rows give the keys.
        for name in sorted(referenced, key=lambda n: any(w.keys_in for w in windows.get(n, ()))):
            read, table_windows = referenced[name], windows.get(name, ())
            copies = copies_csv(conn) and name not in frames
            if copies and any(w.keys_in for w in table_windows):
                # COPY's condition cannot look at another table, and deleting the rows after
                # would cost more than keeping them: the whole table.
                kept = EVERY_ROW
            else:
                kept = _kept_rows(conn, table_windows, as_at_rows, loaded)
            if not kept.columns() <= {c.name for c in read}:
                kept = EVERY_ROW  # a window on a column not loaded: load every row
            stored = None
            if columns is not None and name not in frames and not copies:
                stored = columns(name, [c.name for c in read])
            loaded[name] = _load_table(
                conn,
                metadata,
                WORK_TABLES[name],
                read,
                frames.get(name),
                None if stored is not None else payloads.get(name),
                kept,
                stored,
            )
        unknown = _normalise_codes(conn, loaded, config.codes) + _resolve_teams(
            conn, loaded, config
        )
        as_at = _temporary_table(
            metadata, "as_at", [sa.Column(key, sa.Date) for key in as_at_rows[0]]
        )
        day_reach = _temporary_table(
            metadata,
            "day_reach",
            [
                sa.Column(name, sa.Date)
                for name in (
                    "day",
                    "first_on_or_after",
                    "last_within_6m",
                    "last_within_12m",
                    "last_12m_before",
                    "last_before",
                    "last_upto_7d_after",
                    "last_upto_42d_after",
                    "first_over_7d_after",
                )
            ],
        )
        period_last_day = _temporary_table(
            metadata, "period_last_day", [sa.Column("day", sa.Date), sa.Column("last_day", sa.Date)]
        )
        team_map = _temporary_table(
            metadata,
            "team_map",
            [sa.Column(key, _TEXT) for key in ("team_id", "team_name", "locality", "team_type")],
        )
        allocated_role = _temporary_table(metadata, "allocated_role", [sa.Column("role", _TEXT)])
        parameter = _temporary_table(
            metadata,
            "measure_parameter",
            [
                sa.Column("child_population_0_17", sa.Integer),
                sa.Column("supervision_interval_days", sa.Integer),
            ],
        )
        allocated_involvement = _temporary_table(
            metadata,
            "allocated_involvement",
            [
                sa.Column(name, _TEXT)
                for name in ("involvement_id", "person_id", "professional_id", "team_id")
            ]
            + [
                sa.Column("started", sa.Date),
                sa.Column("ended", sa.Date),
                sa.Column("overlapped", sa.Integer),
                sa.Column("first_as_at", sa.Date),
                sa.Column("last_as_at", sa.Date),
            ],
        )
        allocation_at = _temporary_table(
            metadata,
            "allocation_at",
            [sa.Column("as_at", sa.Date)]
            + [
                sa.Column(name, _TEXT)
                for name in ("involvement_id", "person_id", "professional_id", "team_id")
            ]
            + [sa.Column("started", sa.Date), sa.Column("is_child_team", sa.Integer)],
        )
        child_team_span = _temporary_table(
            metadata,
            "child_team_span",
            [
                sa.Column("person_id", _TEXT),
                sa.Column("team_id", _TEXT),
                sa.Column("span_start", sa.Date),
                sa.Column("span_end", sa.Date),
            ],
        )
        care_episode = _temporary_table(
            metadata,
            "care_episode",
            [
                sa.Column("person_id", _TEXT),
                sa.Column("episode_start", sa.Date),
                sa.Column("episode_end", sa.Date),
                sa.Column("period_start", sa.Date),
                sa.Column("short_breaks", sa.Integer),
            ],
        )
        in_care_span = _temporary_table(
            metadata,
            "in_care_span",
            [
                sa.Column("person_id", _TEXT),
                sa.Column("period_start", sa.Date),
                sa.Column("span_start", sa.Date),
                sa.Column("span_end", sa.Date),
            ],
        )
        in_care_at = _temporary_table(
            metadata,
            "in_care_at",
            [
                sa.Column("as_at", sa.Date),
                sa.Column("person_id", _TEXT),
                sa.Column("period_start", sa.Date),
            ],
        )
        placement_span = _temporary_table(
            metadata,
            "placement_span",
            [
                sa.Column("person_id", _TEXT),
                sa.Column("placement_id", _TEXT),
                sa.Column("placement_start", sa.Date),
                sa.Column("placement_end", sa.Date),
                sa.Column("placement_type", _TEXT),
                sa.Column("current_end", sa.Date),
            ],
        )
        derived = (
            allocated_involvement,
            allocation_at,
            child_team_span,
            care_episode,
            in_care_at,
            in_care_span,
            placement_span,
        )
        for table in (
            as_at,
            period_last_day,
            day_reach,
            team_map,
            allocated_role,
            parameter,
            *derived,
        ):
            _create(conn, table)
        conn.execute(as_at.insert(), as_at_rows)
        sa.Index("ix_as_at", as_at.c.as_at, unique=True).create(conn)
        # For look-ups of the first or last as-at date whose S minus 5 years is on either side
        # of a date of birth.
        sa.Index("ix_as_at_born_by_5", as_at.c.born_by_5, as_at.c.as_at).create(conn)
        conn.execute(period_last_day.insert(), period_last_days(as_at_rows))
        sa.Index("ix_period_last_day", period_last_day.c.day, unique=True).create(conn)
        conn.execute(day_reach.insert(), day_reaches(as_at_rows))
        sa.Index("ix_day_reach", day_reach.c.day, unique=True).create(conn)
        conn.execute(
            team_map.insert(),
            [
                {
                    "team_id": t.team_id,
                    "team_name": t.name,
                    "locality": t.locality,
                    "team_type": t.team_type,
                }
                for t in config.teams
            ],
        )
        conn.execute(allocated_role.insert(), [{"role": r} for r in config.allocated_worker_roles])
        conn.execute(
            parameter.insert(),
            [
                {
                    "child_population_0_17": config.child_population_0_17,
                    "supervision_interval_days": config.supervision_interval_days,
                }
            ],
        )
        _analyse_postgresql(conn, loaded.values())
        for table in derived:  # in order: each may read the ones before it
            query = sa.text((SQL_DIR / "workspace" / f"{table.name}.sql").read_text())
            if table is allocation_at:
                query = query.bindparams(every_involvement=int(_reads_allocation_by_date(queries)))
            names = [c.name for c in table.c]
            conn.execute(
                table.insert().from_select(names, query.columns(*(sa.column(n) for n in names)))
            )
            if table is allocated_involvement:
                # allocation_at compares each overlapped involvement with the child's others.
                sa.Index("ix_allocated_involvement", table.c.person_id, table.c.started).create(
                    conn
                )
            if table is allocation_at:
                # Before child_team_span, which reads the marked rows by child. (No measure
                # reads it by date and team: caseloads count on runs of as-at dates.)
                sa.Index(
                    "ix_child_team_at",
                    allocation_at.c.person_id,
                    allocation_at.c.as_at,
                    sqlite_where=allocation_at.c.is_child_team == 1,
                    postgresql_where=allocation_at.c.is_child_team == 1,
                ).create(conn)
        for view in VIEWS:
            _create_view(conn, view, (SQL_DIR / "workspace" / f"{view}.sql").read_text())
            created_views.append(view)
        sa.Index(
            "ix_child_team_span", child_team_span.c.person_id, child_team_span.c.span_start
        ).create(conn)
        sa.Index("ix_in_care_at", in_care_at.c.person_id, in_care_at.c.as_at).create(conn)
        sa.Index("ix_in_care_span", in_care_span.c.person_id, in_care_span.c.span_start).create(
            conn
        )
        sa.Index("ix_placement_span", placement_span.c.person_id).create(conn)
        _analyse_postgresql(conn, derived)
        if conn.dialect.name == "sqlite":
            # Table statistics for the planner (the temporary schema only, never the
            # warehouse's own tables): without them it guesses row counts and can pick a
            # date-by-date scan or build an index per query.
            conn.exec_driver_sql("ANALYZE temp")
        yield unknown
    finally:
        if jit is not None:
            conn.exec_driver_sql("select set_config('jit', %(jit)s, true)", {"jit": jit})
        for view in reversed(created_views):
            conn.exec_driver_sql(f"DROP VIEW IF EXISTS {view}")
        for table in reversed(metadata.sorted_tables):
            table.drop(conn, checkfirst=True)
