"""Statistical process control for one measure's series, as NHS England's "Making Data Count".

An XmR chart: the process mean, and limits at mean ± 2.66 × the average moving range (2.66 is
3 ÷ 1.128, so the limits sit three sigma from the mean). Four special-cause rules flag points;
the latest point's flags give the variation verdict, and where a target sits against the
limits gives the assurance verdict. Periods with no value (None or NaN) are skipped: moving
ranges join consecutive present values, runs continue across a gap, and every flag keeps the
index of its point in the series as given.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import groupby, pairwise

from improvement.measures.rag import better_sign, is_missing

LIMIT_MULTIPLIER = 2.66
MINIMUM_POINTS = 12
SHIFT_LENGTH = 7
TREND_LENGTH = 6
TWO_OF_THREE_WINDOW = 3
TWO_OF_THREE_NEEDED = 2
WARNING_FRACTION = 2 / 3

BEYOND_LIMIT = "beyond limit"
SHIFT = "shift"
TREND = "trend"
TWO_OF_THREE = "two of three"
RULE_PRECEDENCE = (BEYOND_LIMIT, SHIFT, TREND, TWO_OF_THREE)

HIGH = "high"
LOW = "low"
UP = "up"
DOWN = "down"
DIRECTION_SIGN = {HIGH: 1, UP: 1, LOW: -1, DOWN: -1}

COMMON_CAUSE = "common cause"
SPECIAL_CAUSE_IMPROVING = "special cause improving"
SPECIAL_CAUSE_CONCERNING = "special cause concerning"
SPECIAL_CAUSE_NEITHER = "special cause neither"

CONSISTENTLY_PASSING = "consistently passing"
CONSISTENTLY_FAILING = "consistently failing"
HIT_AND_MISS = "hit and miss"


class NotEnoughPointsError(ValueError):
    """Fewer than MINIMUM_POINTS values: limits from so few points would mislead."""


@dataclass(frozen=True)
class XmRLimits:
    """Centre line and process limits of an XmR chart; ``points`` counts the values used."""

    mean: float
    average_moving_range: float
    upper: float
    lower: float
    points: int

    @property
    def upper_warning(self) -> float:
        """The 2-sigma line: two-thirds of the way from the mean to the unclamped upper limit."""
        return self.mean + WARNING_FRACTION * LIMIT_MULTIPLIER * self.average_moving_range

    @property
    def lower_warning(self) -> float:
        return self.mean - WARNING_FRACTION * LIMIT_MULTIPLIER * self.average_moving_range


@dataclass(frozen=True)
class Flag:
    """One point caught by one rule; direction is "high"/"low", or "up"/"down" for a trend."""

    index: int
    rule: str
    direction: str


@dataclass(frozen=True)
class SeriesAnalysis:
    """Everything a chart or scorecard row needs for one series.

    ``flags`` has one tuple per value (empty when none). With fewer than MINIMUM_POINTS values,
    ``limits``, ``variation`` and ``assurance`` are None and no point is flagged.
    """

    values: tuple[float | None, ...]
    limits: XmRLimits | None
    flags: tuple[tuple[Flag, ...], ...]
    variation: str | None
    assurance: str | None

    @property
    def enough_points(self) -> bool:
        return self.limits is not None


def _present(values: Iterable[float | None]) -> list[tuple[int, float]]:
    return [(index, float(value)) for index, value in enumerate(values) if not is_missing(value)]


def xmr_limits(
    values: Sequence[float | None],
    *,
    floor: float | None = None,
    ceiling: float | None = None,
) -> XmRLimits:
    """Mean and process limits of the present values.

    ``floor``/``ceiling`` clamp the limits to the measure's natural bounds (0 for a count,
    0 and 100 for a percentage) so a chart never shows an impossible limit. Raises
    NotEnoughPointsError with fewer than MINIMUM_POINTS present values.
    """
    points = [value for _, value in _present(values)]
    if len(points) < MINIMUM_POINTS:
        raise NotEnoughPointsError(
            f"{len(points)} values; at least {MINIMUM_POINTS} are needed for process limits"
        )
    if floor is not None and ceiling is not None and floor > ceiling:
        raise ValueError(f"floor {floor} is above ceiling {ceiling}")
    mean = math.fsum(points) / len(points)
    moving_ranges = [abs(later - earlier) for earlier, later in pairwise(points)]
    average_moving_range = math.fsum(moving_ranges) / len(moving_ranges)
    upper = mean + LIMIT_MULTIPLIER * average_moving_range
    lower = mean - LIMIT_MULTIPLIER * average_moving_range
    return XmRLimits(
        mean=mean,
        average_moving_range=average_moving_range,
        upper=upper if ceiling is None else min(upper, ceiling),
        lower=lower if floor is None else max(lower, floor),
        points=len(points),
    )


def _side(value: float, centre: float) -> str | None:
    if value > centre:
        return HIGH
    return LOW if value < centre else None


def points_beyond_limits(values: Sequence[float | None], limits: XmRLimits) -> list[Flag]:
    """Rule 1: a point strictly above the upper or strictly below the lower limit."""
    return [
        Flag(index, BEYOND_LIMIT, HIGH if value > limits.upper else LOW)
        for index, value in _present(values)
        if value > limits.upper or value < limits.lower
    ]


def shifts(values: Sequence[float | None], limits: XmRLimits) -> list[Flag]:
    """Rule 2: SHIFT_LENGTH or more points in a row on one side; a point on the mean breaks it."""
    sides = [(index, _side(value, limits.mean)) for index, value in _present(values)]
    flags = []
    for side, run in groupby(sides, key=lambda point: point[1]):
        run = list(run)
        if side is not None and len(run) >= SHIFT_LENGTH:
            flags.extend(Flag(index, SHIFT, side) for index, _ in run)
    return flags


def trends(values: Sequence[float | None]) -> list[Flag]:
    """Rule 3: TREND_LENGTH or more consecutive points each strictly above (below) the last.

    A repeated value breaks a trend. The point where an upward trend turns belongs to both the
    upward and the downward run.
    """
    points = _present(values)
    steps = [
        (position, _side(later, earlier))
        for position, ((_, earlier), (_, later)) in enumerate(pairwise(points))
    ]
    flags = []
    for side, run in groupby(steps, key=lambda step: step[1]):
        run = list(run)
        if side is not None and len(run) + 1 >= TREND_LENGTH:
            first_point, last_point = run[0][0], run[-1][0] + 1
            direction = UP if side == HIGH else DOWN
            flags.extend(
                Flag(points[position][0], TREND, direction)
                for position in range(first_point, last_point + 1)
            )
    return flags


def two_of_three_beyond_warning(values: Sequence[float | None], limits: XmRLimits) -> list[Flag]:
    """Rule 4: two of three consecutive points beyond the same 2-sigma line.

    Points beyond the process limit count too. Only the points beyond the line are flagged,
    not the third point of the window.
    """
    points = _present(values)
    flagged: dict[tuple[int, str], Flag] = {}
    for start in range(len(points) - TWO_OF_THREE_WINDOW + 1):
        window = points[start : start + TWO_OF_THREE_WINDOW]
        for direction, beyond in (
            (HIGH, lambda value: value > limits.upper_warning),
            (LOW, lambda value: value < limits.lower_warning),
        ):
            caught = [index for index, value in window if beyond(value)]
            if len(caught) >= TWO_OF_THREE_NEEDED:
                for index in caught:
                    flagged[(index, direction)] = Flag(index, TWO_OF_THREE, direction)
    return sorted(flagged.values(), key=lambda flag: flag.index)


def special_causes(values: Sequence[float | None], limits: XmRLimits) -> list[Flag]:
    """All four rules' flags, by point and then by rule precedence."""
    flags = (
        points_beyond_limits(values, limits)
        + shifts(values, limits)
        + trends(values)
        + two_of_three_beyond_warning(values, limits)
    )
    return sorted(flags, key=lambda flag: (flag.index, RULE_PRECEDENCE.index(flag.rule)))


