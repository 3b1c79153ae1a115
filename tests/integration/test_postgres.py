"""The same county in SQLite and in a real PostgreSQL server gives identical snapshots."""

from __future__ import annotations

import sqlalchemy as sa

from improvement.connections import DatabaseTarget
from improvement.generator import load_case_system
from improvement.warehouse.tables import snapshot, snapshot_table
from tests.conftest import AS_OF
from tests.integration.helpers import new_warehouse, run_week

SCHEMA = "ssd_development"


def _snapshot_hashes(warehouse: DatabaseTarget) -> tuple[str, dict[str, str]]:
    engine = warehouse.engine()
    with engine.connect() as conn:
        extract_hash = conn.execute(sa.select(snapshot.c.extract_hash)).scalar_one()
        tables = dict(
            conn.execute(
                sa.select(snapshot_table.c.table_name, snapshot_table.c.content_hash)
            ).all()
        )
    engine.dispose()
    return extract_hash, tables


def test_sqlite_and_postgres_give_identical_snapshot_hashes(
    small_county, small_case_system, postgres_url, tmp_path
):
    load_case_system(small_county, postgres_url, schema=SCHEMA)

    sqlite_warehouse = new_warehouse(f"sqlite:///{tmp_path / 'warehouse.sqlite'}")
    sqlite_summary = run_week(
        DatabaseTarget.from_url(f"sqlite:///{small_case_system}"),
        sqlite_warehouse,
        tmp_path / "staging-sqlite",
        AS_OF,
    )
    postgres_warehouse = new_warehouse(postgres_url)  # Alembic migrations on PostgreSQL too
    postgres_summary = run_week(
        DatabaseTarget.from_url(postgres_url, schema=SCHEMA),
        postgres_warehouse,
        tmp_path / "staging-postgres",
        AS_OF,
    )
    assert postgres_summary["rows"] == sqlite_summary["rows"] > 0
    assert _snapshot_hashes(postgres_warehouse) == _snapshot_hashes(sqlite_warehouse)
    assert postgres_summary["extract_hash"] == sqlite_summary["extract_hash"]
