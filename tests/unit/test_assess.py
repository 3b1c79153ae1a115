"""A scorecard row's judgements from a known series: RAG, travel, benchmarks and SPC."""

import dataclasses
import datetime as dt

import pandas as pd

from improvement.measures.assess import assess, months_back, value_near
from improvement.measures.catalogue import Benchmark, Measure

MEASURE = Measure(
    id="assessments_45wd",
    version=1,
    title="Assessments within 45 working days",
    priority_area="front_door",
    definition="d",
    numerator="n",
    denominator="d",
    unit="percentage",
    polarity="higher",
    target=85.0,
    tolerance=5.0,
    benchmarks=(Benchmark("England", 85.7, "2025", "DfE", "D"),),
    groups=("lg8",),
    breakdowns=(),
    disclosure="records",
    history=True,
    sql="",
)


def monthly_series(values, last=dt.date(2026, 3, 31)):
    ends = pd.date_range(end=pd.Timestamp(last), periods=len(values), freq="ME").date
    return pd.DataFrame({"as_at": ends, "numerator": values, "denominator": 100.0, "value": values})


def test_rag_travel_and_benchmark_for_the_latest_month():
    series = monthly_series([70.0] * 11 + [72.0] + [75.0] * 10 + [79.0, 81.0])
    result = assess(MEASURE, series, dt.date(2026, 3, 31))
    assert (result.value, result.rag) == (81.0, "amber")  # within 5 of 85
    assert (result.previous_month, result.travel_month) == (79.0, "improved")
    assert (result.same_month_last_year, result.travel_year) == (72.0, "improved")
    assert (result.england, result.versus_england) == (85.7, "worse than")
    assert result.neighbours is None and result.versus_neighbours is None
    assert result.spc.limits is not None
    assert result.spc.variation == "special cause improving"
    # Mean 73.0, average moving range 11/23, limits 73.0 +- 1.27: the target of 85 is above
    # the upper limit, so the process cannot meet it.
    assert result.spc.assurance == "consistently failing"


def test_lower_is_better_turns_the_same_rise_into_a_worsening():
    lower = dataclasses.replace(MEASURE, polarity="lower", target=15.0, tolerance=2.0)
    series = monthly_series([14.0] * 12 + [15.0] * 10 + [18.0, 20.0])
    result = assess(lower, series, dt.date(2026, 3, 31))
    assert result.rag == "red" and result.travel_month == "worse"
    assert result.spc.variation == "special cause concerning"


def test_missing_value_and_short_history_give_no_judgement():
    series = monthly_series([None, None, 50.0])
    result = assess(MEASURE, series, dt.date(2026, 3, 31))
    assert result.rag == "red"
    assert result.travel_month is None and result.spc.limits is None
    empty = assess(MEASURE, monthly_series([80.0, None]), dt.date(2026, 3, 31))
    assert empty.value is None and empty.rag is None


def test_weekly_series_finds_the_nearest_earlier_point():
    weekly = pd.DataFrame(
        {"as_at": [dt.date(2026, 2, 22), dt.date(2026, 3, 1)], "value": [10.0, 11.0]}
    )
    assert value_near(weekly, dt.date(2026, 2, 28)) == 10.0  # 22 Feb is within six days
    assert value_near(weekly, dt.date(2026, 3, 10)) is None  # 1 Mar is nine days before


def test_month_end_series_compare_month_end_with_month_end():
    # 30 November minus a month is 30 October, but the series has 31 October: a month-end
    # date looks back to the previous month end, and a year back to the same month end.
    series = monthly_series([50.0] * 12 + [60.0, 70.0], last=dt.date(2026, 11, 30))
    result = assess(MEASURE, series, dt.date(2026, 11, 30))
    assert result.previous_month == 60.0 and result.same_month_last_year == 50.0
    assert months_back(dt.date(2026, 2, 28), 1) == dt.date(2026, 1, 31)
    assert months_back(dt.date(2024, 3, 31), 1) == dt.date(2024, 2, 29)
    assert months_back(dt.date(2026, 3, 15), 1) == dt.date(2026, 2, 15)