def _variation(flags: Sequence[Flag], latest_index: int, polarity: str) -> str:
    sign = better_sign(polarity)
    latest = [flag for flag in flags if flag.index == latest_index]
    if not latest:
        return COMMON_CAUSE
    if sign == 0:
        return SPECIAL_CAUSE_NEITHER
    deciding = min(latest, key=lambda flag: RULE_PRECEDENCE.index(flag.rule))
    if DIRECTION_SIGN[deciding.direction] * sign > 0:
        return SPECIAL_CAUSE_IMPROVING
    return SPECIAL_CAUSE_CONCERNING


def variation_verdict(
    values: Sequence[float | None],
    polarity: str,
    *,
    floor: float | None = None,
    ceiling: float | None = None,
) -> str:
    """Variation at the latest present point, judged through the measure's polarity.

    "common cause" unless the latest point is flagged. When rules flag it in opposite
    directions, the first rule in RULE_PRECEDENCE decides (beyond limit, shift, trend, two of
    three). Context measures get "special cause neither". Raises NotEnoughPointsError.
    """
    limits = xmr_limits(values, floor=floor, ceiling=ceiling)
    latest_index = _present(values)[-1][0]
    return _variation(special_causes(values, limits), latest_index, polarity)


def assurance_verdict(limits: XmRLimits, target: float | None, polarity: str) -> str | None:
    """Whether the process as it runs will meet the target.

    "consistently passing" when the whole process range is on the good side of the target
    (higher-is-better: target <= lower limit; lower-is-better: target >= upper limit),
    "consistently failing" when the target is beyond the process on the good side (higher:
    target > upper limit; lower: target < lower limit), otherwise "hit and miss". None without
    a target or for a context measure.
    """
    sign = better_sign(polarity)
    if is_missing(target) or sign == 0:
        return None
    if sign > 0:
        worst_limit, best_limit = limits.lower, limits.upper
    else:
        worst_limit, best_limit = limits.upper, limits.lower
    if (worst_limit - target) * sign >= 0:
        return CONSISTENTLY_PASSING
    if (target - best_limit) * sign > 0:
        return CONSISTENTLY_FAILING
    return HIT_AND_MISS


def analyse_series(
    values: Sequence[float | None],
    polarity: str,
    target: float | None = None,
    *,
    floor: float | None = None,
    ceiling: float | None = None,
) -> SeriesAnalysis:
    """Limits, flags per point and both verdicts for one series, oldest value first.

    A short series is not an error here: the report still shows its values, without limits.
    """
    better_sign(polarity)
    clean = tuple(None if is_missing(value) else float(value) for value in values)
    present = _present(clean)
    if len(present) < MINIMUM_POINTS:
        return SeriesAnalysis(clean, None, tuple(() for _ in clean), None, None)
    limits = xmr_limits(clean, floor=floor, ceiling=ceiling)
    flags = special_causes(clean, limits)
    per_point = tuple(
        tuple(flag for flag in flags if flag.index == index) for index in range(len(clean))
    )
    return SeriesAnalysis(
        values=clean,
        limits=limits,
        flags=per_point,
        variation=_variation(flags, present[-1][0], polarity),
        assurance=assurance_verdict(limits, target, polarity),
    )
