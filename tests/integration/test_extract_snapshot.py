"""Extract, validate and snapshot the generated county: contents, idempotency, broken inputs."""

from __future__ import annotations

import datetime as dt
import gzip
import shutil
import sqlite3

import pytest
import sqlalchemy as sa

from improvement.connections import DatabaseTarget
from improvement.extract import combined_hash
from improvement.ssd.canonical import PLACEHOLDER_DATE, PLACEHOLDER_TEXT, content_hash
from improvement.validate import ExtractValidationError
from improvement.warehouse.snapshots import read_snapshot_table
from improvement.warehouse.tables import (
    data_quality_finding,
    extract_blob,
    snapshot,
    snapshot_table,
)
from tests.conftest import AS_OF
from tests.integration.helpers import new_warehouse, run_week, warehouse_contents


@pytest.fixture
def case_system(small_case_system, tmp_path) -> tuple[DatabaseTarget, str]:
    """A private copy of the small county's case system, free to break."""
    path = tmp_path / "case_system.sqlite"
    shutil.copy(small_case_system, path)
    return DatabaseTarget.from_url(f"sqlite:///{path}"), str(path)


@pytest.fixture
def warehouse(tmp_path) -> DatabaseTarget:
    return new_warehouse(f"sqlite:///{tmp_path / 'warehouse.sqlite'}")


def test_snapshot_holds_every_table_with_its_hash_and_counts(
    case_system, warehouse, tmp_path, small_county
):
    summary = run_week(case_system[0], warehouse, tmp_path / "staging", AS_OF)
    assert summary["snapshot_key"] == f"weekly/{AS_OF}"
    assert list((tmp_path / "staging" / "weekly").iterdir()) == [], "staging kept"
    engine = warehouse.engine()
    with engine.connect() as conn:
        stored = conn.execute(
            sa.select(
                snapshot_table.c.table_name,
                snapshot_table.c.row_count,
                extract_blob.c.payload,
                extract_blob.c.content_hash,
            ).join(extract_blob)
        ).all()
        extract_hash = conn.execute(sa.select(snapshot.c.extract_hash)).scalar_one()
    assert {row.table_name: row.row_count for row in stored} == {
        name: len(frame) for name, frame in small_county.tables.items()
    }
    for row in stored:  # each blob is the content its hash names
        assert content_hash(gzip.decompress(row.payload)) == row.content_hash
    assert extract_hash == combined_hash({row.table_name: row.content_hash for row in stored})
    assert extract_hash == summary["extract_hash"]


def test_stored_values_are_canonical_and_placeholders_are_missing(case_system, warehouse, tmp_path):
    run_week(case_system[0], warehouse, tmp_path / "staging", AS_OF)
    assessments = read_snapshot_table(warehouse.engine(), f"weekly/{AS_OF}", "ssd_cin_assessments")
    dates = assessments["cina_assessment_start_date"].dropna()
    assert len(dates) and dates.str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()
    assert not assessments.isin([PLACEHOLDER_DATE, PLACEHOLDER_TEXT]).any().any()


def test_placeholder_findings_equal_the_generators_planted_faults(
    case_system, warehouse, tmp_path, small_county
):
    run_week(case_system[0], warehouse, tmp_path / "staging", AS_OF)
    with warehouse.engine().connect() as conn:
        found = {
            (row.table_name, row.column_name): row.row_count
            for row in conn.execute(
                sa.select(data_quality_finding).where(
                    data_quality_finding.c.check_name == "placeholder"
                )
            )
        }
    planted = {
        (f.table, f.column): f.rows
        for f in small_county.faults
        if f.kind in ("placeholder_date", "placeholder_text") and f.rows
    }
    assert planted, "the generator planted no placeholders to find"
    assert found == planted


def test_orphan_ids_are_reported_as_warnings(case_system, warehouse, tmp_path, small_county):
    run_week(case_system[0], warehouse, tmp_path / "staging", AS_OF)
    with warehouse.engine().connect() as conn:
        found = {
            (row.table_name, row.column_name): (row.severity, row.row_count)
            for row in conn.execute(
                sa.select(data_quality_finding).where(
                    data_quality_finding.c.check_name == "orphan_id"
                )
            )
        }
    for fault in small_county.faults:
        if fault.kind == "orphan_id" and fault.rows:
            severity, rows = found[(fault.table, fault.column)]
            assert severity == "warning" and rows >= fault.rows


