"""The same county in SQLite and in a real PostgreSQL server gives identical snapshots."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from improvement.connections import DatabaseTarget
from improvement.generator import load_case_system
from improvement.warehouse.tables import snapshot, snapshot_table
from tests.conftest import AS_OF
from tests.integration.helpers import fresh_database, new_warehouse, run_week

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


@pytest.mark.parametrize("engine_kind", ["sqlite", "postgresql"])
def test_a_table_content_stored_by_a_concurrent_run_is_skipped_not_a_failure(
    engine_kind, postgres_url, tmp_path
):
    from improvement.warehouse.snapshots import store_blob
    from improvement.warehouse.tables import extract_blob

    if engine_kind == "sqlite":
        url = f"sqlite:///{tmp_path / 'w.sqlite'}"
    else:
        url = fresh_database(postgres_url, "blob_race")
    engine = new_warehouse(url).engine()
    row = {"content_hash": "c" * 64, "table_name": "ssd_person", "row_count": 1, "payload": b"x"}
    with engine.begin() as conn:  # another week's run stored it first
        store_blob(conn, row)
    with engine.begin() as conn:  # this run had checked before that one committed
        store_blob(conn, row)
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(extract_blob)).scalar() == 1
    engine.dispose()
