"""Judging one value: rounding, percentages, RAG against target, direction of travel, benchmark.

Every comparison is made at the reporting precision (one decimal place, half rounded up), so a
judgement always agrees with the figure printed beside it: 79.96 prints as 80.0 and is judged
as 80.0. The words returned ("green", "better than", ...) are meant to be printed: reports
never convey a judgement by colour alone.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal
from numbers import Real
from typing import Literal

HIGHER = "higher"
LOWER = "lower"
CONTEXT = "context"
POLARITIES = (HIGHER, LOWER, CONTEXT)
Polarity = Literal["higher", "lower", "context"]

REPORTING_PLACES = 1

GREEN = "green"
AMBER = "amber"
RED = "red"

IMPROVED = "improved"
WORSE = "worse"
NO_CHANGE = "no change"
CHANGE = "change"

BETTER_THAN = "better than"
WORSE_THAN = "worse than"
IN_LINE_WITH = "in line with"

Number = Real | Decimal


def better_sign(polarity: str) -> int:
    """+1 when higher values are better, -1 when lower are, 0 for context measures."""
    if polarity not in POLARITIES:
        raise ValueError(f"polarity must be one of {POLARITIES}, not {polarity!r}")
    return {HIGHER: 1, LOWER: -1, CONTEXT: 0}[polarity]


def is_missing(value: Number | None) -> bool:
    """None and NaN both mean "no value this period" (pandas gives NaN)."""
    return value is None or (not isinstance(value, Decimal) and math.isnan(value))


def _decimal(value: Number) -> Decimal:
    """Exact decimal of what the number prints as, so 2.675 is 2.675 and not 2.67499999..."""
    return Decimal(value) if isinstance(value, Decimal | int) else Decimal(str(float(value)))


def _round_decimal(value: Decimal, places: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def round_half_up(value: Number | None, places: int = REPORTING_PLACES) -> float | None:
    """Round halves away from zero (12.25 -> 12.3, -12.25 -> -12.3), as Excel's ROUND does.

    Python's round() rounds halves to even and works on the binary float, so it gives
    round(12.25, 1) == 12.2 and round(2.675, 2) == 2.67; published figures must not.
    """
    if is_missing(value):
        return None
    return float(_round_decimal(_decimal(value), places))


def percentage(numerator: Number, denominator: Number) -> float | None:
    """100 × numerator ÷ denominator to one decimal place; no value when the denominator is 0."""
    if is_missing(numerator) or is_missing(denominator) or denominator == 0:
        return None
    exact = _decimal(numerator) * 100 / _decimal(denominator)
    return float(_round_decimal(exact, REPORTING_PLACES))


def _reported(value: Number) -> Decimal:
    return _round_decimal(_decimal(value), REPORTING_PLACES)


def rag_status(
    value: Number | None,
    target: Number | None,
    tolerance: Number | None,
    polarity: str,
) -> str | None:
    """RAG against target: "green" on or better, "amber" worse by at most tolerance, else "red".

    Tolerance is in the measure's own units (5 means 5 percentage points for a percentage) and
    the amber boundary is inclusive: with target 85, tolerance 5 and higher-is-better, 80.0 is
    amber and 79.9 red. Value and target are compared as printed (one decimal place). No
    tolerance (None or 0) means no amber band. No status (None) for a missing value, no
    target, or a context measure.
    """
    sign = better_sign(polarity)
    if is_missing(value) or is_missing(target) or sign == 0:
        return None
    allowance = Decimal(0) if is_missing(tolerance) else _decimal(tolerance)
    if allowance < 0:
        raise ValueError(f"tolerance must not be negative, not {tolerance}")
    shortfall = (_reported(target) - _reported(value)) * sign
    if shortfall <= 0:
        return GREEN
    return AMBER if shortfall <= allowance else RED


def direction_of_travel(
    current: Number | None, previous: Number | None, polarity: str
) -> str | None:
    """Movement since the previous period: "improved", "worse", "no change"; context "change".

    Values equal at one decimal place are "no change", also for context measures. None when
    either value is missing.
    """
    sign = better_sign(polarity)
    if is_missing(current) or is_missing(previous):
        return None
    movement = _reported(current) - _reported(previous)
    if movement == 0:
        return NO_CHANGE
    if sign == 0:
        return CHANGE
    return IMPROVED if movement * sign > 0 else WORSE


def benchmark_position(value: Number | None, benchmark: Number | None, polarity: str) -> str | None:
    """Position against a benchmark: "better than", "worse than", "in line with" (equal at 1 d.p.).

    None when either value is missing or the measure is context: being above England's rate of
    referrals, say, is neither better nor worse.
    """
    sign = better_sign(polarity)
    if is_missing(value) or is_missing(benchmark) or sign == 0:
        return None
    difference = _reported(value) - _reported(benchmark)
    if difference == 0:
        return IN_LINE_WITH
    return BETTER_THAN if difference * sign > 0 else WORSE_THAN
