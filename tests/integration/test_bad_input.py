"""Bad values in an otherwise sound extract: each is a warning naming table, column and rows,
kept as a data-quality finding with the snapshot; an extract with no rows at all blocks."""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3

import pytest
import sqlalchemy as sa

from improvement.connections import DatabaseTarget
from improvement.ssd.schema import ssd_metadata
from improvement.validate import ExtractValidationError
from improvement.warehouse.tables import data_quality_finding, snapshot
from tests.conftest import AS_OF
from tests.integration.helpers import new_warehouse, run_week, warehouse_contents


@pytest.fixture
def case_system(small_case_system, tmp_path):
    path = tmp_path / "case_system.sqlite"
    shutil.copy(small_case_system, path)
    return path


def _first_ids(db: sqlite3.Connection, table: str, key: str, where: str, n: int) -> list[str]:
    return [row[0] for row in db.execute(
        f"SELECT {key} FROM {table} WHERE {where} ORDER BY {key} LIMIT {n}"  # noqa: S608
    )]  # fmt: skip


def test_bad_values_are_warnings_with_table_column_and_rows(case_system, tmp_path):
    tomorrow = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    with sqlite3.connect(case_system) as db:
        closed = _first_ids(db, "ssd_cp_plans", "cppl_cp_plan_id",
                            "cppl_cp_plan_end_date IS NOT NULL", 4)  # fmt: skip
        db.executemany(
            "UPDATE ssd_cp_plans SET cppl_cp_plan_end_date = "
            "date(cppl_cp_plan_start_date, '-3 days') WHERE cppl_cp_plan_id = ?",
            [(i,) for i in closed],
        )
        visits = _first_ids(db, "ssd_cla_visits", "clav_cla_visit_id", "1 = 1", 3)
        db.executemany(
            "UPDATE ssd_cla_visits SET clav_cla_visit_date = ? WHERE clav_cla_visit_id = ?",
            [(tomorrow, i) for i in visits],
        )
        people = _first_ids(db, "ssd_person", "pers_person_id", "1 = 1", 2)
        db.executemany(
            "UPDATE ssd_person SET pers_dob = '1980-05-01' WHERE pers_person_id = ?",
            [(i,) for i in people],
        )
        referrals = _first_ids(db, "ssd_cin_episodes", "cine_referral_id",
                           "cine_referral_source_desc IS NOT NULL", 5)  # fmt: skip
        db.executemany(
            "UPDATE ssd_cin_episodes SET cine_referral_source_desc = "
            "cine_referral_source_desc || '\ufffd' WHERE cine_referral_id = ?",
            [(i,) for i in referrals],
        )
        statuses = _first_ids(db, "ssd_legal_status", "lega_legal_status_id",
                              "lega_legal_status IS NOT NULL", 7)  # fmt: skip
        db.executemany(
            "UPDATE ssd_legal_status SET lega_legal_status = 'ZZ' WHERE lega_legal_status_id = ?",
            [(i,) for i in statuses],
        )
        # One worker id on 120 involvements open at the extract (a team id keyed as a worker).
        open_now = _first_ids(db, "ssd_involvements", "invo_involvements_id",
                              "invo_involvement_end_date IS NULL", 120)  # fmt: skip
        assert len(open_now) == 120
        db.executemany(
            "UPDATE ssd_involvements SET invo_professional_id = 'TEAM-T01' "
            "WHERE invo_involvements_id = ?",
            [(i,) for i in open_now],
        )
    warehouse = new_warehouse(f"sqlite:///{tmp_path / 'warehouse.sqlite'}")
    run_week(DatabaseTarget.from_url(f"sqlite:///{case_system}"), warehouse, tmp_path, AS_OF)
    with warehouse.engine().connect() as conn:
        found = {
            (row.check_name, row.table_name, row.column_name): row
            for row in conn.execute(sa.select(data_quality_finding))
        }
    expected = {
        ("end_before_start", "ssd_cp_plans", "cppl_cp_plan_end_date"): 4,
        ("date_in_future", "ssd_cla_visits", "clav_cla_visit_date"): 3,
        ("implausible_age", "ssd_person", "pers_dob"): 2,
        ("bad_encoding", "ssd_cin_episodes", "cine_referral_source_desc"): 5,
        ("unknown_code", "ssd_legal_status", "lega_legal_status"): 7,
    }
    for key, rows in expected.items():
        assert key in found, key
        assert (found[key].severity, found[key].row_count) == ("warning", rows)
        assert f"{key[1]}.{key[2]}:" in found[key].message
        assert f"in {rows} rows" in found[key].message
    assert "dated before cppl_cp_plan_start_date" in found[list(expected)[0]].message
    caseload = found[("implausible_caseload", "ssd_involvements", "invo_professional_id")]
    assert caseload.row_count >= 120
    assert "1 worker holds more than 100 open involvements" in caseload.message


