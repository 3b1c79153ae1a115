"""SPC on hand-made series whose limits, flags and verdicts are worked out in the comments."""

import math

import pytest

from improvement.measures.spc import (
    BEYOND_LIMIT,
    COMMON_CAUSE,
    CONSISTENTLY_FAILING,
    CONSISTENTLY_PASSING,
    DOWN,
    HIGH,
    HIT_AND_MISS,
    LOW,
    SHIFT,
    SPECIAL_CAUSE_CONCERNING,
    SPECIAL_CAUSE_IMPROVING,
    SPECIAL_CAUSE_NEITHER,
    TREND,
    TWO_OF_THREE,
    UP,
    Flag,
    NotEnoughPointsError,
    XmRLimits,
    analyse_series,
    assurance_verdict,
    points_beyond_limits,
    shifts,
    special_causes,
    trends,
    two_of_three_beyond_warning,
    variation_verdict,
    xmr_limits,
)

# Hand-set limits for testing single rules: mean 10, average moving range 3, so the limits are
# 10 ± 2.66 × 3 = 10 ± 7.98 (17.98 and 2.02) and the 2-sigma lines 10 ± 2/3 × 7.98 = 10 ± 5.32
# (15.32 and 4.68).
MEAN_10 = XmRLimits(mean=10.0, average_moving_range=3.0, upper=17.98, lower=2.02, points=12)

# Sum 60 over 12 points: mean 5. Moving ranges 2,3,2,2,2,2,3,2,2,1,1 sum 22 over 11: 2.
# Limits 5 ± 2.66 × 2 = 5 ± 5.32: upper 10.32, lower -0.32. No rule fires.
CALM = [4, 6, 3, 5, 7, 5, 3, 6, 4, 6, 5, 6]

# Sum 14 × 10 + 40 = 180 over 15 points: mean 12. Moving ranges 13 × 8 + |40 - 14| = 130 over
# 14 = 65/7; 2.66 × 65/7 = 24.7, so the upper limit is 36.7 and 40 is beyond it. The 2-sigma
# line is 12 + 16.47 = 28.47, reached by 40 alone, so two-of-three does not fire.
SPIKE = [6, 14] * 7 + [40]

# Sum 68 + 77 = 145 over 14: mean 10.357. The seven 11s are above it: a shift of exactly 7. Moving
# ranges 6 × 4 + 3 + 0 × 6 = 27 over 13 = 2.077: upper limit 15.88, 2-sigma line 14.04, so
# nothing else fires. Latest point: shift, high.
HIGH_SHIFT_OF_7 = [8, 12, 8, 12, 8, 12, 8] + [11] * 7

# Sum 80 + 66 = 146 over 14: mean 10.43. Six 11s above it, preceded by an 8 below: a run of 6.
HIGH_RUN_OF_6 = [12, 8, 12, 8, 12, 8, 12, 8] + [11] * 6


def test_limits_of_a_small_series_match_the_hand_calculation():
    limits = xmr_limits(CALM)
    assert limits.mean == 5.0
    assert limits.average_moving_range == 2.0
    assert limits.upper == pytest.approx(10.32, abs=1e-12)
    assert limits.lower == pytest.approx(-0.32, abs=1e-12)
    assert limits.points == 12


def test_two_sigma_lines_sit_two_thirds_of_the_way_to_the_limits():
    assert MEAN_10.upper_warning == pytest.approx(15.32, abs=1e-12)
    assert MEAN_10.lower_warning == pytest.approx(4.68, abs=1e-12)


def test_floor_and_ceiling_clamp_limits_to_natural_bounds():
    # Lower -0.32 becomes 0 (a count cannot be negative); a ceiling of 10 cuts 10.32 to 10.
    limits = xmr_limits(CALM, floor=0, ceiling=10)
    assert (limits.lower, limits.upper) == (0, 10)
    assert limits.mean == 5.0


def test_floor_above_ceiling_is_refused():
    with pytest.raises(ValueError, match="floor"):
        xmr_limits(CALM, floor=10, ceiling=0)


def test_eleven_points_raise_not_enough_points():
    with pytest.raises(NotEnoughPointsError, match="at least 12"):
        xmr_limits(CALM[:11])


def test_missing_values_do_not_count_towards_the_minimum():
    with pytest.raises(NotEnoughPointsError):
        xmr_limits(CALM[:11] + [None, math.nan])


