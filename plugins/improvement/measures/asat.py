"""As-at dates and the calendar windows each one needs, computed once in Python.

Measure SQL joins the ``as_at`` table instead of doing date arithmetic, so the same SQL runs
on SQLite and PostgreSQL. Windows follow the conventions: subtract from the later date and
clamp the day to the month's end (29 February minus 12 months is 28 February); ages are
completed years, so "aged 19 or more on S" is "born on or before S minus 19 years".
"""

from __future__ import annotations

import datetime as dt

from dateutil.relativedelta import relativedelta

HISTORY_WEEKS = 104
HISTORY_MONTHS = 24
MONTH_WINDOWS = (3, 6, 9, 12, 24, 30, 36)
DAY_WINDOWS = (28, 84)
AGE_BOUNDARIES = (5, 16, 18, 19, 22)


def month_ends_up_to(day: dt.date, count: int) -> list[dt.date]:
    """The last ``count`` month-end dates on or before ``day``."""
    this_month_end = (day.replace(day=1) + relativedelta(months=1)) - dt.timedelta(days=1)
    latest = this_month_end if this_month_end <= day else day.replace(day=1) - dt.timedelta(days=1)
    return [
        (latest.replace(day=1) - relativedelta(months=n) + relativedelta(months=1))
        - dt.timedelta(days=1)
        for n in range(count)
    ]


def month_end(month: str) -> dt.date:
    """The last day of a month given as ``YYYY-MM``."""
    first = dt.date.fromisoformat(f"{month}-01")
    return first + relativedelta(months=1) - dt.timedelta(days=1)


def history_dates(snapshot_date: dt.date) -> list[dt.date]:
    """104 weekly as-at dates ending on ``snapshot_date`` and 24 month-ends, oldest first."""
    weekly = [snapshot_date - dt.timedelta(weeks=n) for n in range(HISTORY_WEEKS)]
    return sorted(set(weekly) | set(month_ends_up_to(snapshot_date, HISTORY_MONTHS)))


def week_dates(snapshot_date: dt.date) -> list[dt.date]:
    """A weekly run's as-at dates: its snapshot date and any month end in the seven days to it,
    so a re-run of that week (a backfill after a data fix) also recomputes that month end."""
    week = [snapshot_date - dt.timedelta(days=n) for n in range(7)]
    return sorted(
        day for day in week if day == snapshot_date or (day + dt.timedelta(days=1)).day == 1
    )


def as_at_row(as_at: dt.date) -> dict:
    """One row of the ``as_at`` table: the date and every boundary measure SQL compares with."""
    row = {"as_at": as_at}
    row.update({f"minus_{n}m": as_at - relativedelta(months=n) for n in MONTH_WINDOWS})
    row.update({f"minus_{n}d": as_at - dt.timedelta(days=n) for n in DAY_WINDOWS})
    row.update({f"born_by_{n}": as_at - relativedelta(years=n) for n in AGE_BOUNDARIES})
    return row
