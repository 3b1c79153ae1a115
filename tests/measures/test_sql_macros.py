"""The SQL macros measure queries share (sql/macros/), and the period_last_day workspace table."""

import datetime as dt
import re

import duckdb
import pytest

from improvement.measures.asat import as_at_row, history_dates
from improvement.measures.catalogue import (
    MACROS_DIR,
    MEASURES_DIR,
    CatalogueError,
    load_catalogue,
    render_query,
)
from improvement.measures.workspace import period_last_days


def test_every_macro_is_used_and_every_query_is_expanded():
    catalogue = load_catalogue()
    for measure in catalogue.values():
        assert "{{" not in measure.sql and "{%" not in measure.sql, measure.id
    sources = [
        p.read_text() for p in [*MEASURES_DIR.glob("*/query.sql"), *MACROS_DIR.glob("*.sql")]
    ]
    for macro in MACROS_DIR.glob("*.sql"):
        calls = re.compile(rf"{{{{ *{macro.stem}\(")
        assert any(calls.search(text) for text in sources), f"{macro.name} is called by nothing"


def test_an_unknown_macro_names_the_query_and_the_macro():
    with pytest.raises(CatalogueError, match=r"x/query.sql: 'no_such_macro' is undefined"):
        render_query("with a as (select 1),\n{{ no_such_macro('a') }}\n", "x/query.sql")


def test_a_template_mistake_names_the_query_and_the_line():
    with pytest.raises(CatalogueError, match=r"x/query.sql, line 2: "):
        render_query("select 1\n{{ merge_runs('a', ['b']) \n", "x/query.sql")


def _merged(ranges: list[tuple], **arguments) -> list[tuple]:
    """merge_runs over (person_id, first_day, last_day) rows, given as day numbers."""
    db = duckdb.connect()
    db.execute("create table ranges (person_id varchar, first_day integer, last_day integer)")
    db.executemany("insert into ranges values (?, ?, ?)", ranges)
    call = ", ".join(f"{key}={value!r}" for key, value in arguments.items())
    sql = render_query(
        f"{{{{ merge_runs('ranges', ['person_id']{', ' + call if call else ''}) }}}}", "t"
    )
    return sorted(db.execute(sql).fetchall())


def test_merge_runs_merges_overlapping_and_touching_runs_per_key_and_keeps_gaps():
    ranges = [("A", 1, 5), ("A", 3, 8), ("A", 8, 9), ("A", 11, 12), ("B", 2, 4), ("A", 2, 3)]
    assert _merged(ranges) == [("A", 1, 9), ("A", 11, 12), ("B", 2, 4)]


def test_merge_runs_gives_tied_runs_one_number_whatever_order_they_sort_in():
    # Equal spans tie in the window order: with rows frames one could start a run of its own.
    ranges = [("A", 1, 4), ("A", 1, 4), ("A", 1, 4), ("A", 4, 6), ("A", 7, 7)]
    assert _merged(ranges) == [("A", 1, 6), ("A", 7, 7)]


def test_merge_runs_reaches_past_a_short_run_inside_a_long_one():
    # The run before (2-3) does not reach 5, but the long one (1-10) does: not a new run.
    ranges = [("A", 1, 10), ("A", 2, 3), ("A", 5, 6)]
    assert _merged(ranges) == [("A", 1, 10)]
    assert _merged(ranges, rising=True) == [("A", 1, 10), ("A", 5, 6)], "rising assumes no such"


def test_merge_runs_where_leaves_rows_out_and_rising_agrees_on_rising_runs():
    rising = [("A", day, day + 3) for day in (1, 2, 6, 20, 21)] + [("A", 9, 5)]
    merged = _merged(rising, where="r.first_day <= r.last_day")
    assert merged == [("A", 1, 5), ("A", 6, 9), ("A", 20, 24)]
    assert _merged(rising, where="r.first_day <= r.last_day", rising=True) == merged


@pytest.mark.parametrize(
    "dates",
    [
        history_dates(dt.date(2026, 11, 15)),
        [dt.date(2026, 11, 15)],
        [dt.date(2024, 2, 29), dt.date(2026, 3, 31)],  # a gap of more than 12 months
        [dt.date(2025, 2, 28), dt.date(2025, 3, 1)],
    ],
)
def test_period_last_day_is_the_last_as_at_date_whose_period_includes_the_day(dates):
    rows = [as_at_row(day) for day in dates]
    expected: dict[dt.date, dt.date] = {}
    for row in rows:  # every day after S minus 12 months, up to and including S
        day = row["minus_12m"] + dt.timedelta(days=1)
        while day <= row["as_at"]:
            expected[day] = max(expected.get(day, row["as_at"]), row["as_at"])
            day += dt.timedelta(days=1)
    assert {r["day"]: r["last_day"] for r in period_last_days(rows)} == expected