def test_none_and_nan_gaps_are_skipped_and_moving_ranges_join_present_values():
    # Same present values in the same order as CALM, so the same mean and moving ranges.
    with_gaps = [4, None, 6, 3, math.nan, 5, 7, 5, 3, 6, None, 4, 6, 5, 6]
    assert xmr_limits(with_gaps) == xmr_limits(CALM)


def test_calm_series_is_common_cause_for_every_polarity():
    assert special_causes(CALM, xmr_limits(CALM)) == []
    for polarity in ("higher", "lower", "context"):
        assert variation_verdict(CALM, polarity) == COMMON_CAUSE


def test_point_beyond_upper_limit_is_flagged_high():
    limits = xmr_limits(SPIKE)
    assert limits.mean == 12.0
    assert limits.upper == pytest.approx(36.7, abs=1e-12)
    assert points_beyond_limits(SPIKE, limits) == [Flag(14, BEYOND_LIMIT, HIGH)]
    assert special_causes(SPIKE, limits) == [Flag(14, BEYOND_LIMIT, HIGH)]


def test_points_exactly_on_a_limit_are_not_beyond_it():
    values = [18, 17.98, 10, 2.02, 2]
    assert points_beyond_limits(values, MEAN_10) == [
        Flag(0, BEYOND_LIMIT, HIGH),
        Flag(4, BEYOND_LIMIT, LOW),
    ]


def test_shift_of_exactly_7_is_flagged():
    values = [9] + [11] * 7 + [9]
    assert shifts(values, MEAN_10) == [Flag(index, SHIFT, HIGH) for index in range(1, 8)]


def test_shift_of_6_is_not_flagged():
    assert shifts([9] + [11] * 6 + [9], MEAN_10) == []


def test_low_shift_is_flagged_low():
    assert shifts([8] * 7, MEAN_10) == [Flag(index, SHIFT, LOW) for index in range(7)]


def test_point_exactly_on_the_mean_breaks_a_shift():
    # Three above, one on the mean of 10, three above: two runs of 3, nothing flagged.
    assert shifts([11, 11, 11, 10, 11, 11, 11], MEAN_10) == []


def test_point_on_the_computed_mean_breaks_a_shift_in_a_full_series():
    # Sum 8+12+8+12+8+8+8 = 64, plus 11×6 + 10 = 76: 140 over 14, a mean of exactly 10.
    values = [8, 12, 8, 12, 8, 8, 8, 11, 11, 11, 10, 11, 11, 11]
    limits = xmr_limits(values)
    assert limits.mean == 10.0
    assert shifts(values, limits) == []


def test_a_gap_neither_breaks_nor_extends_a_shift():
    values = [11, 11, 11, None, 11, 11, 11, 11]
    assert [flag.index for flag in shifts(values, MEAN_10)] == [0, 1, 2, 4, 5, 6, 7]


def test_trend_of_exactly_6_points_is_flagged_up():
    # 5 -> 1 is down; 1..6 rise five times: six points; 6 -> 3 is down.
    assert trends([5, 1, 2, 3, 4, 5, 6, 3]) == [Flag(index, TREND, UP) for index in range(1, 7)]


def test_trend_of_5_points_is_not_flagged():
    assert trends([5, 1, 2, 3, 4, 5, 3]) == []


def test_falling_trend_is_flagged_down():
    assert trends([9, 8, 7, 6, 5, 4]) == [Flag(index, TREND, DOWN) for index in range(6)]


def test_a_repeated_value_breaks_a_trend():
    # Rises 1,2,3 then a repeat, then 3,4,5,6: runs of 3 and 4 points.
    assert trends([1, 2, 3, 3, 4, 5, 6]) == []


def test_a_gap_does_not_break_a_trend():
    assert [flag.index for flag in trends([1, 2, None, 3, 4, 5, 6])] == [0, 1, 3, 4, 5, 6]


def test_turning_point_belongs_to_both_trends():
    flags = trends([1, 2, 3, 4, 5, 6, 5, 4, 3, 2, 1])
    assert [flag for flag in flags if flag.index == 5] == [Flag(5, TREND, UP), Flag(5, TREND, DOWN)]


