"""Regional mode on one PostgreSQL database: each council's warehouse in its own schema, with
its own migrations, snapshots and results, and nothing seen across schemas."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from improvement.cli import main
from improvement.connections import ConnectionConfigError, DatabaseTarget
from improvement.county import load_county_config
from improvement.measures.catalogue import load_catalogue
from improvement.measures.run import measure_snapshot
from improvement.warehouse.migrate import current_revision, head_revision
from improvement.warehouse.tables import measure_result, snapshot
from tests.conftest import AS_OF
from tests.integration.helpers import fresh_database, run_week


def test_councils_share_a_database_each_in_its_own_schema(
    postgres_url, small_case_system, tmp_path, capsys
):
    url = fresh_database(postgres_url, "regional_warehouse")
    for schema in ("northshire", "southshire"):
        assert main(["warehouse-upgrade", "--url", url, "--schema", schema]) == 0
        assert f"(schema {schema}) is at revision {head_revision()}" in capsys.readouterr().out
    north = DatabaseTarget(sa.make_url(url), search_path="northshire")
    south = DatabaseTarget(sa.make_url(url), search_path="southshire")
    assert current_revision(south.engine()) == head_revision()

    case_system = DatabaseTarget.from_url(f"sqlite:///{small_case_system}")
    run_week(case_system, north, tmp_path / "staging", AS_OF)
    measure_snapshot(
        north.engine(), f"weekly/{AS_OF}", load_catalogue(), load_county_config(),
        as_at_dates=[AS_OF],
    )  # fmt: skip

    def counts(target: DatabaseTarget) -> tuple[int, int]:
        with target.engine().connect() as conn:
            return tuple(
                conn.execute(sa.select(sa.func.count()).select_from(table)).scalar()
                for table in (snapshot, measure_result)
            )

    assert counts(north)[0] == 1 and counts(north)[1] > 0
    assert counts(south) == (0, 0)
    with sa.create_engine(url).connect() as conn:  # nothing in the database's public schema
        public = sa.inspect(conn).get_table_names(schema="public")
        in_north = sa.inspect(conn).get_table_names(schema="northshire")
    assert public == [] and "measure_result" in in_north and "alembic_version" in in_north


def test_a_schema_on_sqlite_is_refused_with_the_reason(tmp_path):
    target = DatabaseTarget(sa.make_url(f"sqlite:///{tmp_path / 'w.sqlite'}"), search_path="a")
    with pytest.raises(ConnectionConfigError, match="needs PostgreSQL"):
        target.engine()