def test_rerunning_a_week_replaces_it_without_duplicates(case_system, warehouse, tmp_path):
    first = run_week(case_system[0], warehouse, tmp_path / "staging", AS_OF, run_id="manual__a")
    before = warehouse_contents(warehouse, with_times=False)
    second = run_week(case_system[0], warehouse, tmp_path / "staging", AS_OF, run_id="manual__a")
    assert second == first
    assert warehouse_contents(warehouse, with_times=False) == before


def test_a_second_week_shares_unchanged_table_contents(
    case_system, warehouse, tmp_path, small_county
):
    run_week(case_system[0], warehouse, tmp_path / "staging", AS_OF - dt.timedelta(days=7))
    run_week(case_system[0], warehouse, tmp_path / "staging", AS_OF)
    with warehouse.engine().connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(snapshot)).scalar() == 2
        blobs = conn.execute(sa.select(sa.func.count()).select_from(extract_blob)).scalar()
    assert blobs == len(small_county.tables), "each table's content is stored once"


def _drop_table(path: str) -> str:
    with sqlite3.connect(path) as db:
        db.execute("DROP TABLE ssd_cin_assessments")
    return "ssd_cin_assessments: table not found"


def _drop_column(path: str) -> str:
    with sqlite3.connect(path) as db:
        rows = db.execute("SELECT COUNT(*) FROM ssd_cp_plans").fetchone()[0]
        db.execute("ALTER TABLE ssd_cp_plans DROP COLUMN cppl_cp_plan_end_date")
    return f"ssd_cp_plans.cppl_cp_plan_end_date: required column not found (the table has {rows:,} rows)"


def _text_in_dates(path: str) -> str:
    with sqlite3.connect(path) as db:
        db.execute(
            "UPDATE ssd_cin_assessments SET cina_assessment_start_date = 'see notes' WHERE rowid % 7 = 0"
        )
        changed = db.execute("SELECT changes()").fetchone()[0]
        total = db.execute("SELECT COUNT(*) FROM ssd_cin_assessments").fetchone()[0]
    assert changed > 5
    return f"ssd_cin_assessments.cina_assessment_start_date: not a valid date in {changed:,} rows of {total:,}"


BREAKAGES = {
    "missing table": _drop_table,
    "missing column": _drop_column,
    "text in dates": _text_in_dates,
}


@pytest.mark.parametrize("breakage", BREAKAGES)
def test_broken_extract_fails_clearly_and_leaves_warehouse_unchanged(
    breakage, case_system, warehouse, tmp_path
):
    target, path = case_system
    run_week(target, warehouse, tmp_path / "staging", AS_OF - dt.timedelta(days=7))
    before = warehouse_contents(warehouse)
    expected = BREAKAGES[breakage](path)
    with pytest.raises(ExtractValidationError) as raised:
        run_week(target, warehouse, tmp_path / "staging", AS_OF)
    assert expected in str(raised.value)
    assert "nothing was written to the warehouse" in str(raised.value)
    assert warehouse_contents(warehouse) == before
    assert list((tmp_path / "staging" / "weekly").iterdir()) == [], "staged data kept"


def test_table_that_empties_against_last_week_fails(case_system, warehouse, tmp_path):
    target, path = case_system
    run_week(target, warehouse, tmp_path / "staging", AS_OF - dt.timedelta(days=7))
    with sqlite3.connect(path) as db:
        previous = db.execute("SELECT COUNT(*) FROM ssd_cin_episodes").fetchone()[0]
        db.execute("DELETE FROM ssd_cin_episodes")
    before = warehouse_contents(warehouse)
    with pytest.raises(ExtractValidationError) as raised:
        run_week(target, warehouse, tmp_path / "staging", AS_OF)
    previous_week = AS_OF - dt.timedelta(days=7)
    assert (
        f"ssd_cin_episodes: 0 rows against {previous:,} in the previous snapshot "
        f"(weekly/{previous_week}): a fall of 100.0 %"
    ) in str(raised.value)
    assert warehouse_contents(warehouse) == before


def test_tables_published_as_views_are_read_like_tables(case_system, tmp_path):
    from improvement.extract import extract_case_system

    target, path = case_system
    with sqlite3.connect(path) as db:
        db.execute("ALTER TABLE ssd_department RENAME TO department_store")
        db.execute("CREATE VIEW ssd_department AS SELECT * FROM department_store")
    engine = target.engine(read_only=True)
    manifest = extract_case_system(engine, None, tmp_path / "staged", target.describe())
    engine.dispose()
    department = manifest.tables["ssd_department"]
    assert department.present and department.row_count > 0 and not department.missing_columns