def test_two_of_three_beyond_the_2_sigma_line_flags_those_two_points():
    # 16 > 15.32 at indexes 1 and 3; 11 between them is not beyond the line and is not flagged.
    values = [10, 16, 11, 16, 10]
    assert two_of_three_beyond_warning(values, MEAN_10) == [
        Flag(1, TWO_OF_THREE, HIGH),
        Flag(3, TWO_OF_THREE, HIGH),
    ]


def test_two_of_three_counts_a_point_beyond_the_limit():
    assert two_of_three_beyond_warning([4, 1, 10], MEAN_10) == [
        Flag(0, TWO_OF_THREE, LOW),
        Flag(1, TWO_OF_THREE, LOW),
    ]


def test_two_of_three_needs_both_points_on_the_same_side():
    assert two_of_three_beyond_warning([16, 10, 4], MEAN_10) == []


def test_two_of_three_needs_both_points_within_three_consecutive():
    assert two_of_three_beyond_warning([16, 11, 11, 16], MEAN_10) == []


def test_two_of_three_near_the_upper_limit_in_a_full_series():
    # Sum 8 × 9 + 8 × 11 + 16 + 13 + 16 = 205 over 19: mean 10.789. Moving ranges 15 × 2 + 5 +
    # 3 + 3 = 41 over 18 = 2.278: 2-sigma line 10.789 + 4.039 = 14.829, upper limit 16.848.
    # Both 16s are beyond the line but inside the limit; 13 is not beyond the line.
    values = [9, 11] * 8 + [16, 13, 16]
    limits = xmr_limits(values)
    assert limits.upper_warning == pytest.approx(14.8287, abs=1e-4)
    assert limits.upper == pytest.approx(16.8484, abs=1e-4)
    assert special_causes(values, limits) == [
        Flag(16, TWO_OF_THREE, HIGH),
        Flag(18, TWO_OF_THREE, HIGH),
    ]
    assert variation_verdict(values, "lower") == SPECIAL_CAUSE_CONCERNING


@pytest.mark.parametrize(
    ("polarity", "verdict"),
    [
        ("higher", SPECIAL_CAUSE_IMPROVING),
        ("lower", SPECIAL_CAUSE_CONCERNING),
        ("context", SPECIAL_CAUSE_NEITHER),
    ],
)
def test_high_shift_verdict_follows_polarity(polarity, verdict):
    assert special_causes(HIGH_SHIFT_OF_7, xmr_limits(HIGH_SHIFT_OF_7)) == [
        Flag(index, SHIFT, HIGH) for index in range(7, 14)
    ]
    assert variation_verdict(HIGH_SHIFT_OF_7, polarity) == verdict


def test_high_run_of_6_is_common_cause():
    assert special_causes(HIGH_RUN_OF_6, xmr_limits(HIGH_RUN_OF_6)) == []
    assert variation_verdict(HIGH_RUN_OF_6, "higher") == COMMON_CAUSE


@pytest.mark.parametrize(
    ("polarity", "verdict"),
    [
        ("higher", SPECIAL_CAUSE_IMPROVING),
        ("lower", SPECIAL_CAUSE_CONCERNING),
        ("context", SPECIAL_CAUSE_NEITHER),
    ],
)
def test_point_beyond_upper_limit_verdict_follows_polarity(polarity, verdict):
    assert variation_verdict(SPIKE, polarity) == verdict


def test_rising_trend_below_the_mean_is_improving_for_higher_is_better():
    # Sum 80 + 21 = 101 over 14: mean 7.21; the last six rise 1..6, all below the mean, so
    # only the trend rule flags the latest point (the eight before form a high shift).
    values = [8, 12] * 4 + [1, 2, 3, 4, 5, 6]
    flags = special_causes(values, xmr_limits(values))
    assert [flag for flag in flags if flag.index == 13] == [Flag(13, TREND, UP)]
    assert variation_verdict(values, "higher") == SPECIAL_CAUSE_IMPROVING
    assert variation_verdict(values, "lower") == SPECIAL_CAUSE_CONCERNING


