"""The extract streams each table in key order, and its bytes are those of the whole-table sort.

Streaming keeps a national-size table out of memory; it is only right while the database's key
order is the canonical one, so every table is checked against the in-memory sort it replaces,
on SQLite and PostgreSQL, and tables whose keys are missing, repeated or ordered differently
(an integer key: 9 before 10, where the canonical text puts "10" first) must fall back to it.
"""

from __future__ import annotations

import gzip

import pytest
import sqlalchemy as sa

from improvement.extract import (
    _select,
    _stage_in_key_order,
    _stage_sorted_in_memory,
    extract_case_system,
)
from improvement.generator import load_case_system
from improvement.ssd.canonical import read_canonical_csv
from improvement.ssd.schema import SSD_TABLES, ssd_metadata

SCHEMA = "ssd_order"


def _both_ways(conn: sa.Connection, name: str, tmp_path) -> tuple:
    spec = SSD_TABLES[name]
    columns = {c["name"]: c["name"] for c in sa.inspect(conn).get_columns(name, schema=None)}
    actual = {**columns, "__table__": name}
    wanted = [c for c in spec.extracted if c.name in columns]
    streamed = _stage_in_key_order(
        conn,
        _select(conn, spec, wanted, actual, None, in_key_order=True),
        spec,
        wanted,
        tmp_path / f"{name}.streamed.csv.gz",
    )
    sorted_whole = _stage_sorted_in_memory(
        conn,
        _select(conn, spec, wanted, actual, None, in_key_order=False),
        spec,
        wanted,
        tmp_path / f"{name}.sorted.csv.gz",
    )
    return streamed, sorted_whole


@pytest.mark.parametrize("engine_kind", ["sqlite", "postgresql"])
def test_every_generated_table_streams_to_the_bytes_of_the_whole_table_sort(
    engine_kind, small_county, small_case_system, postgres_url, tmp_path
):
    if engine_kind == "sqlite":
        url = f"sqlite:///{small_case_system}"
    else:
        load_case_system(small_county, postgres_url, schema=SCHEMA)
        url = postgres_url
    engine = sa.create_engine(
        url, connect_args={"options": f"-csearch_path={SCHEMA}"} if engine_kind != "sqlite" else {}
    )
    with engine.connect() as conn:
        for name in SSD_TABLES:
            streamed, sorted_whole = _both_ways(conn, name, tmp_path)
            assert streamed is not None, f"{name} fell back to sorting in memory"
            assert streamed.content_hash == sorted_whole.content_hash, name
            assert streamed.row_count == sorted_whole.row_count == len(small_county.tables[name])
            assert streamed.findings == sorted_whole.findings, name
            assert gzip.decompress((tmp_path / f"{name}.streamed.csv.gz").read_bytes()) == (
                gzip.decompress((tmp_path / f"{name}.sorted.csv.gz").read_bytes())
            ), name
    engine.dispose()


@pytest.fixture
def badly_keyed_case_system(tmp_path) -> str:
    """SSD tables whose keys the database cannot stream in canonical order."""
    url = f"sqlite:///{tmp_path / 'case_system.sqlite'}"
    engine = sa.create_engine(url)
    ssd_metadata().create_all(engine)
    with engine.begin() as conn:
        conn.exec_driver_sql("drop table ssd_department")
        conn.exec_driver_sql(  # no primary key: repeats and nulls allowed
            "create table ssd_department (dept_team_id varchar(48), dept_team_name varchar(255),"
            " dept_team_parent_id varchar(48), dept_team_parent_name varchar(255))"
        )
        conn.exec_driver_sql(
            "insert into ssd_department values ('T02', 'Beta', 'L01', 'North'),"
            " ('T01', 'Alpha', 'L01', 'North'), ('T02', 'Alpha', 'L01', 'North'),"
            " (null, 'Nobody', null, null)"
        )
        conn.exec_driver_sql("drop table ssd_missing")
        conn.exec_driver_sql(  # an integer key: the database orders 9 before 10
            "create table ssd_missing (miss_table_id integer primary key, miss_person_id"
            " varchar(48), miss_missing_episode_start_date datetime)"
        )
        conn.exec_driver_sql(
            "insert into ssd_missing values (9, 'P1', '2025-01-01'), (10, 'P2', '2025-02-01'),"
            " (100, 'P3', '2025-03-01')"
        )
    engine.dispose()
    return url


def test_keys_missing_repeated_or_ordered_otherwise_fall_back_to_the_whole_table_sort(
    badly_keyed_case_system, tmp_path
):
    engine = sa.create_engine(badly_keyed_case_system)
    with engine.connect() as conn:
        for name in ("ssd_department", "ssd_missing"):
            streamed, sorted_whole = _both_ways(conn, name, tmp_path)
            assert streamed is None, f"{name} streamed out of canonical order"
            assert not (tmp_path / f"{name}.streamed.csv.gz").exists(), "partial file left"
    manifest = extract_case_system(engine, None, tmp_path / "staging", "test")
    engine.dispose()

    department = manifest.tables["ssd_department"]
    assert (department.null_keys, department.duplicate_keys) == (1, 1)
    staged = read_canonical_csv(tmp_path / "staging" / "ssd_department.csv.gz")
    assert staged["dept_team_id"].tolist() == [None, "T01", "T02", "T02"]
    assert staged["dept_team_name"].tolist() == ["Nobody", "Alpha", "Alpha", "Beta"]
    missing = read_canonical_csv(tmp_path / "staging" / "ssd_missing.csv.gz")
    assert missing["miss_table_id"].tolist() == ["10", "100", "9"]
    assert manifest.tables["ssd_missing"].row_count == 3
