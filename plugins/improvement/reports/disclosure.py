"""Statistical disclosure control for public packs.

Public papers (a council committee's) must not let a reader learn that between one and five
children (or records, or staff) share a characteristic. A figure *reveals* the counts it is
built on: a percentage reveals its numerator, its denominator and the difference (98 % of 150
says three were missed); a rate reveals its numerator; a mean reveals how many it averages; a
ratio both of its terms. **Primary suppression** hides a figure when any count it reveals is
from 1 to 5 (fractions of a post count too: 0 < count < 6). **Secondary suppression** then hides
more cells of the same breakdown until the hidden cells together reveal neither a single cell
nor a count from 1 to 5 when subtracted from the total (smallest cells first); if that is
impossible, the total is hidden as well. Every later step (tables, charts, alt text, highlight
sentences) reads only the disclosed figures, so nothing suppressed can reappear.

Internal packs pass figures through unchanged: they may show small numbers, never names.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

SMALL_COUNT_MAX = 5


@dataclass(frozen=True)
class Cell:
    """One published figure: a measure's value for one breakdown value (or the county)."""

    label: str
    numerator: float | None
    denominator: float | None
    value: float | None
    suppressed: bool = False

    def hidden(self) -> Cell:
        return replace(self, numerator=None, denominator=None, value=None, suppressed=True)

    def n(self, unit: str) -> float | None:
        """What was counted: the count itself for a rate or count, else the denominator."""
        return self.numerator if unit in ("rate_per_10000", "count") else self.denominator


def revealed_counts(cell: Cell, unit: str) -> tuple[float, ...]:
    """The counts a reader can work out from the cell as published (see module docstring)."""
    numerator, denominator = cell.numerator, cell.denominator
    present = [x for x in (numerator, denominator) if x is not None and not math.isnan(x)]
    if unit == "percentage":
        if len(present) < 2:
            return tuple(present)
        return (numerator, denominator, denominator - numerator)
    if unit in ("rate_per_10000", "count"):
        return tuple(x for x in (numerator,) if x is not None and not math.isnan(x))
    if unit == "mean":
        return tuple(x for x in (denominator,) if x is not None and not math.isnan(x))
    return tuple(present)


def is_small(count: float) -> bool:
    return 0 < count < SMALL_COUNT_MAX + 1


def needs_suppression(cell: Cell, unit: str) -> bool:
    return any(is_small(count) for count in revealed_counts(cell, unit))


def _hidden_total_is_safe(hidden: list[Cell], unit: str) -> bool:
    """Whether the hidden cells together reveal no single cell and no count from 1 to 5."""
    if len(hidden) == 1:
        return False
    parts = [revealed_counts(cell, unit) for cell in hidden]
    width = min(len(p) for p in parts)
    return not any(is_small(sum(p[i] for p in parts)) for i in range(width))


def suppress_breakdown(total: Cell, cells: list[Cell], unit: str) -> tuple[Cell, list[Cell]]:
    """Primary and secondary suppression of a breakdown whose cells add up to ``total``."""
    if needs_suppression(total, unit):
        total = total.hidden()
    hide = {i for i, cell in enumerate(cells) if needs_suppression(cell, unit)}
    if hide and not total.suppressed:
        while not _hidden_total_is_safe([cells[i] for i in hide], unit):
            candidates = [i for i in range(len(cells)) if i not in hide]
            if not candidates:
                total = total.hidden()
                break
            hide.add(min(candidates, key=lambda i: (sum(revealed_counts(cells[i], unit)), i)))
    return total, [cell.hidden() if i in hide else cell for i, cell in enumerate(cells)]


def suppress_cell(cell: Cell, unit: str) -> Cell:
    """Primary suppression of a figure that stands alone (a point on a trend chart)."""
    return cell.hidden() if needs_suppression(cell, unit) else cell
