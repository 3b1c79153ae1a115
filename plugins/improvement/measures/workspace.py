"""The workspace measures and lists run in: a DuckDB database in memory over one snapshot.

The SSD and extension tables keep their own names (measure SQL reads ``ssd_cin_episodes``),
typed from the snapshot's Parquet copy (dates are dates), with only the columns the queries
name. Beside them: ``calendar_day`` (the warehouse's calendar), ``as_at`` (the dates being
measured and their windows), ``period_last_day`` (each day with the last as-at date whose period
includes it), ``day_reach`` (each day with the as-at dates around it and around windows from
it), ``team_map`` (team -> locality and team type, from configuration), ``allocated_role``,
``measure_parameter``, and the shared cohorts of ``sql/workspace/``: ``allocated_involvement``
(allocated-worker involvements, once each), ``allocation_at`` (open allocated-worker
involvements on each date; only the overlapped ones unless a query reads it or
``child_team_at`` date by date), ``child_team_at`` (each child's team on each date),
``child_team_span`` (the same as spans of as-at dates), ``care_episode`` (care episodes made
disjoint per child), ``in_care_at`` (children in care on each date), ``in_care_span`` (the same
as spans of as-at dates) and ``placement_span`` (placements with their current span).

Every query is written once, in DuckDB's SQL, whatever database the warehouse is. Each run has
its own database, so concurrent runs never see each other's workspace; what spills to disk goes
to an owner-only folder removed with it.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import sqlalchemy as sa

from improvement.county import CountyConfig
from improvement.measures.asat import as_at_row
from improvement.settings import WorkspaceLimits
from improvement.ssd.codes import CATALOGUE, CodeBook
from improvement.ssd.schema import EXTENSION_TABLES, SSD_TABLES, ColumnSpec, TableSpec
from improvement.ssd.teams import TEAM_COLUMNS, TeamDirectory
from improvement.warehouse.parquet import arrow_schema, from_canonical_frame
from improvement.warehouse.stored import StoredSnapshot
from improvement.warehouse.tables import calendar_day

SQL_DIR = Path(__file__).resolve().parents[3] / "sql"
WORK_TABLES: dict[str, TableSpec] = {**SSD_TABLES, **EXTENSION_TABLES}
# Shared cohorts built as tables, in order (each may read the ones before it), then the views.
DERIVED = (
    "allocated_involvement",
    "allocation_at",
    "child_team_span",
    "care_episode",
    "in_care_at",
    "in_care_span",
    "placement_span",
)
VIEWS = ("child_team_at",)
_ALLOCATION_BY_DATE = re.compile(r"\b(allocation_at|child_team_at)\b")
_WORD = re.compile(r"[a-z_][a-z0-9_]*")
# Where the workspace's tables come from: canonical frames by table name (hand-built cohorts)
# or a stored snapshot.
TableSource = Mapping[str, pd.DataFrame] | StoredSnapshot


DEFAULT_LIMITS = WorkspaceLimits()


class MissingTableError(LookupError):
    """A stored snapshot lacks a table of the standard that the queries read."""


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
    a column not loaded fails, rather than reading nothing.
    """
    if queries is None:
        return {name: spec.extracted for name, spec in WORK_TABLES.items()}
    words = set(_WORD.findall(" ".join([*shared_queries(), *queries]).lower()))
    read = {}
    for name, spec in WORK_TABLES.items():
        if name in words:
            read[name] = tuple(c for c in spec.extracted if c.name in words) or spec.extracted[:1]
    return read


def shared_cohort_tables() -> set[str]:
    """The tables every workspace reads: those the shared cohorts name, and ssd_department,
    through which team names written in team columns resolve."""
    return set(referenced_columns([])) | {"ssd_department"}


def _arrow_reader(source: TableSource) -> Callable[[str, list[str]], pa.Table | None]:
    """A function giving a table's named columns (those it has) as typed Arrow, or None."""
    if isinstance(source, StoredSnapshot):
        return source.read

    def from_frame(name: str, columns: list[str]) -> pa.Table | None:
        frame = source.get(name)
        if frame is None:
            return None
        return from_canonical_frame(frame[[c for c in columns if c in frame.columns]], name)

    return from_frame


def _complete(table: pa.Table | None, columns: tuple[ColumnSpec, ...]) -> pa.Table:
    """The table with exactly these columns, in order: a column the snapshot lacks, or a local
    extension table the council does not supply (or a table a hand-built cohort leaves out),
    is there, missing or empty."""
    schema = arrow_schema(columns)
    if table is None:
        return schema.empty_table()
    arrays = [
        table.column(field.name)
        if field.name in table.schema.names
        else pa.nulls(table.num_rows, field.type)
        for field in schema
    ]
    return pa.Table.from_arrays(arrays, schema=schema)


def _replace(column: pa.ChunkedArray, replacements: dict[str, str]) -> pa.ChunkedArray:
    """Each value that ``replacements`` names replaced by its replacement, in one pass."""
    if not replacements:
        return column
    position = pc.index_in(column, value_set=pa.array(list(replacements), type=pa.string()))
    replaced = pc.take(pa.array(list(replacements.values()), type=pa.string()), position)
    return pc.if_else(pc.is_null(position), column, replaced)