def test_an_extract_with_no_rows_at_all_blocks(tmp_path):
    empty = tmp_path / "empty.sqlite"
    engine = sa.create_engine(f"sqlite:///{empty}")
    ssd_metadata(extensions=True).create_all(engine)
    engine.dispose()
    warehouse = new_warehouse(f"sqlite:///{tmp_path / 'warehouse.sqlite'}")
    before = warehouse_contents(warehouse)
    with pytest.raises(ExtractValidationError, match="the extract holds no rows at all"):
        run_week(DatabaseTarget.from_url(f"sqlite:///{empty}"), warehouse, tmp_path, AS_OF)
    assert warehouse_contents(warehouse) == before


# Wrong data that used to pass quietly, through the real extract: each now has a finding that
# names table, column, rows and the measures it touches.
CHILDREN_IN_CARE = (
    "8 measures read {what} (adoption_a1_days, cla_3plus_placements, cla_dental_check, "
    "cla_foster_share, cla_health_assessment, cla_long_term_stability and 2 more)"
)


def _stored_findings(warehouse: DatabaseTarget) -> dict[tuple[str, str, str], tuple[str, str]]:
    with warehouse.engine().connect() as conn:
        return {
            (row.check_name, row.table_name, row.column_name): (row.severity, row.message)
            for row in conn.execute(sa.select(data_quality_finding))
        }


def test_children_in_care_dates_all_blank_refuse_the_extract(case_system, tmp_path):
    with sqlite3.connect(case_system) as db:
        db.execute(
            "UPDATE ssd_cla_episodes SET clae_cla_episode_start_date = '', "
            "clae_cla_episode_ceased_date = '', clae_cla_last_iro_contact_date = '', "
            "clae_entered_care_date = ''"
        )
        [(episodes,)] = db.execute("SELECT count(*) FROM ssd_cla_episodes")
    warehouse = new_warehouse(f"sqlite:///{tmp_path / 'warehouse.sqlite'}")
    before = warehouse_contents(warehouse)
    with pytest.raises(ExtractValidationError) as raised:
        run_week(DatabaseTarget.from_url(f"sqlite:///{case_system}"), warehouse, tmp_path, AS_OF)
    blocking = {f.column: f.message for f in raised.value.findings}
    # The ceased date empty too reads as every episode still open: a warning, not a block.
    assert set(blocking) == {"clae_cla_episode_start_date", "clae_entered_care_date"}
    effect = CHILDREN_IN_CARE.format(what="it")
    assert blocking["clae_cla_episode_start_date"] == (
        f"ssd_cla_episodes.clae_cla_episode_start_date: empty in {episodes:,} of {episodes:,} "
        f"rows (100.0 %), more than the 50 % allowed; {effect}: their figures would be zero or "
        "blank"
    )
    assert f"  - {blocking['clae_entered_care_date']}" in str(raised.value)
    assert warehouse_contents(warehouse) == before
    assert not (tmp_path / "weekly" / AS_OF.isoformat()).exists()


