"""Calendar arithmetic on day numbers, the generator's internal date.

A day number is the count of days since 1970-01-01. Plain integers keep the per-child
simulation fast and make dates easy to store in numpy arrays; they become real datetimes
only when the tables are built.
"""

from __future__ import annotations

import calendar
import datetime as dt

import holidays
import numpy as np

_EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()


def to_day(date: dt.date) -> int:
    return date.toordinal() - _EPOCH_ORDINAL


def to_date(day: int) -> dt.date:
    return dt.date.fromordinal(day + _EPOCH_ORDINAL)


def add_months(day: int, months: int) -> int:
    """The same day some calendar months later (or earlier), clamped to the month's end."""
    date = to_date(day)
    year, month_index = divmod(date.year * 12 + date.month - 1 + months, 12)
    last_day = calendar.monthrange(year, month_index + 1)[1]
    return to_day(dt.date(year, month_index + 1, min(date.day, last_day)))


def add_years(day: int, years: int) -> int:
    """Whole years later or earlier (a 29 February becomes 28 February), as ages are counted."""
    return add_months(day, 12 * years)


class WorkingDays:
    """England-and-Wales working days between two day numbers.

    Statutory timescales (45 working days for an assessment, 15 for an initial conference)
    skip weekends and bank holidays, including one-off and moved days, so the generator
    schedules events with the same calendar the measures count them with.
    """

    def __init__(self, first_day: int, last_day: int) -> None:
        years = range(to_date(first_day).year, to_date(last_day).year + 1)
        bank_holidays = np.array(
            sorted(holidays.UnitedKingdom(subdiv="ENG", years=years)), dtype="datetime64[D]"
        )
        first = np.datetime64(to_date(first_day), "D")
        last = np.datetime64(to_date(last_day), "D")
        first_working = np.busday_offset(first, 0, roll="forward", holidays=bank_holidays)
        count = int(np.busday_count(first_working, last + 1, holidays=bank_holidays))
        working = np.busday_offset(
            first_working, np.arange(count), roll="forward", holidays=bank_holidays
        )
        self.first_day = first_day
        self._working_days = working.astype("int64")
        # _up_to[i] = working days on or before first_day + i.
        self._up_to = np.searchsorted(
            self._working_days, np.arange(first_day, last_day + 1), side="right"
        )
        self._working_list: list[int] = self._working_days.tolist()
        self._up_to_list: list[int] = self._up_to.tolist()

    def count(self, start: int, end: int) -> int:
        """Working days after start, up to and including end (same day counts 0)."""
        return self._up_to_list[end - self.first_day] - self._up_to_list[start - self.first_day]

    def add(self, start: int, working_days: int) -> int:
        """The day that is the given number of working days after start (0 gives start)."""
        if working_days <= 0:
            return start
        return self._working_list[self._up_to_list[start - self.first_day] + working_days - 1]

    def add_many(self, starts: np.ndarray, working_days: np.ndarray) -> np.ndarray:
        """Vectorised ``add`` for positive step counts; steps past the calendar's end stop
        at its last working day."""
        index = self._up_to[np.asarray(starts) - self.first_day] + np.asarray(working_days) - 1
        return self._working_days[np.minimum(index, len(self._working_days) - 1)]