def _map_column(
    tables: dict[str, pa.Table], name: str, column_name: str, lookup: Callable[[str], str | None]
) -> UnknownCodes | None:
    """Replace each value of a loaded column by what ``lookup`` gives for it (each distinct
    value, a handful, looked up once); the values it gives nothing for are left as they are
    and returned with their row counts, most frequent first. None when all map."""
    table = tables.get(name)
    if table is None or column_name not in table.schema.names:
        return None
    counted = pc.value_counts(table.column(column_name).drop_null())
    replacements, unmapped = {}, []
    for value, count in zip(
        counted.field("values").to_pylist(), counted.field("counts").to_pylist(), strict=True
    ):
        mapped = lookup(value)
        if mapped is None:
            unmapped.append((value, count))
        elif mapped != value:
            replacements[value] = mapped
    column = _replace(table.column(column_name), replacements)
    tables[name] = table.set_column(table.schema.get_field_index(column_name), column_name, column)
    if not unmapped:
        return None
    unmapped.sort(key=lambda pair: (-pair[1], pair[0]))
    return UnknownCodes(name, column_name, sum(count for _, count in unmapped), tuple(unmapped))


def _normalise_codes(tables: dict[str, pa.Table], codes: CodeBook) -> list[UnknownCodes]:
    """Map every coded value in the loaded tables to its code, the one place this is done
    before any measure or list reads them; count what nothing maps (left as it is, which no
    code the SQL compares with can equal: see ``CodedColumn.unmapped`` for what that does)."""
    found = (
        _map_column(
            tables, name, column_name, lambda value, c=coded: codes.to_code(c.column, value)
        )
        for (name, column_name), coded in CATALOGUE.items()
    )
    return [unknown for unknown in found if unknown is not None]


def _resolve_teams(tables: dict[str, pa.Table], config: CountyConfig) -> list[UnknownCodes]:
    """Read team names written in team columns as the ids they name (``ssd.teams``), so every
    team breakdown is keyed on the id; count the values that are neither an id nor a name."""
    department = tables.get("ssd_department")
    named: Iterable[tuple[str, str | None]] = []
    if department is not None and {"dept_team_id", "dept_team_name"} <= set(
        department.schema.names
    ):
        named = zip(
            department.column("dept_team_id").to_pylist(),
            department.column("dept_team_name").to_pylist(),
            strict=True,
        )
    directory = TeamDirectory.build(((t.team_id, t.name) for t in config.teams), named)
    found = (
        _map_column(tables, name, column_name, directory.resolve)
        for name, column_name in TEAM_COLUMNS
    )
    return [unknown for unknown in found if unknown is not None]


def _calendar(conn: sa.Connection) -> pa.Table:
    """The warehouse's calendar (working days, bank holidays, clamped month windows), read
    through the driver's cursor: SQLite gives dates as ISO text and flags as 0 and 1, which
    Arrow casts; PostgreSQL gives dates and booleans."""
    types = {sa.Date: pa.date32(), sa.Boolean: pa.bool_(), sa.Integer: pa.int64()}
    kinds = [
        next((t for k, t in types.items() if isinstance(c.type, k)), pa.string())
        for c in calendar_day.c
    ]
    names = [c.name for c in calendar_day.c]
    cursor = conn.connection.cursor()
    try:
        # Names come from the table's declaration, never from input.
        cursor.execute(f"SELECT {', '.join(names)} FROM calendar_day")  # noqa: S608  # nosec B608
        rows = cursor.fetchall()
    finally:
        cursor.close()
    values = list(zip(*rows, strict=True)) if rows else [()] * len(names)
    return pa.Table.from_arrays(
        [
            pa.array(column).cast(kind) if column else pa.array([], kind)
            for column, kind in zip(values, kinds, strict=True)
        ],
        names=names,
    )