def test_impossible_full_time_equivalences_are_a_finding_on_the_caseload(case_system, tmp_path):
    with sqlite3.connect(case_system) as db:
        workers = _first_ids(db, "ssd_professionals", "prof_professional_id",
                             "prof_full_time_equivalency IS NOT NULL", 2)  # fmt: skip
        db.executemany(
            "UPDATE ssd_professionals SET prof_full_time_equivalency = ? "
            "WHERE prof_professional_id = ?",
            list(zip((-1, 10_000), workers, strict=True)),
        )
    warehouse = new_warehouse(f"sqlite:///{tmp_path / 'warehouse.sqlite'}")
    run_week(DatabaseTarget.from_url(f"sqlite:///{case_system}"), warehouse, tmp_path, AS_OF)
    found = _stored_findings(warehouse)
    key = ("fte_out_of_range", "ssd_professionals", "prof_full_time_equivalency")
    assert found[key] == ("warning", (
        "ssd_professionals.prof_full_time_equivalency: full-time equivalence outside (0, 1.5] "
        "in 2 rows; 3 measures read it (agency_rate, caseload_avg, turnover): their figures "
        "are distorted by those rows"
    ))  # fmt: skip


def test_a_fifth_of_children_in_care_episodes_gone_since_last_week_warns(case_system, tmp_path):
    target = DatabaseTarget.from_url(f"sqlite:///{case_system}")
    warehouse = new_warehouse(f"sqlite:///{tmp_path / 'warehouse.sqlite'}")
    last_week = AS_OF - dt.timedelta(days=7)
    run_week(target, warehouse, tmp_path, last_week)
    with sqlite3.connect(case_system) as db:
        [(was,)] = db.execute("SELECT count(*) FROM ssd_cla_episodes")
        gone = _first_ids(db, "ssd_cla_episodes", "clae_cla_episode_id", "1 = 1", was // 5)
        db.executemany(
            "DELETE FROM ssd_cla_episodes WHERE clae_cla_episode_id = ?", [(i,) for i in gone]
        )
    run_week(target, warehouse, tmp_path, AS_OF)
    now = was - len(gone)
    effect = CHILDREN_IN_CARE.format(what="the table")
    with warehouse.engine().connect() as conn:
        [(severity, message)] = conn.execute(
            sa.select(data_quality_finding.c.severity, data_quality_finding.c.message)
            .join(snapshot, snapshot.c.snapshot_id == data_quality_finding.c.snapshot_id)
            .where(snapshot.c.snapshot_key == f"weekly/{AS_OF}",
                   data_quality_finding.c.check_name == "row_count_change")
        ).all()  # fmt: skip
    assert (severity, message) == ("warning", (
        f"ssd_cla_episodes: {now:,} rows against {was:,} in the previous snapshot "
        f"(weekly/{last_week}): a fall of {100 * len(gone) / was:.1f} %, more than the 10 % "
        f"expected; {effect}: their figures move with it"
    ))  # fmt: skip


def test_referrals_dated_years_before_the_childs_birth_warn(case_system, tmp_path):
    with sqlite3.connect(case_system) as db:
        referrals = _first_ids(db, "ssd_cin_episodes", "cine_referral_id", "1 = 1", 4)
        db.executemany(
            "UPDATE ssd_cin_episodes SET cine_referral_date = (SELECT date(pers_dob, '-5 years') "
            "FROM ssd_person WHERE pers_person_id = cine_person_id) WHERE cine_referral_id = ?",
            [(i,) for i in referrals],
        )
    warehouse = new_warehouse(f"sqlite:///{tmp_path / 'warehouse.sqlite'}")
    run_week(DatabaseTarget.from_url(f"sqlite:///{case_system}"), warehouse, tmp_path, AS_OF)
    found = _stored_findings(warehouse)
    assert found[("before_birth", "ssd_cin_episodes", "cine_referral_date")] == ("warning", (
        "ssd_cin_episodes.cine_referral_date: dated more than 280 days before the person's "
        "birth in 4 rows; 3 measures read it (re_referrals_12m, referral_nfa, referrals_rate): "
        "those rows count at a date that cannot be right"
    ))  # fmt: skip
