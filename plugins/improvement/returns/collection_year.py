"""The DfE's collection years: 1 April to 31 March, named by the year they end in."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class CollectionYear:
    """The collection year ending on 31 March of ``ends``: 2025 is 1 April 2024 to 31 March
    2025, the year the validators call "2025"."""

    ends: int

    @property
    def start(self) -> dt.date:
        return dt.date(self.ends - 1, 4, 1)

    @property
    def end(self) -> dt.date:
        return dt.date(self.ends, 3, 31)

    @property
    def label(self) -> str:
        """The DfE's way of writing it: 2024/25."""
        return f"{self.ends - 1}/{self.ends % 100:02d}"

    def previous(self) -> CollectionYear:
        return CollectionYear(self.ends - 1)


def collection_year_containing(day: dt.date) -> CollectionYear:
    """The collection year ``day`` falls in."""
    return CollectionYear(day.year + 1 if day.month >= 4 else day.year)
