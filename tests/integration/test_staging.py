"""Staged extracts hold every person's name and date of birth: none outlives its run, and two
runs of one week never touch each other's files."""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import selectors
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa

from improvement import pipeline
from improvement.connections import DatabaseTarget
from improvement.warehouse.snapshots import RunRecord
from improvement.warehouse.tables import extract_blob, snapshot, snapshot_table
from tests.conftest import AS_OF
from tests.integration.helpers import (
    LONDON_MONDAY_0600,
    fresh_database,
    new_warehouse,
    run_week,
)

# Extracts in a child process that stops for good once ssd_person (names, dates of birth) is
# staged, so the test can kill it mid-extract at a known point, or leave it running.
STOP_AFTER_PERSON = """
import sys, time
from pathlib import Path
import improvement.extract as extract
from improvement import pipeline
from improvement.connections import DatabaseTarget

stage_table = extract._stage_table

def stage_then_stop(conn, spec, *args):
    staged = stage_table(conn, spec, *args)
    if spec.name == "ssd_person":
        print("ssd_person staged", flush=True)
        time.sleep(600)
    return staged

extract._stage_table = stage_then_stop
pipeline.run_extract(DatabaseTarget.from_url(sys.argv[1]), Path(sys.argv[2]))
"""


@pytest.fixture
def case_system(small_case_system, tmp_path) -> tuple[DatabaseTarget, Path]:
    path = tmp_path / "case_system.sqlite"
    shutil.copy(small_case_system, path)
    return DatabaseTarget.from_url(f"sqlite:///{path}"), path


def _stopped_extract(case_system: Path, destination: Path) -> subprocess.Popen:
    """A child extract into ``destination``, returned once it has staged ssd_person."""
    child = subprocess.Popen(
        [sys.executable, "-c", STOP_AFTER_PERSON, f"sqlite:///{case_system}", str(destination)],
        stdout=subprocess.PIPE,
        text=True,
    )
    with selectors.DefaultSelector() as waiting:
        waiting.register(child.stdout, selectors.EVENT_READ)
        ready = waiting.select(timeout=120)
    if not ready or "ssd_person staged" not in child.stdout.readline():
        child.kill()
        child.wait(timeout=30)
        pytest.fail("the child extract did not stage ssd_person within 120 s")
    return child


def _partials(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.partial-*"))


def test_a_killed_extract_s_leftover_is_removed_by_the_next_run_and_a_running_one_is_kept(
    case_system, tmp_path, capsys, monkeypatch
):
    from improvement.cli import main

    target, path = case_system
    staging = tmp_path / "data" / "staging"
    week = staging / "weekly"
    running = _stopped_extract(path, pipeline.staging_path(staging, "weekly", AS_OF, "running"))
    try:
        killed = _stopped_extract(path, pipeline.staging_path(staging, "weekly", AS_OF, "killed"))
        killed.send_signal(signal.SIGKILL)
        killed.wait(timeout=30)
        leftover, live = _partials(week)
        assert leftover.name.startswith(f"{AS_OF}.killed-")
        assert (leftover / "ssd_person.csv.gz").exists()  # names and dates of birth, on disk

        # The next run of the week removes the killed run's folder, not the running one's.
        warehouse = new_warehouse(f"sqlite:///{tmp_path / 'warehouse.sqlite'}")
        run_week(target, warehouse, staging, AS_OF, run_id="next")
        assert _partials(week) == [live]
        assert (live / "ssd_person.csv.gz").exists()
    finally:
        running.kill()
        running.wait(timeout=30)

    # Killed too: the cleanup command removes it.
    monkeypatch.setenv("IMPROVEMENT_DATA_DIR", str(tmp_path / "data"))
    assert main(["clean-staging"]) == 0
    assert capsys.readouterr().out == f"Removed 1 unfinished extract: weekly/{live.name}\n"
    assert list(week.iterdir()) == []
    assert main(["clean-staging"]) == 0
    assert capsys.readouterr().out == "No unfinished extracts in the staging area.\n"


def pipeline_run_record(run_id: str, validation: dict) -> RunRecord:
    """The record ``run_week`` makes, for runs driven step by step."""
    end = dt.datetime.combine(AS_OF + dt.timedelta(days=1), LONDON_MONDAY_0600)
    return RunRecord(
        dag_id="weekly_performance",
        run_id=run_id,
        cadence="weekly",
        snapshot_date=AS_OF,
        data_interval_start=end - dt.timedelta(days=7),
        data_interval_end=end,
        validate_seconds=validation["seconds"],
    )


def _stored_payloads(engine: sa.Engine, key: str) -> dict[str, bytes]:
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(extract_blob.c.content_hash, extract_blob.c.payload)
            .select_from(snapshot.join(snapshot_table).join(extract_blob))
            .where(snapshot.c.snapshot_key == key)
        ).all()
    return {content_hash: payload for content_hash, payload in rows}


