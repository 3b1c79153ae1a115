"""A data fix recomputed with the project's backfill command, on ``airflow standalone``: the
scheduler runs eight weeks of ``weekly_performance`` one at a time; only the figures the fix
touches change, every changed published figure gets exactly one revision record, and weeks
backfilled again change nothing."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
import time

import pandas as pd
import pytest
import sqlalchemy as sa

from improvement import signoff
from improvement.council_context import council_context
from improvement.governance import load_groups, load_sign_off
from improvement.measures.catalogue import PRIORITY_AREAS, load_catalogue
from improvement.reports.packs import groups_due, render_month
from improvement.revisions import read_revisions
from improvement.warehouse.changes import read_changes
from improvement.warehouse.migrate import upgrade_warehouse
from improvement.warehouse.tables import measure_result, published_figure, snapshot
from tests.e2e.airflow import AirflowAPI, airflow_standalone
from tests.integration.helpers import (
    add_late_referrals,
    correct_assessment_dates,
    fresh_database,
    warehouse_contents,
)

OCTOBER = dt.date(2026, 10, 31)
FIRST_WEEK, LAST_WEEK = dt.date(2026, 9, 27), dt.date(2026, 11, 15)
SUNDAYS = [FIRST_WEEK + dt.timedelta(weeks=n) for n in range(8)]
RECOMPUTED = sorted({*SUNDAYS, dt.date(2026, 9, 30), OCTOBER})  # weeks and their month ends
KEY = ["measure_id", "as_at", "breakdown", "breakdown_value"]


def _publish_october(engine: sa.Engine, root, plan) -> dict[str, str]:
    """October's packs as signed off and published before the fix (the sign-off flow itself is
    tested elsewhere): their figures are what revisions are checked against."""
    groups = [g.group_id for g in groups_due(load_groups(PRIORITY_AREAS), OCTOBER)]
    council = council_context(environ={"IMPROVEMENT_PLAN_REGISTER": str(plan)})
    rendered = render_month(
        engine, OCTOBER, root / "published", council, dt.datetime(2026, 11, 9, tzinfo=dt.UTC),
        group_ids=groups, pdf=False,
    )  # fmt: skip
    for pack in rendered:
        signoff.record_publication(
            engine, OCTOBER, pack.group_id, "scheduled__2026-10-05", pack.content_hash,
            "published", None, None, str(pack.html_path), figures=pack.figures_shown,
        )  # fmt: skip
    return {pack.group_id: pack.content_hash for pack in rendered}


def _results(engine: sa.Engine, extract_hash: str) -> pd.DataFrame:
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(measure_result).where(measure_result.c.extract_hash == extract_hash)
        ).mappings()
        frame = pd.DataFrame([dict(r) for r in rows])
    frame["as_at"] = frame["as_at"].map(lambda d: dt.date.fromisoformat(str(d)[:10]))
    return frame[[*KEY, "numerator", "denominator", "value"]]


def _backfill(env: dict, deadline: float, first_week: dt.date = FIRST_WEEK) -> str:
    """The project's backfill command from ``first_week`` to the last week, waiting for the runs
    until shortly before the test's deadline (its own ``--timeout``), then a margin for it to
    report."""
    wait = int(deadline - time.monotonic() - 30)
    assert wait > 60, "no time left in the test for a backfill"
    done = subprocess.run(
        ["improvement", "backfill", "--first-week", str(first_week), "--last-week",
         str(LAST_WEEK), "--wait", "--timeout", str(wait)],
        env=env, capture_output=True, text=True, timeout=wait + 20,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def _task_states(api: AirflowAPI, run_id: str) -> set[str]:
    path = f"/api/v2/dags/weekly_performance/dagRuns/{run_id}/taskInstances"
    return {ti["state"] for ti in api.get(path)["task_instances"]}


@pytest.fixture
def fixed_county(measured_county, small_case_system, tmp_path):
    """The measured county with October published; then the case system corrected."""
    from improvement.generator.plan import write_plan_register

    warehouse = tmp_path / "warehouse.sqlite"
    shutil.copy(sa.make_url(measured_county).database, warehouse)
    engine = sa.create_engine(f"sqlite:///{warehouse}")
    upgrade_warehouse(engine)
    plan = write_plan_register(tmp_path / "plan.csv", 7, dt.date(2026, 11, 15))
    published = _publish_october(engine, tmp_path, plan)
    case_system = tmp_path / "case_system.sqlite"
    shutil.copy(small_case_system, case_system)
    fixes = {
        "ssd_cin_assessments": correct_assessment_dates(case_system, dt.date(2026, 10, 1), OCTOBER),
        "ssd_cin_episodes": add_late_referrals(
            case_system, dt.date(2026, 10, 5), dt.date(2026, 11, 8), 6
        ),
    }
    assert all(fixes.values()), fixes
    return engine, case_system, plan, published, fixes


@pytest.fixture
def airflow_metadata(postgres_url):
    """A new PostgreSQL database for Airflow's own tables."""
    return fresh_database(postgres_url, "airflow_backfill")


