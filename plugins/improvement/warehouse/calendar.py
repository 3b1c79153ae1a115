"""England-and-Wales working days, from the ``holidays`` package, as a warehouse table.

``working_day_number`` counts working days from the start of the calendar up to and
including each date, so the working days after ``a`` up to and including ``b`` are
``number(b) - number(a)``: same day 0, Friday to Monday 1, as the measure conventions say.
``day_serial`` counts calendar days, and ``minus_12m``/``minus_24m`` are the day clamped to
the month's end ("12 months before 29 February" is 28 February), so measure SQL can apply
windows relative to each record's own date with joins, not dialect-specific date arithmetic.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from dateutil.relativedelta import relativedelta

from improvement.warehouse.tables import calendar_day
from improvement.working_days import bank_holidays

CALENDAR_START = dt.date(2000, 1, 1)
CALENDAR_END = dt.date(2040, 12, 31)


def calendar_rows(start: dt.date = CALENDAR_START, end: dt.date = CALENDAR_END) -> list[dict]:
    holiday_names = bank_holidays(start, end)
    rows, number, day = [], 0, start
    while day <= end:
        name = holiday_names.get(day)
        working = day.isoweekday() <= 5 and name is None
        number += working
        rows.append(
            {
                "day": day,
                "iso_weekday": day.isoweekday(),
                "is_bank_holiday": name is not None,
                "holiday_name": name,
                "is_working_day": working,
                "working_day_number": number,
                "day_serial": (day - start).days,
                "minus_12m": day - relativedelta(months=12),
                "minus_24m": day - relativedelta(months=24),
            }
        )
        day += dt.timedelta(days=1)
    return rows


def refresh_calendar(conn: sa.Connection) -> int:
    """Rewrite the calendar (idempotent): run after upgrading ``holidays`` for new one-off days.

    Writes the columns the table has, so each migration can call it at its own revision.
    """
    existing = {column["name"] for column in sa.inspect(conn).get_columns("calendar_day")}
    table = sa.Table(
        "calendar_day", sa.MetaData(), *(c.copy() for c in calendar_day.c if c.name in existing)
    )
    rows = [{k: v for k, v in row.items() if k in existing} for row in calendar_rows()]
    conn.execute(table.delete())
    conn.execute(table.insert(), rows)
    return len(rows)
