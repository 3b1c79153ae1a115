"""The Arrow canonical rules' shortcuts give the bytes of the pandas path they stand in for."""

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from improvement.ssd import canonical
from improvement.ssd.canonical_arrow import CanonicalBatch, canonical_array, canonical_csv_rows
from improvement.ssd.schema import ColumnSpec

DATE = ColumnSpec("d", "DATETIME", None, False)
TEXT = ColumnSpec("t", "VARCHAR", "48", False)


def _pandas_rows(columns: dict[str, list]) -> bytes:
    return canonical.canonical_csv_rows(pd.DataFrame(columns, dtype=object))


@pytest.mark.parametrize(
    "columns",
    [
        {"a": ["x", "y z", None], "b": ["1", None, "3"]},  # nothing to quote: the shortcut
        {"a": ['say "hi"', "a,b", "l\nl"], "b": ["c\rr", "", None]},  # quoted; a lone \r is not
        {"a": ["", None, "x"]},  # one column: an empty field is written ""
    ],
)
def test_csv_rows_are_the_csv_modules_bytes(columns):
    batch = CanonicalBatch(
        {name: pa.array(values, pa.string()) for name, values in columns.items()}
    )
    assert canonical_csv_rows(batch) == _pandas_rows(columns)


def test_a_null_slot_spanning_bytes_that_need_quotes_changes_nothing():
    """A computed array may leave a null's old bytes in its buffer: they only cost the slow path."""
    values = pc.if_else(pa.array([True, False]), pa.scalar(None, pa.string()), pa.array(['"', "x"]))
    batch = CanonicalBatch({"a": values, "b": pa.array(["1", "2"])})
    assert canonical_csv_rows(batch) == _pandas_rows({"a": [None, "x"], "b": ["1", "2"]})


@pytest.mark.parametrize(
    ("values", "column"),
    [
        (["2024-02-29", "1900-01-01", "2021-02-30", None, "2024-02-29", "SSD_PH", "x"], DATE),
        ([" a ", "SSD_PH", "", None, " a ", "b"], TEXT),
    ],
)
def test_a_dictionary_array_canonicalises_as_its_plain_values(values, column):
    plain = pa.array(values, pa.string())
    expected, expected_findings = canonical_array(plain, column)
    result, findings = canonical_array(pc.dictionary_encode(plain), column)
    assert result.equals(expected)
    assert findings == expected_findings
    assert (findings.placeholders, findings.unparseable) != (0, 0)


def test_a_lone_carriage_return_becomes_a_line_break_and_the_staged_csv_reads_back():
    """Arrow's CSV reader ends a row at an unquoted \\r, and the csv module leaves a lone one
    unquoted: canonical text writes it as \\n (quoted), on both paths; \\r\\n stays."""
    import gzip

    values = ["one\rtwo", "x\r\ny", " c\r ", "plain", None]
    expected = ["one\ntwo", "x\r\ny", "c", "plain", None]
    arrow, _ = canonical_array(pa.array(values, pa.string()), TEXT)
    assert arrow.to_pylist() == expected
    per_value = canonical.canonical_table(pd.DataFrame({"t": values}, dtype=object), [TEXT])
    assert per_value.frame["t"].tolist() == expected
    ids = [str(n) for n in range(len(values))]
    batch = CanonicalBatch({"id": pa.array(ids), "t": arrow})
    staged = gzip.compress(b"id,t\n" + canonical_csv_rows(batch))
    assert canonical.read_canonical_arrow(staged).column("t").to_pylist() == expected
    assert canonical.read_canonical_arrow(staged).column("id").to_pylist() == ids
