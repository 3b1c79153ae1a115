"""Working days: weekends and England-and-Wales bank holidays, one-off and moved days included."""

import datetime as dt

import pytest

from improvement.warehouse.calendar import calendar_rows

ROWS = {row["day"]: row for row in calendar_rows(dt.date(2019, 1, 1), dt.date(2026, 12, 31))}


def working_days(start: dt.date, end: dt.date) -> int:
    """Working days after ``start`` up to and including ``end``, as the conventions define."""
    return ROWS[end]["working_day_number"] - ROWS[start]["working_day_number"]


@pytest.mark.parametrize(
    "day",
    [
        "2022-06-03",
        "2022-09-19",
        "2023-05-08",
        "2020-05-08",
        "2022-06-02",
        "2025-04-18",
        "2025-04-21",
    ],
)
def test_one_off_moved_and_ordinary_bank_holidays_are_not_working_days(day):
    row = ROWS[dt.date.fromisoformat(day)]
    assert row["is_bank_holiday"] and not row["is_working_day"]


def test_may_day_2020_moved_to_friday_8th():
    assert ROWS[dt.date(2020, 5, 4)]["is_working_day"]
    assert not ROWS[dt.date(2020, 5, 8)]["is_working_day"]


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        ("2025-03-05", "2025-03-05", 0),  # same day
        ("2025-03-07", "2025-03-10", 1),  # Friday to Monday
        ("2025-03-08", "2025-03-10", 1),  # Saturday to Monday
        ("2025-04-17", "2025-04-22", 1),  # Thursday before Easter to the Tuesday after
        ("2022-05-30", "2022-06-06", 3),  # the Jubilee week: two bank holidays
        ("2023-05-05", "2023-05-09", 1),  # across the Coronation bank holiday
    ],
)
def test_working_days_between_dates(start, end, expected):
    assert working_days(dt.date.fromisoformat(start), dt.date.fromisoformat(end)) == expected


def test_working_day_numbers_match_numpy_busday_count():
    import numpy as np

    holidays = [d for d, row in ROWS.items() if row["is_bank_holiday"]]
    start, end = dt.date(2019, 1, 1), dt.date(2026, 12, 31)
    expected = np.busday_count(
        start + dt.timedelta(days=1), end + dt.timedelta(days=1), holidays=holidays
    )
    assert working_days(start, end) == expected
