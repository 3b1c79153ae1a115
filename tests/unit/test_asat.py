"""Month ends named by the month: leap years and December included."""

import datetime as dt

from improvement.measures.asat import month_end


def test_month_end_of_a_named_month():
    assert month_end("2026-10") == dt.date(2026, 10, 31)
    assert month_end("2024-02") == dt.date(2024, 2, 29)
    assert month_end("2026-12") == dt.date(2026, 12, 31)
