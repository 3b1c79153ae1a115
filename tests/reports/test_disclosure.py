"""Disclosure control: which figures a public pack hides, and why."""

import pytest

from improvement.reports.disclosure import (
    Cell,
    needs_suppression,
    revealed_counts,
    suppress_breakdown,
)


def cell(label, numerator, denominator):
    value = None if not denominator else 100 * numerator / denominator
    return Cell(label, numerator, denominator, value)


@pytest.mark.parametrize(
    ("unit", "numerator", "denominator", "hidden"),
    [
        ("percentage", 3, 100, True),  # three children
        ("percentage", 98, 100, True),  # two children missed: the complement
        ("percentage", 4, 4, True),  # a denominator of four
        ("percentage", 0, 40, False),  # none is not a small number
        ("percentage", 6, 12, False),
        ("percentage", 94, 100, False),
        ("rate_per_10000", 5, 145000, True),  # five children in a rate
        ("rate_per_10000", 6, 145000, False),
        ("mean", 900, 2, True),  # a mean of two children's durations
        ("mean", 5, 30, False),  # the numerator of a mean is days, not people
        ("count", 1, None, True),
        ("ratio", 170, 2.5, True),  # 2.5 posts: staff counts too
    ],
)
def test_primary_suppression_hides_any_count_from_one_to_five(unit, numerator, denominator, hidden):
    assert needs_suppression(Cell("x", numerator, denominator, 1.0), unit) is hidden


def test_a_percentage_reveals_numerator_denominator_and_complement():
    assert revealed_counts(cell("x", 30, 100), "percentage") == (30, 100, 70)


def test_one_small_cell_takes_the_next_smallest_with_it():
    total = cell("County", 123, 500)
    cells = [cell("East", 4, 60), cell("North", 40, 150), cell("South", 30, 140),
             cell("West", 49, 150)]  # fmt: skip
    shown_total, shown = suppress_breakdown(total, cells, "percentage")
    assert shown_total == total
    assert [c.suppressed for c in shown] == [True, False, True, False]
    assert all(c.value is None and c.numerator is None for c in shown if c.suppressed)


def test_hidden_cells_that_still_add_up_to_a_small_count_hide_more():
    # East 2 and South 2 are both small; hidden together they still reveal 4 children by
    # subtraction from the total, so a third cell is hidden.
    total = cell("County", 104, 400)
    cells = [cell("East", 2, 100), cell("North", 50, 100), cell("South", 2, 100),
             cell("West", 50, 100)]  # fmt: skip
    _, shown = suppress_breakdown(total, cells, "percentage")
    assert sum(c.suppressed for c in shown) == 3


def test_when_nothing_is_left_to_hide_the_total_goes_too():
    # Every cell is hidden and together they are still five children: hide the total as well.
    total = cell("County", 30, 100)
    cells = [cell("East", 2, 10), cell("West", 3, 10)]
    shown_total, shown = suppress_breakdown(total, cells, "percentage")
    assert all(c.suppressed for c in shown) and shown_total.suppressed


def test_a_small_total_is_hidden_and_so_are_the_cells_it_is_made_of():
    total = cell("County", 3, 200)
    cells = [cell("East", 1, 100), cell("West", 2, 100)]
    shown_total, shown = suppress_breakdown(total, cells, "percentage")
    assert shown_total.suppressed and all(c.suppressed for c in shown)
