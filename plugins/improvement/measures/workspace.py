"""A snapshot loaded into temporary tables of the warehouse connection, ready for measure SQL.

The SSD and extension tables keep their own names (measure SQL reads ``ssd_cin_episodes``),
typed so dates compare as dates. Beside them: ``as_at`` (the dates being measured and their
windows), ``team_map`` (team -> locality and team type, from configuration),
``measure_parameter``, ``allocation_at`` (open allocated-worker involvements on each date),
``child_team_at`` (each child's team on each date), ``in_care_at`` (children in care on each
date) and ``placement_span`` (placements with their current span). Shared cohorts are
defined once, in ``sql/workspace/``. Temporary
tables belong to one connection, so concurrent runs never see each other's workspace.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from improvement.county import CountyConfig
from improvement.measures.asat import as_at_row
from improvement.ssd.codes import CODED_COLUMNS
from improvement.ssd.schema import EXTENSION_TABLES, SSD_TABLES, TableSpec

SQL_DIR = Path(__file__).resolve().parents[3] / "sql"
WORK_TABLES: dict[str, TableSpec] = {**SSD_TABLES, **EXTENSION_TABLES}
_TYPES = {"date": sa.Date, "int": sa.Integer, "float": sa.Float, "text": sa.Text}


@dataclass(frozen=True)
class UnknownCodes:
    """Values in a coded column that are neither a DfE code nor a known description."""

    table: str
    column: str
    rows: int


def normalise_codes(frames: dict[str, pd.DataFrame]) -> list[UnknownCodes]:
    """Map descriptions to DfE codes in place; count what cannot be mapped (kept as it is)."""
    unknown = []
    for (table, column), code_list in CODED_COLUMNS.items():
        frame = frames.get(table)
        if frame is None or column not in frame:
            continue
        values = frame[column]
        mapping = {value: code_list.to_code(value) for value in values.dropna().unique()}
        unmapped = {value for value, code in mapping.items() if code is None}
        frame[column] = values.map(
            lambda v, codes=mapping: (codes.get(v) or v) if v is not None else None
        )
        rows = int(values.isin(unmapped).sum())
        if rows:
            unknown.append(UnknownCodes(table, column, rows))
    return unknown


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


def _bulk_load(conn: sa.Connection, table: sa.Table, frame: pd.DataFrame) -> None:
    if frame.empty:
        return
    names = [c.name for c in table.c]
    frame = frame[names]
    if conn.dialect.name == "postgresql" and conn.dialect.driver == "psycopg2":
        buffer = io.StringIO(frame.to_csv(index=False, header=False, lineterminator="\n"))
        cursor = conn.connection.cursor()
        cursor.copy_expert(
            f"COPY {table.name} ({', '.join(names)}) FROM STDIN WITH (FORMAT csv)", buffer
        )
        return
    if conn.dialect.name == "sqlite":  # ISO date text is SQLite's date storage already
        placeholders = ", ".join("?" for _ in names)
        rows = list(
            frame.astype(object).where(frame.notna(), None).itertuples(index=False, name=None)
        )
        # Table and column names come from the SSD declaration, never from input.
        statement = f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({placeholders})"  # noqa: S608
        conn.exec_driver_sql(statement, rows)
        return
    typed = frame.astype(object).where(frame.notna(), None)
    for column in table.c:
        if isinstance(column.type, sa.Date):
            typed[column.name] = typed[column.name].map(
                lambda v: dt.date.fromisoformat(v) if v else None
            )
    conn.execute(table.insert(), typed.to_dict("records"))


def _index(conn: sa.Connection, table: sa.Table, spec: TableSpec) -> None:
    for column in table.c:
        if column.name == spec.primary_key or column.name.endswith(
            ("_person_id", "_referral_id", "_cla_id", "_plan_id")
        ):
            sa.Index(f"ix_{table.name}_{column.name}", column).create(conn)


@contextmanager
def workspace(
    conn: sa.Connection,
    frames: dict[str, pd.DataFrame],
    as_at_dates: list[dt.date],
    config: CountyConfig,
) -> Iterator[list[UnknownCodes]]:
    """Load ``frames`` (canonical text, by table name) and the helper tables; drop them after.

    Use it inside a transaction (``engine.begin()``) so the results it helps write and the
    clean-up commit together.
    """
    metadata = sa.MetaData()
    unknown = normalise_codes(frames)
    try:
        for name, spec in WORK_TABLES.items():
            table = _temporary_table(
                metadata, name, [sa.Column(c.name, _TYPES[c.kind]()) for c in spec.extracted]
            )
            _create(conn, table)
            frame = frames.get(name)
            if frame is not None:
                _bulk_load(conn, table, frame)
            _index(conn, table, spec)
        as_at_rows = [as_at_row(day) for day in sorted(set(as_at_dates))]
        as_at = _temporary_table(
            metadata, "as_at", [sa.Column(key, sa.Date) for key in as_at_rows[0]]
        )
        team_map = _temporary_table(
            metadata,
            "team_map",
            [sa.Column(key, sa.Text) for key in ("team_id", "team_name", "locality", "team_type")],
        )
        allocated_role = _temporary_table(metadata, "allocated_role", [sa.Column("role", sa.Text)])
        parameter = _temporary_table(
            metadata,
            "measure_parameter",
            [
                sa.Column("child_population_0_17", sa.Integer),
                sa.Column("supervision_interval_days", sa.Integer),
            ],
        )
        allocation_at = _temporary_table(
            metadata,
            "allocation_at",
            [sa.Column("as_at", sa.Date)]
            + [
                sa.Column(name, sa.Text)
                for name in ("involvement_id", "person_id", "professional_id", "team_id")
            ]
            + [sa.Column("started", sa.Date)],
        )
        child_team_at = _temporary_table(
            metadata,
            "child_team_at",
            [
                sa.Column("as_at", sa.Date),
                sa.Column("person_id", sa.Text),
                sa.Column("team_id", sa.Text),
            ],
        )
        in_care_at = _temporary_table(
            metadata,
            "in_care_at",
            [
                sa.Column("as_at", sa.Date),
                sa.Column("person_id", sa.Text),
                sa.Column("period_start", sa.Date),
            ],
        )
        placement_span = _temporary_table(
            metadata,
            "placement_span",
            [
                sa.Column("person_id", sa.Text),
                sa.Column("placement_id", sa.Text),
                sa.Column("placement_start", sa.Date),
                sa.Column("placement_end", sa.Date),
                sa.Column("placement_type", sa.Text),
                sa.Column("current_end", sa.Date),
            ],
        )
        derived = (allocation_at, child_team_at, in_care_at, placement_span)
        for table in (as_at, team_map, allocated_role, parameter, *derived):
            _create(conn, table)
        conn.execute(as_at.insert(), as_at_rows)
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
        for table in derived:  # in order: each may read the ones before it
            query = (SQL_DIR / "workspace" / f"{table.name}.sql").read_text()
            names = [c.name for c in table.c]
            conn.execute(
                table.insert().from_select(
                    names, sa.text(query).columns(*(sa.column(n) for n in names))
                )
            )
        sa.Index("ix_allocation_at", allocation_at.c.as_at, allocation_at.c.professional_id).create(
            conn
        )
        sa.Index("ix_child_team_at", child_team_at.c.person_id, child_team_at.c.as_at).create(conn)
        sa.Index("ix_in_care_at", in_care_at.c.person_id, in_care_at.c.as_at).create(conn)
        sa.Index("ix_placement_span", placement_span.c.person_id).create(conn)
        yield unknown
    finally:
        for table in reversed(metadata.sorted_tables):
            table.drop(conn, checkfirst=True)
