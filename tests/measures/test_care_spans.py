"""in_care_span and day_reach, the shared tables the children-in-care measures count on."""

import datetime as dt

import pytest

from improvement.measures.asat import as_at_row, history_dates
from improvement.measures.workspace import day_reaches, workspace
from tests.measures.conftest import CATALOGUE, CONFIG, frames_from_rows
from tests.measures.test_children_in_care import episode, legal

DATES = [dt.date(2025, 12, 31), *history_dates(dt.date(2026, 3, 29))[-10:], dt.date(2026, 3, 31)]


@pytest.mark.parametrize("engine_name", ["sqlite", "postgresql"])
def test_in_care_spans_cover_exactly_the_dates_and_periods_of_in_care_at(request, engine_name):
    engine = request.getfixturevalue(f"{engine_name}_warehouse")
    tables = {
        "ssd_cla_episodes": [
            episode("P1", "2025-06-01"),  # open throughout
            episode("P2", "2025-06-01", "2026-02-10"),  # ends on a date between as-at dates
            episode("P2", "2026-02-20", cla_id="CLA2b", suffix="2"),  # a new period of care
            episode("P3", "2025-01-01", "2026-03-01"),  # overlapped by the next episode
            episode("P3", "2026-01-01", "2026-03-15", suffix="2"),
            episode("P4", "2025-06-01"),  # short breaks for part of the time
            episode("P5", "2026-03-01", "2026-03-01"),  # ceased the day it started
        ],
        "ssd_legal_status": [
            legal("P4", "V3", "2026-01-01", "2026-02-15"),
            legal("P4", "C2", "2026-02-01", "2026-02-08", suffix="2"),
        ],
    }
    queries = [CATALOGUE[m].sql for m in ("cla_rate", "cla_foster_share")]
    with (
        engine.begin() as conn,
        workspace(conn, frames_from_rows(tables), DATES, CONFIG, queries=queries) as ws,
    ):
        at = ws.rows("select as_at, person_id, period_start from in_care_at")
        spans = ws.rows(
            "select a.as_at, s.person_id, s.period_start from in_care_span as s "
            "inner join as_at as a on a.as_at >= s.span_start and a.as_at <= s.span_end"
        )
    assert len(spans) == len(set(spans)), "spans of a child share a date"
    assert sorted(map(str, spans)) == sorted(map(str, at))
    assert {row[1] for row in at} == {"P1", "P2", "P3", "P4"}


@pytest.mark.parametrize(
    "dates",
    [
        history_dates(dt.date(2026, 11, 15)),
        [dt.date(2026, 11, 15)],
        [dt.date(2024, 2, 29), dt.date(2026, 3, 31)],
    ],
)
def test_day_reach_gives_the_first_as_at_date_on_or_after_and_the_last_within_a_window(dates):
    rows = [as_at_row(day) for day in dates]
    reached = {r["day"]: r for r in day_reaches(rows)}
    assert min(reached) == min(r["minus_12m"] for r in rows)
    assert max(reached) == max(dates)
    for day, row in reached.items():
        assert row["first_on_or_after"] == min(d for d in dates if d >= day)
        for n in (6, 12):
            within = [r["as_at"] for r in rows if r[f"minus_{n}m"] <= day]
            assert row[f"last_within_{n}m"] == (max(within) if within else None)
        before = [r["as_at"] for r in rows if r["minus_12m"] < day]
        assert row["last_12m_before"] == (max(before) if before else None)
        before = [d for d in dates if d < day]
        assert row["last_before"] == (max(before) if before else None)
        for n in (7, 42):
            upto = [d for d in dates if d <= day + dt.timedelta(days=n)]
            assert row[f"last_upto_{n}d_after"] == (max(upto) if upto else None)
        over = [d for d in dates if d > day + dt.timedelta(days=7)]
        assert row["first_over_7d_after"] == (min(over) if over else None)