def test_beyond_limit_outranks_trend_when_they_disagree():
    # Sum 300 + 312 + 135 = 747 over 18: mean 41.5. Moving ranges 11 × 2 + 32 + 5 × 1 = 59 over
    # 17 = 3.47: lower limit 41.5 - 9.23 = 32.27. The last point, 25, is beyond it (low) and
    # ends a rising trend 20..25 (up): the limit rule decides.
    values = [50, 52] * 6 + [20, 21, 22, 23, 24, 25]
    flags = special_causes(values, xmr_limits(values))
    assert [flag for flag in flags if flag.index == 17] == [
        Flag(17, BEYOND_LIMIT, LOW),
        Flag(17, TREND, UP),
        Flag(17, TWO_OF_THREE, LOW),
    ]
    assert variation_verdict(values, "higher") == SPECIAL_CAUSE_CONCERNING


def test_shift_outranks_trend_when_they_disagree():
    # Sum 80 + 119 = 199 over 15: mean 13.27. The last seven, 20 falling to 14, are all above
    # it (high shift) and fall six times (down trend): the shift decides.
    values = [8, 12] * 4 + [20, 19, 18, 17, 16, 15, 14]
    flags = special_causes(values, xmr_limits(values))
    assert [flag for flag in flags if flag.index == 14] == [
        Flag(14, SHIFT, HIGH),
        Flag(14, TREND, DOWN),
    ]
    assert variation_verdict(values, "higher") == SPECIAL_CAUSE_IMPROVING


def test_verdict_judges_the_latest_present_point():
    assert variation_verdict(SPIKE + [None], "higher") == SPECIAL_CAUSE_IMPROVING


def test_variation_verdict_needs_enough_points():
    with pytest.raises(NotEnoughPointsError):
        variation_verdict(CALM[:11], "higher")


def test_unknown_polarity_is_refused():
    with pytest.raises(ValueError, match="polarity"):
        variation_verdict(CALM, "up")


# Limits 72 to 88 around a mean of 80, for assurance.
PROCESS_72_TO_88 = XmRLimits(mean=80.0, average_moving_range=3.0, upper=88.0, lower=72.0, points=12)


@pytest.mark.parametrize(
    ("target", "verdict"),
    [
        (70, CONSISTENTLY_PASSING),
        (72, CONSISTENTLY_PASSING),
        (80, HIT_AND_MISS),
        (88, HIT_AND_MISS),
        (90, CONSISTENTLY_FAILING),
    ],
)
def test_assurance_for_higher_is_better(target, verdict):
    assert assurance_verdict(PROCESS_72_TO_88, target, "higher") == verdict


@pytest.mark.parametrize(
    ("target", "verdict"),
    [
        (90, CONSISTENTLY_PASSING),
        (88, CONSISTENTLY_PASSING),
        (80, HIT_AND_MISS),
        (72, HIT_AND_MISS),
        (70, CONSISTENTLY_FAILING),
    ],
)
def test_assurance_for_lower_is_better(target, verdict):
    assert assurance_verdict(PROCESS_72_TO_88, target, "lower") == verdict


def test_no_assurance_without_target_or_for_context():
    assert assurance_verdict(PROCESS_72_TO_88, None, "higher") is None
    assert assurance_verdict(PROCESS_72_TO_88, 80, "context") is None


def test_analyse_series_gives_limits_flags_per_point_and_verdicts():
    analysis = analyse_series(SPIKE, "higher", target=10, floor=0)
    assert analysis.enough_points
    assert analysis.values == tuple(float(value) for value in SPIKE)
    assert analysis.limits == xmr_limits(SPIKE, floor=0)
    assert analysis.limits.lower == 0
    assert analysis.flags == ((),) * 14 + ((Flag(14, BEYOND_LIMIT, HIGH),),)
    assert analysis.variation == SPECIAL_CAUSE_IMPROVING
    # Target 10 is above the clamped lower limit 0: the process can fall short.
    assert analysis.assurance == HIT_AND_MISS


def test_analyse_series_keeps_gaps_as_none_and_flags_by_original_position():
    analysis = analyse_series([math.nan] + SPIKE, "lower")
    assert analysis.values[0] is None
    assert analysis.flags[15] == (Flag(15, BEYOND_LIMIT, HIGH),)
    assert analysis.variation == SPECIAL_CAUSE_CONCERNING
    assert analysis.assurance is None


def test_analyse_series_with_too_few_points_has_no_limits_or_verdicts():
    analysis = analyse_series([4, None, 6], "higher", target=5)
    assert not analysis.enough_points
    assert analysis.values == (4.0, None, 6.0)
    assert analysis.flags == ((), (), ())
    assert (analysis.limits, analysis.variation, analysis.assurance) == (None, None, None)