def _content_hash(payload: bytes) -> str:
    return hashlib.sha256(gzip.decompress(payload)).hexdigest()


def test_two_runs_of_one_week_stage_validate_and_store_only_their_own_extract(
    case_system, tmp_path
):
    """Interleaved as a scheduler run and a manual run of the same week can be: each validates
    and stores the files it extracted, and both succeed with one snapshot, the later one's."""
    target, path = case_system
    staging = tmp_path / "staging"
    warehouse = new_warehouse(f"sqlite:///{tmp_path / 'warehouse.sqlite'}")
    first = pipeline.run_extract(target, pipeline.staging_path(staging, "weekly", AS_OF, "a"))
    with sqlite3.connect(path) as db:  # the case system moves on between the two extracts
        db.execute("DELETE FROM ssd_cin_episodes WHERE rowid % 50 = 0")
    second = pipeline.run_extract(target, pipeline.staging_path(staging, "weekly", AS_OF, "b"))
    assert first["staging_dir"] != second["staging_dir"]
    assert first["extract_hash"] != second["extract_hash"]

    checks = [
        pipeline.run_validate(m, warehouse, AS_OF, *pipeline.validation_inputs())
        for m in (first, second)
    ]
    run = pipeline_run_record("a", checks[0])
    pipeline.run_snapshot(first, checks[0], warehouse, run)
    engine = warehouse.engine()
    stored = _stored_payloads(engine, f"weekly/{AS_OF}")
    assert {_content_hash(p) for p in stored.values()} == {
        t["content_hash"] for t in first["tables"].values() if t["present"]
    }
    assert not Path(first["staging_dir"]).exists()
    assert (Path(second["staging_dir"]) / "ssd_person.csv.gz").exists()

    pipeline.run_snapshot(second, checks[1], warehouse, pipeline_run_record("b", checks[1]))
    with engine.connect() as conn:
        hashes = conn.execute(sa.select(snapshot.c.extract_hash)).scalars().all()
    assert hashes == [second["extract_hash"]]
    for content_hash, payload in _stored_payloads(engine, f"weekly/{AS_OF}").items():
        assert _content_hash(payload) == content_hash
    assert list((staging / "weekly").iterdir()) == []
    engine.dispose()


@pytest.mark.parametrize("engine_name", ["sqlite", "postgresql"])
def test_two_runs_of_one_week_at_the_same_time_both_succeed_with_one_snapshot(
    engine_name, case_system, tmp_path, request
):
    target, _ = case_system
    if engine_name == "sqlite":
        url = f"sqlite:///{tmp_path / 'warehouse.sqlite'}"
    else:
        url = fresh_database(request.getfixturevalue("postgres_url"), "staging_concurrent")
    warehouse = new_warehouse(url)
    together = threading.Barrier(2, timeout=120)
    outcomes: dict[str, object] = {}

    def run(run_id: str) -> None:
        """One run's steps; both runs store their snapshot at the same moment."""
        destination = pipeline.staging_path(tmp_path / "staging", "weekly", AS_OF, run_id)
        try:
            together.wait()
            manifest = pipeline.run_extract(target, destination)
            validation = pipeline.run_validate(
                manifest, warehouse, AS_OF, *pipeline.validation_inputs()
            )
            together.wait()
            record = pipeline_run_record(run_id, validation)
            outcomes[run_id] = pipeline.run_snapshot(manifest, validation, warehouse, record)
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            outcomes[run_id] = error
            together.abort()  # the other run stops waiting for this one

    threads = [threading.Thread(target=run, args=(run_id,)) for run_id in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not any(t.is_alive() for t in threads), "a run did not finish within 300 s"
    assert all(isinstance(o, dict) for o in outcomes.values()), outcomes
    engine = warehouse.engine()
    with engine.connect() as conn:
        snapshots = conn.execute(sa.select(snapshot.c.snapshot_key)).scalars().all()
    engine.dispose()
    assert snapshots == [f"weekly/{AS_OF}"]
    assert list((tmp_path / "staging" / "weekly").iterdir()) == []
