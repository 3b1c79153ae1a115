"""RAG, direction of travel, benchmark position and rounding, at their exact boundaries."""

import math
from decimal import Decimal

import pytest

from improvement.measures.rag import (
    AMBER,
    BETTER_THAN,
    CHANGE,
    GREEN,
    IMPROVED,
    IN_LINE_WITH,
    NO_CHANGE,
    RED,
    WORSE,
    WORSE_THAN,
    benchmark_position,
    direction_of_travel,
    percentage,
    rag_status,
    round_half_up,
)


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [
        (12.25, 1, 12.3),
        (12.35, 1, 12.4),
        (0.05, 1, 0.1),
        (2.675, 2, 2.68),
        (2.675, 1, 2.7),
        (-12.25, 1, -12.3),
        (-0.05, 1, -0.1),
        (12.24, 1, 12.2),
        (7, 1, 7.0),
        (Decimal("12.25"), 1, 12.3),
    ],
)
def test_round_half_up_rounds_halves_away_from_zero(value, places, expected):
    assert round_half_up(value, places) == expected


def test_round_half_up_differs_from_builtin_bankers_rounding():
    assert round(12.25, 1) == 12.2
    assert round(2.675, 2) == 2.67
    assert round_half_up(12.25) == 12.3
    assert round_half_up(2.675, 2) == 2.68


def test_round_half_up_of_no_value_is_none():
    assert round_half_up(None) is None
    assert round_half_up(math.nan) is None


@pytest.mark.parametrize(
    ("numerator", "denominator", "expected"),
    [
        (1, 8, 12.5),
        (49, 400, 12.3),  # 12.25 exactly, half up
        (1, 3, 33.3),
        (2, 3, 66.7),
        (0, 5, 0.0),
        (5, 5, 100.0),
        (1, 2000, 0.1),  # 0.05 exactly, half up
    ],
)
def test_percentage_is_one_decimal_half_up(numerator, denominator, expected):
    assert percentage(numerator, denominator) == expected


def test_percentage_with_denominator_0_is_none_not_0_or_100():
    assert percentage(0, 0) is None
    assert percentage(3, 0) is None


# Target 85, tolerance 5 percentage points.
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (90.0, GREEN),
        (85.0, GREEN),  # on target
        (84.9, AMBER),
        (80.0, AMBER),  # exactly target - tolerance: amber (inclusive)
        (79.9, RED),  # just beyond
        (79.96, AMBER),  # prints as 80.0, so judged as 80.0
        (84.96, GREEN),  # prints as 85.0
    ],
)
def test_rag_higher_is_better_boundaries(value, expected):
    assert rag_status(value, 85, 5, "higher") == expected


# Target 20, tolerance 2.5.
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (15.0, GREEN),
        (20.0, GREEN),  # on target
        (20.1, AMBER),
        (22.5, AMBER),  # exactly target + tolerance: amber (inclusive)
        (22.6, RED),  # just beyond
    ],
)
def test_rag_lower_is_better_boundaries(value, expected):
    assert rag_status(value, 20, 2.5, "lower") == expected


def test_rag_boundary_is_exact_where_binary_floats_are_not():
    # 0.7 + 0.1 is 0.7999999999999999 in floats; in decimals it is 0.8, which is amber.
    assert rag_status(0.8, 0.7, 0.1, "lower") == AMBER


def test_rag_without_tolerance_has_no_amber_band():
    assert rag_status(84.9, 85, None, "higher") == RED
    assert rag_status(84.9, 85, 0, "higher") == RED
    assert rag_status(85.0, 85, None, "higher") == GREEN


def test_rag_is_none_without_value_or_target_or_for_context():
    assert rag_status(None, 85, 5, "higher") is None
    assert rag_status(math.nan, 85, 5, "higher") is None
    assert rag_status(80, None, 5, "higher") is None
    assert rag_status(80, 85, 5, "context") is None


def test_rag_refuses_negative_tolerance_and_unknown_polarity():
    with pytest.raises(ValueError, match="tolerance"):
        rag_status(80, 85, -1, "higher")
    with pytest.raises(ValueError, match="polarity"):
        rag_status(80, 85, 5, "better")


@pytest.mark.parametrize(
    ("current", "previous", "polarity", "expected"),
    [
        (72.4, 70.0, "higher", IMPROVED),
        (68.0, 70.0, "higher", WORSE),
        (18.8, 13.5, "lower", WORSE),
        (13.5, 18.8, "lower", IMPROVED),
        (70.04, 70.0, "higher", NO_CHANGE),  # both 70.0 at one decimal place
        (70.05, 70.0, "higher", IMPROVED),  # 70.1 against 70.0
        (376, 400, "context", CHANGE),
        (376.0, 376.04, "context", NO_CHANGE),
    ],
)
def test_direction_of_travel(current, previous, polarity, expected):
    assert direction_of_travel(current, previous, polarity) == expected


def test_direction_of_travel_is_none_when_either_value_is_missing():
    assert direction_of_travel(None, 70, "higher") is None
    assert direction_of_travel(70, None, "context") is None


@pytest.mark.parametrize(
    ("value", "benchmark", "polarity", "expected"),
    [
        (88.0, 85.7, "higher", BETTER_THAN),
        (72.0, 85.7, "higher", WORSE_THAN),
        (85.7, 85.7, "higher", IN_LINE_WITH),
        (85.74, 85.7, "higher", IN_LINE_WITH),  # 85.7 at one decimal place
        (18.8, 22.6, "lower", BETTER_THAN),
        (26.0, 22.6, "lower", WORSE_THAN),
        (22.6, 22.6, "lower", IN_LINE_WITH),
    ],
)
def test_benchmark_position(value, benchmark, polarity, expected):
    assert benchmark_position(value, benchmark, polarity) == expected


def test_benchmark_position_is_none_when_missing_or_context():
    assert benchmark_position(None, 85.7, "higher") is None
    assert benchmark_position(80, None, "higher") is None
    assert benchmark_position(376, 632, "context") is None
