"""The data-fix audit counts rows added, removed and changed by primary key, and which columns."""

import pandas as pd

from improvement.warehouse.changes import compare_tables


def _assessments(rows):
    return pd.DataFrame(
        rows, columns=["cina_assessment_id", "cina_assessment_auth_date", "cina_assessment_team"]
    )


def test_rows_are_compared_by_primary_key_and_missing_equals_missing():
    before = _assessments([("A1", "2026-10-01", "T1"), ("A2", None, "T1"), ("A3", "2026-10-03", "T2"),
                           ("A4", "2026-10-04", None)])  # fmt: skip
    after = _assessments([("A3", "2026-09-20", "T2"), ("A1", "2026-10-01", "T1"), ("A2", None, "T3"),
                          ("A5", "2026-10-05", "T1"), ("A4", "2026-10-04", None)])  # fmt: skip
    change = compare_tables("ssd_cin_assessments", before, after)
    assert (change.rows_before, change.rows_after) == (4, 5)
    assert (change.rows_added, change.rows_removed, change.rows_changed) == (1, 0, 2)
    assert change.changed_columns == {"cina_assessment_auth_date": 1, "cina_assessment_team": 1}
    assert "1 added, 0 removed, 2 changed" in change.describe()


def test_a_table_that_appears_or_vanishes_counts_every_row():
    rows = _assessments([("A1", "2026-10-01", "T1"), ("A2", None, "T1")])
    appeared = compare_tables("ssd_cin_assessments", pd.DataFrame(), rows)
    vanished = compare_tables("ssd_cin_assessments", rows, pd.DataFrame())
    assert (appeared.rows_added, appeared.rows_removed, appeared.rows_changed) == (2, 0, 0)
    assert (vanished.rows_added, vanished.rows_removed, vanished.rows_changed) == (0, 2, 0)
