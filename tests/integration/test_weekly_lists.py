"""The weekly lists and worklists on a stored snapshot of the generated county, end to end.

At the small county's snapshot date (2026-11-15) no pre-proceedings case is past 12 weeks and
no care proceedings past 26 weeks, so those two lists are also computed as at an earlier
Sunday from the same snapshot (events after that date are invisible to the SQL, as in the
measures' history).
"""

from __future__ import annotations

import datetime as dt
import logging
import time

import pandas as pd
import pytest
import sqlalchemy as sa

from improvement.connections import DatabaseTarget
from improvement.county import UNALLOCATED, load_county_config
from improvement.lists import compute_weekly_lists, load_lists
from improvement.lists.weekly import SHARED_TABLES, compute_lists
from improvement.measures.catalogue import load_catalogue
from improvement.measures.engine import UNMAPPED_TEAM
from improvement.measures.run import measure_snapshot
from improvement.measures.workspace import shared_cohort_tables
from improvement.warehouse.stored import open_snapshot
from improvement.warehouse.tables import measure_result
from tests.conftest import AS_OF
from tests.integration.helpers import new_warehouse, run_week

KEY = f"weekly/{AS_OF}"
EARLIER = dt.date(2026, 8, 9)  # a Sunday with both court lists non-empty in the small county
# List or check -> (measure, how its county figures give the number of records listed).
FOLLOWS = {
    "care_leavers_accommodation": ("cl_high_risk_unsuitable", "numerator"),
    "pre_proceedings_over_12w": ("pre_proceedings_12w", "numerator"),
    "cp_plans_over_9m": ("cp_open_9m_plus", "numerator"),
    "dq_assessment_overdue": ("assessment_overdue_open", "numerator"),
    "dq_cp_visit_overdue": ("cp_visits_10wd", "denominator - numerator"),
    "dq_pathway_plan_overdue": ("cl_pathway_plan_current", "denominator - numerator"),
}


@pytest.fixture(scope="module")
def demo_warehouse(small_case_system, tmp_path_factory) -> sa.Engine:
    root = tmp_path_factory.mktemp("lists")
    warehouse = new_warehouse(f"sqlite:///{root / 'w.sqlite'}")
    run_week(DatabaseTarget.from_url(f"sqlite:///{small_case_system}"), warehouse, root, AS_OF)
    engine = warehouse.engine()
    catalogue = load_catalogue()
    measures = {measure: catalogue[measure] for measure, _ in FOLLOWS.values()}
    measure_snapshot(engine, KEY, measures, load_county_config(), as_at_dates=[EARLIER, AS_OF])
    return engine


def _measured(engine: sa.Engine, as_at: dt.date) -> dict[str, float]:
    """List id -> the number of records its measure says it should hold, as at ``as_at``."""
    with engine.connect() as conn:
        rows = {
            row.measure_id: row
            for row in conn.execute(
                sa.select(measure_result).where(
                    measure_result.c.breakdown == "all", measure_result.c.as_at == as_at
                )
            )
        }
    return {
        list_id: rows[measure].numerator
        if how == "numerator"
        else rows[measure].denominator - rows[measure].numerator
        for list_id, (measure, how) in FOLLOWS.items()
        if measure in rows
    }


def _strings(value) -> set[str]:
    if isinstance(value, dict):
        return set().union(set(), *(_strings(k) | _strings(v) for k, v in value.items()))
    return {value} if isinstance(value, str) else set()


