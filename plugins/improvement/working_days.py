"""England's bank holidays and working days, from the ``holidays`` package: the one rule the
governance calendar (papers deadlines) and the warehouse's calendar table both count with."""

from __future__ import annotations

import datetime as dt

import holidays


def bank_holidays(start: dt.date, end: dt.date) -> dict[dt.date, str]:
    """England-and-Wales bank holidays, including one-off and moved days."""
    years = range(start.year, end.year + 1)
    return dict(holidays.UnitedKingdom(subdiv="ENG", years=years).items())


def is_working_day(day: dt.date) -> bool:
    return day.isoweekday() < 6 and day not in bank_holidays(day, day)
