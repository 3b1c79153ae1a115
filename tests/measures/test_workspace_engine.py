"""The DuckDB workspace itself: its limits, its private spill folder, no file access."""

from __future__ import annotations

import datetime as dt
import stat
from pathlib import Path

import duckdb
import pytest

from improvement.measures.workspace import MissingTableError, workspace
from improvement.settings import WorkspaceLimits, load_settings
from improvement.warehouse.stored import StoredSnapshot
from tests.measures.conftest import CONFIG, frames_from_rows

S = dt.date(2026, 11, 15)
TABLES = {"ssd_person": [{"pers_person_id": "P1", "pers_dob": "2019-02-28"}]}


def test_the_workspace_takes_its_limits_and_spills_to_a_private_folder_it_removes(
    sqlite_warehouse,
):
    limits = WorkspaceLimits(threads=1, memory="512MB")
    with (
        sqlite_warehouse.begin() as conn,
        workspace(conn, frames_from_rows(TABLES), [S], CONFIG, limits=limits) as ws,
    ):
        [(threads, memory, spill)] = ws.rows(
            "select current_setting('threads'), current_setting('memory_limit'), "
            "current_setting('temp_directory')"
        )
        folder = Path(spill)
        assert threads == 1 and memory.startswith(("488", "512"))
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
        assert ws.rows("select pers_dob from ssd_person") == [(dt.date(2019, 2, 28),)]
        with pytest.raises(duckdb.PermissionException):
            ws.rows("select * from read_csv('/etc/hostname')")
    assert not folder.exists()


def test_workspace_limits_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("IMPROVEMENT_WORKSPACE_THREADS", "8")
    monkeypatch.setenv("IMPROVEMENT_WORKSPACE_MEMORY", "16GB")
    assert load_settings().workspace == WorkspaceLimits(8, "16GB")
    monkeypatch.setenv("IMPROVEMENT_WORKSPACE_MEMORY", "lots")
    with pytest.raises(ValueError, match="IMPROVEMENT_WORKSPACE_MEMORY is 'lots'"):
        load_settings()
    monkeypatch.setenv("IMPROVEMENT_WORKSPACE_MEMORY", "16GB")
    monkeypatch.setenv("IMPROVEMENT_WORKSPACE_THREADS", "0")
    with pytest.raises(ValueError, match="IMPROVEMENT_WORKSPACE_THREADS is '0'"):
        load_settings()


def test_a_query_reading_a_table_the_run_did_not_load_fails_rather_than_reading_nothing(
    sqlite_warehouse,
):
    with (
        sqlite_warehouse.begin() as conn,
        workspace(conn, frames_from_rows(TABLES), [S], CONFIG, queries=["select 1"]) as ws,
        pytest.raises(duckdb.CatalogException),
    ):
        ws.rows("select pers_dob from ssd_person")


def test_a_stored_snapshot_without_a_table_of_the_standard_is_an_error_not_an_empty_table(
    sqlite_warehouse,
):
    empty = StoredSnapshot(None, "weekly/2026-11-15", "hash", S, hashes={})
    with (
        sqlite_warehouse.begin() as conn,
        pytest.raises(MissingTableError, match=r"weekly/2026-11-15 holds no ssd_\w+, which"),
        workspace(conn, empty, [S], CONFIG, queries=["select * from ssd_cp_plans"]),
    ):
        pass