def test_weekly_lists_on_the_generated_county(demo_warehouse, caplog):
    config = load_county_config()
    clock = time.monotonic()
    with caplog.at_level(logging.DEBUG):
        lists = compute_weekly_lists(demo_warehouse, KEY, config)
    seconds = time.monotonic() - clock
    assert seconds < 60, f"weekly lists took {seconds:.1f} s"
    assert lists.as_at == AS_OF and lists.absent_tables == ()

    for list_id in ("care_leavers_accommodation", "cp_plans_over_9m"):
        frame = lists.oversight[list_id]
        assert not frame.empty, f"{list_id} is empty on the demo county"
        assert frame["person_id"].notna().all() and frame["surname"].notna().all()
    for list_id, frame in lists.oversight.items():
        assert list(frame.columns) == list(lists.definitions[list_id].headings)
    worklists = lists.worklists
    assert len(set(worklists["check_id"])) >= 4, sorted(set(worklists["check_id"]))
    assert set(worklists["category"]) == {"missing information", "key activity overdue"}
    for team in lists.teams():
        assert (lists.for_team(team)["team_id"] == team).all()

    counts = lists.counts()
    listed = {**counts["oversight"], **counts["worklist_checks"]}
    leavers = lists.oversight["care_leavers_accommodation"]  # the measure: the high-risk kinds
    listed["care_leavers_accommodation"] = (leavers["concern"] == "high-risk and unsuitable").sum()
    for list_id, expected in _measured(demo_warehouse, AS_OF).items():
        assert listed[list_id] == expected, f"{list_id} differs from its measure"

    # counts() and the log hold counts, list ids, check ids and team ids: no names, no ids.
    people = set(worklists["person_id"].dropna()) | set(worklists["record_id"].dropna())
    people |= set(worklists["child"].dropna()) | set(worklists["allocated_worker"].dropna())
    assert worklists["child"].notna().any() and worklists["allocated_worker"].notna().any()
    for frame in lists.oversight.values():
        people |= set(frame["person_id"]) | set(frame["forename"].dropna())
        people |= set(frame["surname"].dropna())
    allowed = (
        set(lists.definitions)
        | {t.team_id for t in config.teams}
        | {UNALLOCATED, UNMAPPED_TEAM, "oversight", "worklist_teams", "worklist_checks"}
    )
    assert _strings(counts) <= allowed
    assert all(isinstance(n, int) for part in counts.values() for n in part.values())
    assert sum(counts["worklist_teams"].values()) == len(worklists)
    shown = repr(lists) + caplog.text
    leaked = sorted(p for p in people if len(p) > 2 and p in shown)
    assert not leaked, f"{len(leaked)} names or ids in the repr or the log"


def test_court_lists_on_an_earlier_date_of_the_generated_county(demo_warehouse):
    definitions = load_lists()
    with demo_warehouse.begin() as conn:
        snapshot = open_snapshot(conn, KEY)
        oversight, worklists = compute_lists(
            conn, snapshot, EARLIER, load_county_config(), definitions
        )
    for list_id in ("pre_proceedings_over_12w", "care_proceedings_over_26w", "cp_plans_over_9m"):
        assert not oversight[list_id].empty, f"{list_id} is empty as at {EARLIER}"
    weeks = oversight["care_proceedings_over_26w"]["weeks_since_issue"]
    assert (weeks >= 26).all() and weeks.tolist() == sorted(weeks, reverse=True)
    measured = _measured(demo_warehouse, EARLIER)
    for list_id in ("pre_proceedings_over_12w", "cp_plans_over_9m"):
        assert len(oversight[list_id]) == measured[list_id], list_id
    for check_id in ("dq_assessment_overdue", "dq_cp_visit_overdue"):
        assert (worklists["check_id"] == check_id).sum() == measured[check_id], check_id


def test_lists_read_from_parquet_match_lists_from_canonical_frames(demo_warehouse, monkeypatch):
    import improvement.warehouse.stored as stored_module
    from improvement.warehouse.snapshots import read_snapshot_table

    definitions, config = load_lists(), load_county_config()

    def refuse(*args, **kwargs):
        raise AssertionError("a stored table was parsed from its CSV, not read from Parquet")

    monkeypatch.setattr(stored_module, "from_canonical_csv", refuse)
    lists = compute_weekly_lists(demo_warehouse, KEY, config, definitions)
    monkeypatch.undo()
    needed = {t for d in definitions.values() for t in d.tables}
    needed |= shared_cohort_tables() | set(SHARED_TABLES)
    frames = {table: read_snapshot_table(demo_warehouse, KEY, table) for table in needed}
    with demo_warehouse.begin() as conn:
        oversight, worklists = compute_lists(conn, frames, AS_OF, config, definitions)
    assert set(oversight) == set(lists.oversight)
    for list_id, frame in oversight.items():
        pd.testing.assert_frame_equal(lists.oversight[list_id], frame, obj=list_id)
    pd.testing.assert_frame_equal(lists.worklists, worklists, obj="worklists")
