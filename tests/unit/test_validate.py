"""Validation verdicts on hand-made manifests: what blocks, what warns, what the message says."""

import pytest

from improvement.extract import ExtractManifest, TableExtract
from improvement.ssd.schema import SSD_TABLES
from improvement.validate import (
    ERROR,
    WARNING,
    ExtractValidationError,
    PreviousSnapshot,
    raise_for_errors,
    validate_extract,
)


def manifest(**changes: TableExtract) -> ExtractManifest:
    tables = {
        name: TableExtract(name, present=True, row_count=1000, content_hash="h", staged_file=None)
        for name in SSD_TABLES
    }
    tables.update(changes)
    return ExtractManifest("test", "/nonexistent", tables, "hash", "2026-11-16T06:00:00Z", 0.1)


def errors(findings):
    return [f for f in findings if f.severity == ERROR]


def validate(m, previous=None):
    # Orphan checks read staged files; these manifests have none, so they must not be reached.
    return validate_extract(m, previous, max_row_drop=0.25)


def test_missing_table_blocks_and_is_named():
    findings = validate(
        manifest(ssd_cin_assessments=TableExtract("ssd_cin_assessments", present=False))
    )
    [error] = errors(findings)
    assert error.check == "table_missing"
    assert error.message.startswith("ssd_cin_assessments: table not found")


def test_missing_column_names_table_column_and_rows():
    table = TableExtract(
        "ssd_cp_plans",
        True,
        row_count=2345,
        missing_columns=["cppl_cp_plan_end_date"],
        content_hash="h",
    )
    [error] = errors(validate(manifest(ssd_cp_plans=table)))
    assert error.message == (
        "ssd_cp_plans.cppl_cp_plan_end_date: required column not found (the table has 2,345 rows)"
    )


def test_unparseable_dates_block_with_counts():
    table = TableExtract(
        "ssd_cin_assessments",
        True,
        row_count=5000,
        content_hash="h",
        unparseable={"cina_assessment_start_date": 37},
    )
    [error] = errors(validate(manifest(ssd_cin_assessments=table)))
    assert error.message == (
        "ssd_cin_assessments.cina_assessment_start_date: not a valid date in 37 rows of 5,000"
    )
    assert error.rows == 37


def test_duplicate_and_null_keys_block():
    table = TableExtract(
        "ssd_person", True, row_count=10, content_hash="h", null_keys=1, duplicate_keys=2
    )
    checks = {e.check: e for e in errors(validate(manifest(ssd_person=table)))}
    assert set(checks) == {"null_key", "duplicate_key"}
    assert (
        checks["duplicate_key"].message
        == "ssd_person.pers_person_id: primary key repeated in 2 rows"
    )


def test_collapse_against_previous_snapshot_blocks_but_normal_change_does_not():
    previous = PreviousSnapshot(
        "weekly/2026-11-08", {"ssd_cin_episodes": 30112, "ssd_person": 1100}
    )
    emptied = TableExtract("ssd_cin_episodes", True, row_count=0, content_hash="h")
    [error] = errors(validate(manifest(ssd_cin_episodes=emptied), previous))
    assert error.message == (
        "ssd_cin_episodes: 0 rows against 30,112 in the previous snapshot (weekly/2026-11-08): "
        "a fall of 100.0 %, more than the 25 % allowed"
    )
    # ssd_person fell from 1,100 to 1,000 (9 %): allowed.
    assert all(f.table != "ssd_person" for f in errors(validate(manifest(), previous)))


def test_placeholders_and_empty_tables_only_warn():
    table = TableExtract(
        "ssd_care_leavers",
        True,
        row_count=0,
        content_hash="h",
        placeholders={"clea_pathway_plan_review_date": 31},
    )
    findings = validate(manifest(ssd_care_leavers=table))
    assert not errors(findings)
    warnings = {f.check: f for f in findings if f.severity == WARNING}
    assert warnings["placeholder"].rows == 31
    assert warnings["empty_table"].table == "ssd_care_leavers"


def test_error_lists_every_blocking_problem():
    findings = validate(
        manifest(
            ssd_person=TableExtract("ssd_person", present=False),
            ssd_cla_visits=TableExtract(
                "ssd_cla_visits", True, row_count=9, missing_columns=["clav_cla_id"]
            ),
        )
    )
    with pytest.raises(ExtractValidationError) as raised:
        raise_for_errors(findings)
    text = str(raised.value)
    assert "2 blocking problem(s)" in text
    assert "ssd_person: table not found" in text
    assert "ssd_cla_visits.clav_cla_id: required column not found (the table has 9 rows)" in text


def test_missing_local_extension_table_only_warns():
    findings = validate(
        manifest(ext_supervision=TableExtract("ext_supervision", False, optional=True))
    )
    [finding] = [f for f in findings if f.table == "ext_supervision"]
    assert (finding.severity, finding.check) == (WARNING, "extension_missing")
    assert "measures that need it will show no value" in finding.message
