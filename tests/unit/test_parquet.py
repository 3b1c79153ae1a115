"""Stored tables as Parquet: typed from the canonical CSV, read back as the same values."""

from __future__ import annotations

import datetime as dt
import gzip

import pandas as pd
import pyarrow as pa

from improvement.ssd.canonical import read_canonical_csv
from improvement.warehouse.parquet import (
    from_canonical_csv,
    from_canonical_frame,
    parquet_columns,
    read_columns,
    to_parquet,
)

# Text with a comma, a line break, quotes and spaces; a missing date; a float and an int.
CSV = (
    "prof_professional_id,prof_social_worker_registration_no,prof_professional_job_title,"
    "prof_full_time_equivalency,prof_professional_caseload\n"
    'A1,"Smith, Jo","line one\nline two",0.1,3\n'
    'A2,Zoë,"said ""no""",1.0,\n'
    "A3,,  spaced  ,,12\n"
)


def test_a_stored_table_reads_back_typed_with_every_value_of_its_csv():
    payload = gzip.compress(CSV.encode("utf-8"))
    table = from_canonical_csv(payload, "ssd_professionals")
    stored = to_parquet(table)
    read = read_columns(stored, None)
    assert read.schema.types == [pa.string(), pa.string(), pa.string(), pa.float64(), pa.int64()]
    text = read_canonical_csv(payload)
    for name in ("prof_professional_id", "prof_social_worker_registration_no",
                 "prof_professional_job_title"):  # fmt: skip
        assert read.column(name).to_pylist() == text[name].tolist()
    assert read.column("prof_professional_job_title").to_pylist() == [
        "line one\nline two",
        'said "no"',
        "  spaced  ",
    ]
    assert read.column("prof_full_time_equivalency").to_pylist() == [0.1, 1.0, None]
    assert read.column("prof_professional_caseload").to_pylist() == [3, None, 12]


def test_only_the_columns_asked_for_are_read():
    stored = to_parquet(from_canonical_csv(gzip.compress(CSV.encode()), "ssd_professionals"))
    assert parquet_columns(stored)[0] == "prof_professional_id"
    read = read_columns(stored, ["prof_professional_caseload"])
    assert read.schema.names == ["prof_professional_caseload"]


def test_dates_are_dates_and_an_empty_table_keeps_its_columns():
    frame = pd.DataFrame(
        {"pers_person_id": ["P1", "P2"], "pers_dob": ["2019-02-28", None]}, dtype=object
    )
    table = from_canonical_frame(frame, "ssd_person")
    assert table.column("pers_dob").to_pylist() == [dt.date(2019, 2, 28), None]
    empty = from_canonical_csv(gzip.compress(b"pers_person_id,pers_dob\n"), "ssd_person")
    assert empty.num_rows == 0 and empty.schema.names == ["pers_person_id", "pers_dob"]


def test_the_same_content_gives_the_same_bytes():
    payload = gzip.compress(CSV.encode("utf-8"))
    first = to_parquet(from_canonical_csv(payload, "ssd_professionals"))
    assert first == to_parquet(from_canonical_csv(payload, "ssd_professionals"))
