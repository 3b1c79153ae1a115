"""The extract through Arrow writes the bytes of the per-value canonical functions it replaced.

The reference is the pandas path kept in ``ssd/canonical.py``: read the whole table with
``pd.read_sql``, ``canonical_table``, ``sort_canonical``, ``canonical_csv``. Every generated
table, from SQLite and from PostgreSQL, must hash alike; and PostgreSQL columns of other types
than the standard's, holding a value of each odd kind, must canonicalise as before.
"""

from __future__ import annotations

import pandas as pd
import pytest
import sqlalchemy as sa

from improvement.extract import extract_case_system
from improvement.generator import load_case_system
from improvement.ssd.canonical import canonical_csv, canonical_table, content_hash, sort_canonical
from improvement.ssd.schema import EXTENSION_TABLES, SSD_TABLES
from tests.integration.helpers import fresh_database

SPECS = {**SSD_TABLES, **EXTENSION_TABLES}


def _reference(engine: sa.Engine, name: str) -> tuple[str, dict[str, int], dict[str, int]]:
    """The table's hash, placeholders and unparseable counts by the pandas path."""
    spec = SPECS[name]
    with engine.connect() as conn:
        raw = pd.read_sql(sa.select(sa.text("*")).select_from(sa.table(name)), conn)
    raw.columns = [c.lower() for c in raw.columns]
    table = canonical_table(raw, [c for c in spec.extracted if c.name in raw.columns])
    data = canonical_csv(sort_canonical(table.frame, spec.primary_key))
    placeholders = {c: f.placeholders for c, f in table.findings.items() if f.placeholders}
    unparseable = {c: f.unparseable for c, f in table.findings.items() if f.unparseable}
    return content_hash(data), placeholders, unparseable


def _assert_as_reference(engine: sa.Engine, tmp_path) -> str:
    manifest = extract_case_system(engine, None, tmp_path / "staging", "test")
    for name, table in manifest.tables.items():
        if table.present:
            digest, placeholders, unparseable = _reference(engine, name)
            assert table.content_hash == digest, name
            assert (table.placeholders, table.unparseable) == (placeholders, unparseable), name
    return manifest.extract_hash


def test_generated_county_from_sqlite_and_postgres_hashes_as_the_pandas_path(
    small_county, small_case_system, postgres_url, tmp_path
):
    sqlite = sa.create_engine(f"sqlite:///{small_case_system}")
    from_sqlite = _assert_as_reference(sqlite, tmp_path / "sqlite")
    sqlite.dispose()
    url = fresh_database(postgres_url, "case_arrow")
    load_case_system(small_county, url)
    postgres = sa.create_engine(url)
    from_postgres = _assert_as_reference(postgres, tmp_path / "postgres")
    postgres.dispose()
    assert from_sqlite == from_postgres


ODD_TABLES = [
    # Text, numbers and dates in columns of other types than the standard's, each odd value
    # once: CHAR padding, placeholders, quotes and newlines, NaN and infinity, -0, 1e20.
    """create table ssd_professionals (prof_professional_id varchar(10) primary key,
        prof_professional_name integer, prof_social_worker_registration_no text,
        prof_agency_worker_flag char(3), prof_professional_job_title varchar(50),
        prof_professional_caseload numeric, prof_professional_department text,
        prof_full_time_equivalency double precision)""",
    """insert into ssd_professionals values
        ('P1', 12, 'SSD_PH', 'Y', ' lead, "senior"' || chr(10) || 'x', 3.00, '  ', 0.5),
        ('P2', null, '', 'N  ', null, 2.5, 'D1', 1),
        ('P3', -7, 'é ' || chr(160), null, 'a', null, null, 'NaN'),
        ('P4', 0, ' 3 ', 'Y', 'b', 1e20, 'D2', '-0'),
        ('P5', 5, '12', 'N', 'c', 'NaN', 'D2', 'Infinity'),
        ('P6', 2147483647, 'x', 'N', 'c', -4.000, 'D3', 0.1)""",
    """create table ssd_person (pers_person_id text primary key, pers_forename numeric,
        pers_surname char(8), pers_sex integer, pers_dob timestamptz, pers_death_date text,
        pers_send_flag varchar(8))""",
    """insert into ssd_person values
        ('A', 3.0, 'Smith', 1, '2024-02-29 14:20:00.123+00', '31/12/2020', 'SSD_PH'),
        ('B', 2.5, null, null, '1900-01-01', '2021-02-30', ''),
        ('C', null, 'SSD_PH', 0, null, ' 2022-03-04T10:00 ', ' Y '),
        ('D', 1e16, 'x', -3, '2020-01-01 23:59', 'SSD_PH', null),
        ('E', -0.5, 'y', 2, 'infinity', '1900-01-01', 'N'),
        ('F', 7, 'z', 3, '2021-06-01', '', 'N'),
        ('G', 8, 'w', 4, '-infinity', '0000-01-01', 'N')""",
    """create table ssd_involvements (invo_involvements_id text primary key,
        invo_involvement_start_date date, invo_involvement_end_date timestamp)""",
    """insert into ssd_involvements values ('I1', '2024-02-29', '2024-03-01 00:00:01.5'),
        ('I2', 'infinity', '-infinity'), ('I3', '-infinity', 'infinity'),
        ('I4', '1900-01-01', '1900-01-01 10:00'), ('I5', null, null)""",
    # A boolean has no Arrow reader here: the table goes through pandas, to the same bytes.
    """create table ssd_department (dept_team_id varchar(48) primary key,
        dept_team_name boolean, dept_team_parent_id varchar(48), dept_team_parent_name text)""",
    "insert into ssd_department values ('T1', true, 'L1', 'North'), ('T2', null, null, 'S')",
]


@pytest.mark.parametrize("timezone", ["UTC", "Pacific/Kiritimati"])
def test_odd_values_in_postgres_columns_of_other_types_canonicalise_as_before(
    postgres_url, tmp_path, timezone
):
    url = fresh_database(postgres_url, "case_odd")
    engine = sa.create_engine(url, connect_args={"options": f"-ctimezone={timezone}"})
    with engine.begin() as conn:
        for statement in ODD_TABLES:
            conn.exec_driver_sql(statement)
    _assert_as_reference(engine, tmp_path)
    engine.dispose()


def test_odd_values_in_sqlite_canonicalise_as_before(tmp_path):
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'odd.sqlite'}")
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "create table ssd_professionals (prof_professional_id, prof_professional_name,"
            " prof_professional_caseload, prof_full_time_equivalency, prof_agency_worker_flag)"
        )
        conn.exec_driver_sql(
            "insert into ssd_professionals values ('P1', 1, '3', 0.5, x'59'), ('P2', 'a', 3.0,"
            " '0.50', 'Y  '), ('P3', 2.5, ' 12 ', 1, null), ('P4', null, 'three', -0.0, 'SSD_PH'),"
            " (5, 9007199254740993, 12345678901234567891, '1e400', ' ')"
        )
    _assert_as_reference(engine, tmp_path)
    engine.dispose()
