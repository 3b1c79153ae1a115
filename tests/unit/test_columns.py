"""Stored columns: each column of a canonical CSV on its own, read back as the same text."""

from __future__ import annotations

import gzip

from improvement.ssd.canonical import read_canonical_csv
from improvement.warehouse.columns import column_payloads, read_column

CSV = (
    "id,name,note,born\n"
    'A1,"Smith, Jo","line one\nline two",2019-02-28\n'
    'A2,Zoë,"said ""no""",\n'
    "A3,,  spaced  ,1900-01-01\n"
)


def test_each_column_reads_back_as_the_csv_text_with_none_for_missing():
    payload = gzip.compress(CSV.encode("utf-8"))
    columns = {name: read_column(data) for name, data in column_payloads(payload).items()}
    frame = read_canonical_csv(payload)
    assert list(columns) == list(frame.columns)
    for name, values in columns.items():
        assert values == frame[name].tolist()
    assert columns["note"] == ["line one\nline two", 'said "no"', "  spaced  "]
    assert columns["name"] == ["Smith, Jo", "Zoë", None]
    assert columns["born"] == ["2019-02-28", None, "1900-01-01"]


def test_a_table_with_no_rows_has_empty_columns():
    payload = gzip.compress(b"id,born\n")
    assert {n: read_column(d) for n, d in column_payloads(payload).items()} == {
        "id": [],
        "born": [],
    }


def test_the_same_content_gives_the_same_bytes():
    payload = gzip.compress(CSV.encode("utf-8"))
    assert column_payloads(payload) == column_payloads(payload)