@pytest.mark.timeout(900)  # ten weekly runs on a real scheduler, one at a time
def test_backfilling_eight_weeks_after_a_data_fix_revises_exactly_what_changed(
    fixed_county, airflow_metadata, slack, tmp_path, small_county, deadline
):
    engine, case_system, plan, published, fixes = fixed_county
    with engine.connect() as conn:
        (old_hash,) = conn.execute(sa.select(snapshot.c.extract_hash)).scalars().all()
    before = _results(engine, old_hash)
    url = f"sqlite:///{tmp_path / 'warehouse.sqlite'}"
    with airflow_standalone(
        tmp_path, url, plan, f"sqlite:///{case_system}", airflow_metadata, deadline=deadline
    ) as (base, env):
        api = AirflowAPI(base, deadline)
        output = _backfill(env, deadline)
        assert "weekly_performance: 8 run(s)" in output and "'success': 8" in output
        runs = api.get("/api/v2/dags/weekly_performance/dagRuns", limit=100)["dag_runs"]
        assert len(runs) == 8 and {r["run_type"] for r in runs} == {"backfill"}
        assert all(_task_states(api, r["dag_run_id"]) == {"success"} for r in runs)
        first = warehouse_contents_of(url)
        slack_after_first = len(slack.requests)

        # The last two weeks backfilled again (the case system unchanged since): nothing
        # changes. (Two weeks, not eight: each week is its own run, so two show it in half the
        # time eight take.)
        again = _backfill(env, deadline, first_week=LAST_WEEK - dt.timedelta(weeks=1))
        assert "weekly_performance: 2 run(s)" in again
        assert warehouse_contents_of(url) == first
        assert [
            r for r in slack.requests[slack_after_first:] if r.method != "conversations.info"
        ] == []

    # One snapshot per week, all from the fixed extract; the data-fix audit of the week that
    # was replaced names exactly what the fix did.
    with engine.connect() as conn:
        snapshots = dict(
            conn.execute(sa.select(snapshot.c.snapshot_key, snapshot.c.extract_hash)).all()
        )
    assert sorted(snapshots) == [f"weekly/{day}" for day in SUNDAYS]
    (new_hash,) = set(snapshots.values())
    assert new_hash != old_hash
    audit = {row["table_name"]: row for row in read_changes(engine, f"weekly/{LAST_WEEK}")}
    assert set(audit) == set(fixes)
    assessments = audit["ssd_cin_assessments"]
    assert assessments["rows_changed"] == fixes["ssd_cin_assessments"]
    assert assessments["rows_added"] == assessments["rows_removed"] == 0
    assert assessments["changed_columns"] == (
        f"cina_assessment_auth_date: {fixes['ssd_cin_assessments']}"
    )
    assert audit["ssd_cin_episodes"]["rows_added"] == fixes["ssd_cin_episodes"]
    assert audit["ssd_cin_episodes"]["rows_changed"] == 0

    # Only the affected values change: measures that read neither fixed table are identical at
    # every recomputed date; some that read them differ.
    after = _results(engine, new_hash)
    assert set(after["as_at"]) == set(RECOMPUTED)
    both = before[before["as_at"].isin(RECOMPUTED)].merge(
        after, on=KEY, how="outer", suffixes=("_old", "_new"), indicator=True
    )
    values = ["numerator", "denominator", "value"]
    same = pd.Series(True, index=both.index)
    for column in values:
        old, new = both[f"{column}_old"], both[f"{column}_new"]
        same &= (old == new) | (old.isna() & new.isna())
    changed = both[~same | (both["_merge"] != "both")]
    catalogue = load_catalogue()
    touched = {m.id for m in catalogue.values() if set(m.tables) & set(fixes)}
    assert set(changed["measure_id"]) <= touched
    assert {"assessments_45wd", "referrals_rate"} & set(changed["measure_id"])

    # Revision records: exactly the published figures at recomputed dates whose value changed,
    # each once, with both extracts and the pack that published them.
    with engine.connect() as conn:
        shown = pd.DataFrame(
            [dict(r) for r in conn.execute(sa.select(published_figure)).mappings()]
        )
    shown["as_at"] = shown["as_at"].map(lambda d: dt.date.fromisoformat(str(d)[:10]))
    expected = shown.merge(changed[KEY], on=KEY)
    revisions = read_revisions(engine)
    recorded = {(r["group_id"], *(str(r[k]) for k in KEY)) for r in revisions}
    assert recorded == {(r.group_id, *(str(getattr(r, k)) for k in KEY))
                        for r in expected.itertuples()}  # fmt: skip
    assert len(revisions) == len(recorded)
    for r in revisions:
        assert r["old_extract_hash"] == old_hash and r["new_extract_hash"] == new_hash
        assert r["content_hash"] == published[r["group_id"]]
        assert r["dag_id"] == "weekly_performance"

    # The performance team heard about the large ones; no message names or identifies a child.
    notices = [m["text"] for m in slack.messages(load_sign_off().performance_channel)
               if "Published figures revised" in m["text"]]  # fmt: skip
    assert notices if any(r["beyond_threshold"] for r in revisions) else not notices
    people = small_county.tables["ssd_person"]
    personal = set(people["pers_person_id"]) | set(people["pers_surname"].dropna())
    sent = json.dumps([r.params for r in slack.requests], default=str)
    assert not {value for value in personal if value in sent}

    # Nor does any log of the ten runs (every task's log, the scheduler's, the API's): no
    # person id, forename or surname of the generated county appears as a word anywhere.
    personal |= set(people["pers_forename"].dropna())
    logs = [*(tmp_path / "airflow" / "logs").rglob("*.log"), tmp_path / "standalone.log"]
    assert len(logs) > 8 * 5  # at least five tasks' logs for each of the eight weeks
    words = set()
    for log in logs:
        words |= set(re.findall(r"[A-Za-z0-9]+", log.read_text(errors="replace")))
    assert not words & personal, sorted(words & personal)[:5]


def warehouse_contents_of(url: str) -> dict:
    from improvement.connections import DatabaseTarget

    return warehouse_contents(DatabaseTarget.from_url(url), with_times=False)