def _helper_tables(as_at_rows: list[dict], config: CountyConfig) -> dict[str, pa.Table]:
    """The as-at dates, their day look-ups, the teams and the county's parameters."""
    day_columns = (
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
    text = pa.string()
    return {
        "as_at": pa.Table.from_pylist(
            as_at_rows, schema=pa.schema([(key, pa.date32()) for key in as_at_rows[0]])
        ),
        "period_last_day": pa.Table.from_pylist(
            period_last_days(as_at_rows),
            schema=pa.schema([("day", pa.date32()), ("last_day", pa.date32())]),
        ),
        "day_reach": pa.Table.from_pylist(
            day_reaches(as_at_rows), schema=pa.schema([(n, pa.date32()) for n in day_columns])
        ),
        "team_map": pa.Table.from_pylist(
            [
                {
                    "team_id": t.team_id,
                    "team_name": t.name,
                    "locality": t.locality,
                    "team_type": t.team_type,
                }
                for t in config.teams
            ],
            schema=pa.schema(
                [(n, text) for n in ("team_id", "team_name", "locality", "team_type")]
            ),
        ),
        "allocated_role": pa.Table.from_pylist(
            [{"role": r} for r in config.allocated_worker_roles],
            schema=pa.schema([("role", text)]),
        ),
        "measure_parameter": pa.table(
            {
                "child_population_0_17": pa.array([config.child_population_0_17], pa.int64()),
                "supervision_interval_days": pa.array(
                    [config.supervision_interval_days], pa.int64()
                ),
            }
        ),
    }


def _reads_allocation_by_date(queries: Iterable[str] | None) -> bool:
    """Whether some query (every one, when they are not given) reads allocation_at or
    child_team_at: else allocation_at holds only what child_team_span needs."""
    return queries is None or any(_ALLOCATION_BY_DATE.search(query) for query in queries)


@dataclass(frozen=True)
class Workspace:
    """A loaded workspace: its DuckDB connection and the coded values nothing maps."""

    db: duckdb.DuckDBPyConnection
    unknown: list[UnknownCodes]
    threads: int = 1

    def rows(self, sql: str, parameters: Mapping[str, object] | None = None) -> list[tuple]:
        return self.db.execute(sql, dict(parameters or {})).fetchall()

    def timed_rows(self, queries: list[str]) -> list[tuple[list[tuple], float]]:
        """Each query's rows and seconds, in order, ``threads`` queries at a time (each on its
        own cursor). Planning a measure's query takes DuckDB about as long as running it on one
        date, and planning is single-threaded, so queries side by side use the cores a single
        small query leaves idle."""

        def timed(sql: str) -> tuple[list[tuple], float]:
            clock = time.monotonic()
            cursor = self.db.cursor()
            try:
                return cursor.execute(sql).fetchall(), time.monotonic() - clock
            finally:
                cursor.close()

        with ThreadPoolExecutor(max_workers=self.threads) as pool:
            return list(pool.map(timed, queries))

    def result(
        self, sql: str, parameters: Mapping[str, object] | None = None
    ) -> tuple[list[str], list[tuple]]:
        """The query's column names (lower case) and rows."""
        cursor = self.db.execute(sql, dict(parameters or {}))
        names = [str(d[0]).lower() for d in cursor.description]
        return names, cursor.fetchall()


@contextmanager
def workspace(
    conn: sa.Connection,
    source: TableSource,
    as_at_dates: list[dt.date],
    config: CountyConfig,
    queries: Iterable[str] | None = None,
    limits: WorkspaceLimits = DEFAULT_LIMITS,
) -> Iterator[Workspace]:
    """A DuckDB workspace over ``source`` (a stored snapshot, or canonical frames by table
    name) for these as-at dates, closed after; ``conn`` is the warehouse, for its calendar.

    ``queries`` (the SQL that will run, e.g. the measures') loads only the tables and columns
    they and the shared cohorts name (``referenced_columns``); without it every table and
    extracted column is loaded.
    """
    queries = list(queries) if queries is not None else None  # read more than once
    as_at_rows = [as_at_row(day) for day in sorted(set(as_at_dates))]
    referenced = referenced_columns(queries)
    # Team names in team columns are resolved through ssd_department (_resolve_teams).
    wanted = {c.name for c in referenced.get("ssd_department", ())}
    wanted |= {"dept_team_id", "dept_team_name"}
    referenced["ssd_department"] = tuple(
        c for c in WORK_TABLES["ssd_department"].extracted if c.name in wanted
    )
    read = _arrow_reader(source)
    tables = {}
    for name, columns in referenced.items():
        table = read(name, [c.name for c in columns])
        if table is None and isinstance(source, StoredSnapshot) and name not in EXTENSION_TABLES:
            raise MissingTableError(
                f"snapshot {source.snapshot_key} holds no {name}, which the queries read: "
                "a table of the standard is never taken as empty"
            )
        tables[name] = _complete(table, columns)
    unknown = _normalise_codes(tables, config.codes) + _resolve_teams(tables, config)
    tables["calendar_day"] = _calendar(conn)
    tables.update(_helper_tables(as_at_rows, config))
    with tempfile.TemporaryDirectory(prefix="improvement-workspace-") as spill:
        db = duckdb.connect(
            config={
                "threads": limits.threads,
                "memory_limit": limits.memory,
                "temp_directory": spill,
            }
        )
        try:
            # The workspace's SQL reads its own tables, never a file or a URL.
            db.execute("SET enable_external_access = false")
            for name, table in tables.items():
                db.from_arrow(table).create(name)
            del tables
            for name in DERIVED:
                query = (SQL_DIR / "workspace" / f"{name}.sql").read_text()
                parameters = {}
                if name == "allocation_at":
                    parameters["every_involvement"] = int(_reads_allocation_by_date(queries))
                db.execute(f"CREATE TABLE {name} AS {query}", parameters)
            for name in VIEWS:
                db.execute(
                    f"CREATE VIEW {name} AS {(SQL_DIR / 'workspace' / f'{name}.sql').read_text()}"
                )
            yield Workspace(db, unknown, limits.threads)
        finally:
            db.close()
