"""Canonical values: the same record must give the same text on every database engine."""

import datetime as dt
import gzip

import pandas as pd
import pyarrow as pa
import pytest

from improvement.ssd.canonical import (
    canonical_arrow_batches,
    canonical_column,
    canonical_csv,
    canonical_table,
    content_hash,
    read_canonical_arrow,
    read_canonical_csv,
    sort_canonical,
)
from improvement.ssd.schema import ColumnSpec

DATE = ColumnSpec("d", "DATETIME", None, False)
INT = ColumnSpec("i", "INT", None, False)
FLOAT = ColumnSpec("f", "FLOAT", None, False)
TEXT = ColumnSpec("t", "CHAR", "5", False)


def canon(values, column):
    result, findings = canonical_column(pd.Series(values, dtype=object), column)
    return list(result), findings


def test_dates_from_sqlite_text_and_server_datetimes_agree():
    from_sqlite, _ = canon(["2024-02-29 14:20:00.000000", "2024-03-01", "2024-03-02T08:00"], DATE)
    from_server, _ = canon(
        [dt.datetime(2024, 2, 29, 14, 20), dt.date(2024, 3, 1), pd.Timestamp("2024-03-02 08:00")],
        DATE,
    )
    assert from_sqlite == from_server == ["2024-02-29", "2024-03-01", "2024-03-02"]


def test_datetime64_column_is_canonicalised_without_time():
    series = pd.Series(pd.to_datetime(["2025-04-01 23:59", None]))
    result, findings = canonical_column(series, DATE)
    assert list(result) == ["2025-04-01", None]
    assert findings.placeholders == findings.unparseable == 0


def test_date_placeholders_become_missing_and_are_counted():
    values, findings = canon(
        ["1900-01-01", dt.datetime(1900, 1, 1), "SSD_PH", "", None, "2020-01-01"], DATE
    )
    assert values == [None, None, None, None, None, "2020-01-01"]
    assert findings.placeholders == 3
    assert findings.unparseable == 0


def test_text_that_is_not_a_date_is_counted_not_guessed():
    values, findings = canon(["31/12/2020", "2021-02-30", "next week", "2021-02-28"], DATE)
    assert findings.unparseable == 3
    assert values == [None, None, None, "2021-02-28"]


def test_char_padding_and_text_placeholders():
    values, findings = canon(["Y    ", " N", "SSD_PH", "   ", None], TEXT)
    assert values == ["Y", "N", None, None, None]
    assert findings.placeholders == 1


def test_numbers_from_any_engine_have_one_form():
    ints, int_findings = canon([3, 3.0, "3", " 12 ", None, "three", 2.5], INT)
    assert ints == ["3", "3", "3", "12", None, None, None]
    assert int_findings.unparseable == 2
    floats, float_findings = canon([1, 0.5, "0.50", float("nan"), "x"], FLOAT)
    assert floats == ["1.0", "0.5", "0.5", None, None]
    assert float_findings.unparseable == 1


def test_sorting_and_hash_do_not_depend_on_row_order():
    frame = pd.DataFrame({"id": ["b", "a", "c"], "value": ["2", None, "1"]}, dtype=object)
    shuffled = frame.iloc[[2, 0, 1]]
    first = canonical_csv(sort_canonical(frame, "id"))
    second = canonical_csv(sort_canonical(shuffled, "id"))
    assert first == second == b"id,value\na,\nb,2\nc,1\n"
    assert content_hash(first) == content_hash(second)


@pytest.mark.parametrize("kind", ["DATETIME", "INT", "FLOAT", "VARCHAR"])
def test_all_missing_column_stays_missing(kind):
    column = ColumnSpec("x", kind, "10" if kind == "VARCHAR" else None, False)
    table = canonical_table(pd.DataFrame({"x": [None, None]}), [column])
    assert table.frame["x"].isna().all()


def test_repeated_values_are_canonicalised_alike_and_told_apart_by_type():
    """Each distinct value is canonicalised once; values equal in Python but of other types
    (True and 1, 1 and 1.0) or printed apart (-0.0 and 0.0) keep their own results."""
    text, _ = canonical_column(pd.Series([True, 1, "1", True, " a ", " a "], dtype=object), TEXT)
    assert list(text) == ["True", "1", "1", "True", "a", "a"]
    ints, found = canonical_column(pd.Series([True, 1, 1.0, 1], dtype=object), INT)
    assert list(ints) == [None, "1", "1", "1"] and found.unparseable == 1
    floats, _ = canonical_column(pd.Series([0.0, -0.0, 0.0], dtype=object), FLOAT)
    assert list(floats) == ["0.0", "-0.0", "0.0"]
    dates, found = canonical_column(
        pd.Series([dt.datetime(2026, 1, 2, 9), dt.date(2026, 1, 2), "SSD_PH", "SSD_PH", "x"]),
        DATE,
    )
    assert list(dates) == ["2026-01-02", "2026-01-02", None, None, None]
    assert (found.placeholders, found.unparseable) == (2, 1)


def test_arrow_reads_missing_as_null_and_text_as_written():
    """The staged CSV has no empty text (canonical text that strips to nothing is missing):
    an empty field, and a lone one written as ``""``, are null, as ``read_canonical_csv``
    reads them; dates and numbers parse to their types."""
    frame = pd.DataFrame(
        {
            "t": ['é,\n"x"', None, "NA", "null"],
            "d": ["2024-02-29", None, "0001-01-01", None],
            "f": ["1.5", "-0.0", None, "10000"],
        },  # fmt: skip
        dtype=object,
    )
    data = gzip.compress(canonical_csv(frame))
    as_text = read_canonical_arrow(data)
    assert as_text.to_pydict() == read_canonical_csv(data).to_dict(orient="list")
    typed = read_canonical_arrow(data, ["d", "f", "gone"], {"d": pa.date32(), "f": pa.float64()})
    assert typed.schema.names == ["d", "f"]
    assert typed.column("d").to_pylist() == [dt.date(2024, 2, 29), None, dt.date(1, 1, 1), None]
    assert typed.column("f").to_pylist() == [1.5, -0.0, None, 10000.0]
    lone = gzip.compress(canonical_csv(pd.DataFrame({"t": [None, "a"]}, dtype=object)))
    assert gzip.decompress(lone) == b't\n""\na\n'
    assert read_canonical_arrow(lone).column("t").to_pylist() == [None, "a"]


def test_arrow_batches_of_a_file_without_rows_or_without_the_columns_are_none():
    header_only = gzip.compress(canonical_csv(pd.DataFrame(columns=["a", "b"])))
    assert list(canonical_arrow_batches(header_only, ["a"])) == []
    assert read_canonical_arrow(header_only, ["a"], {"a": pa.date32()}).schema.types == [
        pa.date32()
    ]
    rows = gzip.compress(canonical_csv(pd.DataFrame({"a": ["1"], "b": ["2"]}, dtype=object)))
    # Arrow reads every column when it is asked for none: here none is none.
    assert list(canonical_arrow_batches(rows, ["gone"])) == []
    assert [batch.num_rows for batch in canonical_arrow_batches(rows, ["b"])] == [1]
